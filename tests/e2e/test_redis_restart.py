"""The broker restarted during polling (a private redis-server, never the machine's shared
one): the worker and beat reconnect by themselves, no schedule is lost, every device is
polled again within 30 s of Redis coming back."""

import time

import pytest

from .stack import wait_for

INTERVAL_S = 2
DOWN_S = 5
RESUME_WITHIN_S = 30


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_it_resumes_polling_within_30s_after_redis_restarts(make_stack, redis_server, snmpd):
    stack = make_stack()
    agent = {"port": snmpd.port, "community": snmpd.community, "interval": INTERVAL_S}
    ids = stack.call(
        "add_devices",
        devices=[{"name": f"r{n}", "group": "default", **agent} for n in (1, 2, 3)],
    )
    schedules = stack.call("poll_tasks")
    worker = stack.worker("poller", "poll.default")
    beat = stack.beat()

    def polled_all(since: int = 0) -> bool:
        seen = {int(p["device"]) for p in worker.polls(since) if p["ok"] == "True"}
        return seen >= set(ids.values())

    wait_for(polled_all, 30, "every device polled before the restart")
    redis_server.stop()
    time.sleep(DOWN_S)
    since = worker.mark()
    redis_server.start()
    back = time.monotonic()
    wait_for(lambda: polled_all(since), RESUME_WITHIN_S, "polling to resume after the restart")
    print(f"polling resumed {time.monotonic() - back:.1f}s after Redis came back")
    assert worker.alive() and beat.alive(), "a process died instead of reconnecting"
    assert stack.call("poll_tasks") == schedules
