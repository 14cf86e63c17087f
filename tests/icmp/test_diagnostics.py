import asyncio
import dataclasses
import json

import pytest

from monitoring import diagnostics


def test_resolve_hostname_once_and_show_the_address():
    target = diagnostics.resolve("localhost")
    assert (target.query, target.address, target.family) == ("localhost", "127.0.0.1", 4)


@pytest.mark.parametrize("bad", ["", "rm -rf /", "a;b", "224.0.0.1", "0.0.0.0", "::"])
def test_resolve_rejects_non_hosts(bad):
    with pytest.raises(ValueError):
        diagnostics.resolve(bad)


def test_ping_loopback_reports_json_ready_statistics():
    report = diagnostics.ping("127.0.0.1", count=3, interval_ms=20, size=100)
    data = json.loads(json.dumps(dataclasses.asdict(report)))
    assert (data["sent"], data["received"], data["loss_pct"]) == (3, 3, 0.0)
    assert len(data["rtts_ms"]) == 3 and data["min_ms"] <= data["avg_ms"] <= data["max_ms"]


@pytest.mark.parametrize(
    "kwargs",
    [{"count": 101}, {"count": 0}, {"size": 70000}, {"count": 100, "interval_ms": 5000}],
)
def test_ping_bounds(kwargs):
    with pytest.raises(ValueError):
        diagnostics.ping("127.0.0.1", **kwargs)


def test_traceroute_bounds():
    with pytest.raises(ValueError):
        diagnostics.traceroute("127.0.0.1", max_hops=31)


def test_traceroute_to_loopback_is_one_hop():
    report = diagnostics.traceroute("127.0.0.1", probes=3, timeout_s=1)
    assert report.is_complete and len(report.hops) == 1
    hop = report.hops[0]
    assert hop.addresses == ["127.0.0.1"] and hop.is_destination
    assert len(hop.rtts_ms) == 3 and all(r is not None for r in hop.rtts_ms)


def test_traceroute_ipv6_loopback():
    report = diagnostics.traceroute("::1", probes=1, timeout_s=1)
    assert [h.addresses for h in report.hops] == [["::1"]]


def test_traceroute_to_namespace_host_ends_at_its_address(netns_lab):
    report = diagnostics.traceroute(netns_lab.address, probes=2, timeout_s=1)
    assert report.is_complete and report.hops[-1].addresses == [netns_lab.address]


def test_traceroute_through_the_edge_router_shows_two_hops(netns_lab):
    report = diagnostics.traceroute(netns_lab.far_address, probes=3, timeout_s=1)
    assert [h.addresses for h in report.hops] == [[netns_lab.address], [netns_lab.far_address]]
    assert not report.hops[0].is_destination and report.hops[1].is_destination
    assert all(r is not None for h in report.hops for r in h.rtts_ms)


def test_traceroute_to_silent_address_stops_at_max_hops(netns_lab):
    report = diagnostics.traceroute(
        netns_lab.silent_addresses(1)[0], max_hops=3, probes=1, timeout_s=0.3
    )
    assert not report.is_complete and len(report.hops) == 3
    assert report.hops[0].addresses == []  # the edge blackholes it: no Time Exceeded either


def test_traceroute_stream_yields_hops_in_order(netns_lab):
    async def collect():
        return [h async for h in diagnostics.traceroute_stream(netns_lab.far_address, probes=1)]

    assert [h.ttl for h in asyncio.run(collect())] == [1, 2]


def test_mtr_gives_per_hop_statistics(netns_lab):
    report = diagnostics.mtr(netns_lab.far_address, cycles=5, interval_ms=50, timeout_s=1)
    assert [h.addresses for h in report.hops] == [[netns_lab.address], [netns_lab.far_address]]
    for hop in report.hops:
        assert (hop.sent, hop.received, hop.loss_pct) == (5, 5, 0.0)
        assert hop.best_ms <= hop.avg_ms <= hop.worst_ms and hop.stdev_ms >= 0
    json.dumps(dataclasses.asdict(report))


def test_mtr_counts_loss_when_link_is_down(netns_lab):
    netns_lab.link_down()
    try:
        report = diagnostics.mtr(
            netns_lab.address, cycles=2, max_hops=2, interval_ms=50, timeout_s=0.3
        )
    finally:
        netns_lab.link_up()
    assert all(h.loss_pct == 100.0 and h.received == 0 for h in report.hops)
