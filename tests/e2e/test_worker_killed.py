"""A worker killed with SIGKILL in the middle of a poll: the message was not acked (acks
late), so Redis hands it out again once its visibility timeout passes, to the worker that
takes over, and the device is polled again on its next interval."""

import re
import time

import pytest

from tests.servers.udp_delay import DelayingRelay

from .stack import wait_for

INTERVAL_S = 10
AGENT_DELAY_S = 3.0  # each PDU answered this late: the poll is caught in the middle
VISIBILITY_S = 5
RECEIVED = re.compile(r"Task monitoring\.tasks\.poll_device\[([0-9a-f-]+)\] received")


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_it_redelivers_a_poll_whose_worker_was_killed_and_polls_on_the_next_interval(
    make_stack, snmpd
):
    stack = make_stack(
        CELERY_VISIBILITY_TIMEOUT_S=str(VISIBILITY_S), CELERY_UNACKED_RESTORE_INTERVAL_S="2"
    )
    with DelayingRelay((snmpd.address, snmpd.port), AGENT_DELAY_S) as relay:
        ids = stack.call(
            "add_devices",
            devices=[
                {
                    "name": "slow", "group": "default", "port": relay.port,
                    "community": snmpd.community, "interval": INTERVAL_S,
                    "timeout_s": AGENT_DELAY_S + 3, "retries": 0,
                }
            ],
        )  # fmt: skip
        first = stack.worker("doomed", "poll.default")
        stack.beat()
        task_id = wait_for(
            lambda: RECEIVED.findall(first.log()), INTERVAL_S + 15, "the first poll to start"
        )[0]
        time.sleep(1)  # the poll now waits for the slow agent
        assert first.polls() == [], "the poll finished before the kill"
        stack.kill(first)  # SIGKILL to the worker and its pool child alike
        killed = time.monotonic()

        second = stack.worker("heir", "poll.default")
        wait_for(
            lambda: task_id in RECEIVED.findall(second.log()), VISIBILITY_S + 20,
            f"task {task_id} to be redelivered to the new worker",
        )  # fmt: skip
        redelivered_s = time.monotonic() - killed
        # The killed poll's lock expires before the next interval (lock_ttl_for), so the
        # next poll beat sends runs; the redelivered message itself may still find it held.
        ok = wait_for(
            lambda: [p for p in second.polls() if p["ok"] == "True"],
            INTERVAL_S + AGENT_DELAY_S + 3 - (time.monotonic() - killed),
            "the device to be polled on its next interval after the kill",
        )
        assert int(ok[0]["device"]) == ids["slow"]
        took_s = time.monotonic() - killed
        print(f"redelivered {redelivered_s:.1f}s after SIGKILL; polled ok {took_s:.1f}s after")
