"""Real ICMP on loopback: every 127/8 address and ::1 answer on Linux."""

import asyncio
import time

import pytest
from icmplib import ICMPReply

from monitoring.icmp.sockets import SocketMode, probe_socket_mode
from monitoring.icmp.sweep import _Sweep, ping_one, sweep, sweep_sync

LOOPBACK_200 = [f"127.1.0.{i}" for i in range(1, 201)]


def test_probe_socket_mode_as_root_is_raw_for_both_families():
    assert probe_socket_mode(4) is SocketMode.RAW
    assert probe_socket_mode(6) is SocketMode.RAW


def test_200_loopback_addresses_answer_exactly_once_with_count_1():
    results = sweep_sync(LOOPBACK_200, count=1, timeout_s=2)
    assert sorted(results) == sorted(LOOPBACK_200)
    for r in results.values():
        assert (r.sent, r.received, r.duplicates, r.late_replies) == (1, 1, 0, 0), r
        assert r.is_alive and r.is_complete and r.loss_pct == 0.0
        assert len(r.rtts_ms) == 1 and 0 <= r.rtts_ms[0] < 1000


def test_count_3_gives_three_rtts_each_and_statistics():
    results = sweep_sync(LOOPBACK_200, count=3, interval_ms=20, timeout_s=2)
    for r in results.values():
        assert (r.sent, r.received, len(r.rtts_ms), r.lost_rounds) == (3, 3, 3, [])
        assert r.min_ms <= r.avg_ms <= r.max_ms
        assert r.jitter_ms is not None and r.jitter_ms >= 0


def test_ipv6_loopback_and_ipv4_in_one_sweep():
    results = sweep_sync(["::1", "127.0.0.1", "0:0::1"], count=2, interval_ms=10, timeout_s=2)
    assert sorted(results) == ["127.0.0.1", "::1"]  # ::1 given twice, normalised once
    assert results["::1"].received == 2 and results["127.0.0.1"].received == 2


def test_ping_one_returns_rtt_for_loopback():
    rtt_ms = ping_one("127.0.0.1")
    assert rtt_ms is not None and 0 <= rtt_ms < 1000


def test_on_result_streams_every_host_once_before_sweep_returns():
    seen = []

    async def run():
        return await sweep(LOOPBACK_200[:50], count=1, timeout_s=2, on_result=seen.append)

    results = asyncio.run(run())
    assert sorted(r.address for r in seen) == sorted(results)


def test_async_on_result_is_awaited():
    seen = []

    async def record(result):
        await asyncio.sleep(0)
        seen.append(result.address)

    asyncio.run(sweep(["127.0.0.1", "::1"], count=1, timeout_s=2, on_result=record))
    assert sorted(seen) == ["127.0.0.1", "::1"]


def test_hostname_is_rejected_sweeps_take_addresses_only():
    with pytest.raises(ValueError):
        sweep_sync(["localhost"], count=1)


def test_rate_limit_paces_sends():
    started = time.monotonic()
    results = sweep_sync(LOOPBACK_200, count=1, timeout_s=2, rate_pps=1000)
    elapsed = time.monotonic() - started
    assert all(r.received == 1 for r in results.values())
    assert 0.15 <= elapsed < 2.0  # 200 packets at 1000 pps cannot take less than ~0.2 s


def test_duplicate_and_foreign_replies_are_ignored_and_counted():
    async def run():
        run = _Sweep(["127.0.0.1"], count=1, payload_size=8, privileged=True)
        channel = run.channels[4]
        await run.send_one(0, 0, 10**9)
        key = next(iter(run.pending))
        _, ident, seq = key

        def reply(source, ident=ident, seq=seq):
            return ICMPReply(source, 4, ident, seq, 0, 0, 64, 0)

        received_ns = time.time_ns()
        run.on_reply(channel, reply("127.0.0.1"), received_ns)
        run.on_reply(channel, reply("127.0.0.1"), received_ns)  # duplicate
        run.on_reply(channel, reply("127.0.0.9"), received_ns)  # wrong source
        run.on_reply(channel, reply("127.0.0.1", ident=ident ^ 1), received_ns)  # wrong id
        channel.close()
        return run

    run = asyncio.run(run())
    result = run.results["127.0.0.1"]
    assert (result.received, result.duplicates, run.unexpected) == (1, 1, 2)


def test_sequence_numbers_are_unique_per_host_and_round_beyond_65536_requests():
    run = _Sweep([f"127.2.{i // 256}.{i % 256}" for i in range(30_000)], 3, 8, True)
    keys = set()
    for host in range(0, 30_000, 7):
        for round_no in range(3):
            k = host * 3 + round_no
            keys.add(((run.run_id + (k >> 16)) & 0xFFFF, k & 0xFFFF))
    for channel in run.channels.values():
        channel.close()
    assert len(keys) == len(range(0, 30_000, 7)) * 3
