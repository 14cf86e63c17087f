"""VictoriaMetrics stopped for a while during polling, then started again: every sample
of that time arrives, with the timestamp of the poll that took it (spooled on disk by the
worker, replayed in order once VictoriaMetrics is back)."""

import json
import time
from collections import Counter

import pytest
import requests

from tests.servers.victoria import VictoriaServer, VictoriaServerError

from .stack import wait_for

INTERVAL_S = 2
OUTAGE_S = 8


def exported(vm: VictoriaServer, match: str) -> list[dict]:
    vm.flush()
    resp = requests.get(f"{vm.url}/api/v1/export", params={"match[]": match}, timeout=10)
    resp.raise_for_status()
    return [json.loads(line) for line in resp.text.splitlines() if line.strip()]


def spooled(stack) -> int:
    return len(list((stack.workdir / "var" / "spool").glob("*.batch")))


@pytest.mark.e2e
@pytest.mark.timeout(120)
def test_it_delivers_every_sample_taken_while_victoriametrics_was_down(make_stack, snmpd):
    vm = VictoriaServer()
    try:
        vm.start()
    except VictoriaServerError as exc:
        pytest.fail(f"cannot start VictoriaMetrics: {exc}", pytrace=False)
    try:
        stack = make_stack(METRICS_BACKEND="victoriametrics", VICTORIA_URL=vm.url)
        agent = {"port": snmpd.port, "community": snmpd.community, "interval": INTERVAL_S}
        ids = stack.call(
            "add_devices",
            devices=[{"name": f"vm{n}", "group": "default", **agent} for n in (1, 2)],
        )
        worker = stack.worker("poller", "poll.default")
        beat = stack.beat()
        wait_for(lambda: len(worker.polls()) >= 4, 30, "polls before the outage")

        vm.stop()
        down_at = time.time()
        time.sleep(OUTAGE_S)
        up_at = time.time()
        assert spooled(stack) >= OUTAGE_S // INTERVAL_S, "the worker did not spool"
        vm.start()
        wait_for(lambda: spooled(stack) == 0, 20, "the spool to drain into VictoriaMetrics")
        stack.stop(beat)
        stack.stop(worker)  # warm shutdown: the poll in hand finishes and is written

        polls = [p for p in worker.polls() if p["ok"] == "True"]
        for name, device_id in ids.items():
            mine = [p for p in polls if int(p["device"]) == device_id]
            series = exported(vm, f'{{device="{name}"}}')
            points = Counter()
            for s in series:
                points[s["metric"]["__name__"]] += len(s["timestamps"])
            assert sum(points.values()) == sum(int(p["samples"]) for p in mine), points
            (poll_ok,) = [s for s in series if s["metric"]["__name__"] == "snmp_poll_ok"]
            stamps = [t / 1000 for t in poll_ok["timestamps"]]
            assert len(stamps) == len(set(stamps)) == len(mine)
            during = [t for t in stamps if down_at < t < up_at]
            assert len(during) >= OUTAGE_S // INTERVAL_S - 1, (name, down_at, up_at, stamps)
            gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
            assert max(gaps) < 2.5 * INTERVAL_S, f"a hole in {name}'s samples: {gaps}"
    finally:
        vm.cleanup()
