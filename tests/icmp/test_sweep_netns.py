"""Sweeps against a private network in namespaces (see tests/servers/netns.py)."""

import asyncio
import time

from monitoring.icmp.sweep import sweep, sweep_sync


def test_host_in_namespace_answers(netns_lab):
    results = sweep_sync([netns_lab.address, netns_lab.far_address], count=2, interval_ms=50)
    assert results[netns_lab.address].received == 2
    assert results[netns_lab.far_address].received == 2


def test_after_link_down_host_is_lost_and_returns_after_link_up(netns_lab):
    netns_lab.link_down()
    try:
        down = sweep_sync([netns_lab.address], count=2, interval_ms=50, timeout_s=0.5)
    finally:
        netns_lab.link_up()
    assert down[netns_lab.address].loss_pct == 100.0
    assert not down[netns_lab.address].is_alive
    up = sweep_sync([netns_lab.address], count=1, timeout_s=2)
    assert up[netns_lab.address].is_alive


def test_sweep_of_live_and_dead_returns_exactly_the_live_ones_within_timeout(netns_lab):
    live = [netns_lab.address, netns_lab.far_address, "127.0.0.1", "::1"]
    dead = netns_lab.silent_addresses(20)
    started = time.monotonic()
    results = sweep_sync(live + dead, count=1, timeout_s=1.0)
    elapsed = time.monotonic() - started
    assert {a for a, r in results.items() if r.is_alive} == set(live)
    assert all(results[a].lost_rounds == [0] and results[a].sent == 1 for a in dead)
    assert elapsed < 1.0 + 0.5  # per-request timeout plus bookkeeping, not timeout per host


def test_cancel_stops_a_long_sweep_within_two_seconds(netns_lab):
    async def run():
        cancel = asyncio.Event()
        asyncio.get_running_loop().call_later(0.3, cancel.set)
        started = time.monotonic()
        results = await sweep(
            netns_lab.silent_addresses(10), count=5, interval_ms=1000, timeout_s=10,
            cancel=cancel,
        )  # fmt: skip
        return results, time.monotonic() - started

    results, elapsed = asyncio.run(run())
    assert elapsed < 2.0
    assert len(results) == 10 and not any(r.is_complete for r in results.values())
