"""On-demand diagnostics for the web UI and API: ping, traceroute, mtr.

No shell, no subprocess: everything goes through ``monitoring.icmp``. A hostname is
resolved once and the address is reported beside it. Every call is bounded in probe count
and total time. Results are dataclasses of plain values; ``dataclasses.asdict`` makes them
JSON-ready. RTTs are in milliseconds.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from monitoring.icmp.sweep import sweep
from monitoring.icmp.trace import Hop, MtrHop, mtr_cycles, trace_hops

__all__ = [
    "Hop",
    "MtrHop",
    "MtrReport",
    "PingReport",
    "Target",
    "TraceReport",
    "mtr",
    "mtr_async",
    "ping",
    "resolve",
    "traceroute",
    "traceroute_async",
    "traceroute_stream",
]

MAX_PING_COUNT = 100
MAX_PAYLOAD_BYTES = 8972  # a jumbo frame's ICMP payload: enough for any path-MTU test
MAX_HOPS = 30
MAX_PROBES_PER_HOP = 10
MAX_MTR_CYCLES = 100
MAX_TIMEOUT_S = 10.0
MAX_TOTAL_S = 120.0  # no single diagnostic may run longer than this

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.?)+$")


@dataclass(slots=True)
class Target:
    query: str  # what the user typed
    address: str  # what we probe
    family: int


@dataclass(slots=True)
class PingReport:
    target: Target
    sent: int
    received: int
    loss_pct: float
    rtts_ms: list[float]
    min_ms: float | None
    avg_ms: float | None
    max_ms: float | None
    stdev_ms: float | None
    jitter_ms: float | None  # mean |difference| of consecutive RTTs
    errors: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TraceReport:
    target: Target
    hops: list[Hop]
    is_complete: bool  # the target itself answered


@dataclass(slots=True)
class MtrReport:
    target: Target
    cycles: int
    hops: list[MtrHop]


def resolve(query: str) -> Target:
    """Validate an address or resolve a hostname once; raise ValueError if unusable."""
    query = query.strip()
    try:
        ip = ipaddress.ip_address(query)
    except ValueError:
        if not _HOSTNAME.match(query):
            raise ValueError(f"{query!r} is neither an IP address nor a hostname") from None
        try:
            infos = socket.getaddrinfo(query, None, type=socket.SOCK_DGRAM)
        except socket.gaierror as err:
            raise ValueError(f"cannot resolve {query!r}: {err.strerror}") from None
        ip = ipaddress.ip_address(infos[0][4][0].split("%")[0])
    if ip.is_multicast or ip.is_unspecified or str(ip) == "255.255.255.255":
        raise ValueError(f"{ip} is not a unicast host address")
    return Target(query=query, address=str(ip), family=ip.version)


def _check(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, not {value}")


def ping(
    query: str,
    count: int = 4,
    interval_ms: int = 1000,
    size: int = 56,
    timeout_s: float = 1.0,
) -> PingReport:
    """``count`` echo requests of ``size`` payload bytes, ``interval_ms`` apart."""
    _check("count", count, 1, MAX_PING_COUNT)
    _check("size", size, 0, MAX_PAYLOAD_BYTES)
    _check("timeout_s", timeout_s, 0.05, MAX_TIMEOUT_S)
    _check("interval_ms", interval_ms, 10, 10_000)
    _check("total time (s)", (count - 1) * interval_ms / 1000 + timeout_s, 0, MAX_TOTAL_S)
    target = resolve(query)
    results = asyncio.run(sweep([target.address], count, interval_ms, timeout_s, payload_size=size))
    host = results[target.address]
    return PingReport(
        target=target,
        sent=host.sent,
        received=host.received,
        loss_pct=host.loss_pct,
        rtts_ms=host.rtts_ms,
        min_ms=host.min_ms,
        avg_ms=host.avg_ms,
        max_ms=host.max_ms,
        stdev_ms=host.stdev_ms,
        jitter_ms=host.jitter_ms,
        errors=host.errors,
    )


def _check_trace(max_hops: int, probes: int, timeout_s: float) -> None:
    _check("max_hops", max_hops, 1, MAX_HOPS)
    _check("probes", probes, 1, MAX_PROBES_PER_HOP)
    _check("timeout_s", timeout_s, 0.05, MAX_TIMEOUT_S)
    _check("total time (s)", max_hops * timeout_s, 0, MAX_TOTAL_S)


async def traceroute_stream(
    query: str, max_hops: int = MAX_HOPS, probes: int = 3, timeout_s: float = 1.0
) -> AsyncIterator[Hop]:
    """Yield hops as they answer (for streaming to a web page)."""
    _check_trace(max_hops, probes, timeout_s)
    target = resolve(query)
    async for hop in trace_hops(target.address, target.family, max_hops, probes, timeout_s):
        yield hop


async def traceroute_async(
    query: str, max_hops: int = MAX_HOPS, probes: int = 3, timeout_s: float = 1.0
) -> TraceReport:
    _check_trace(max_hops, probes, timeout_s)
    target = resolve(query)
    hops = [
        hop async for hop in trace_hops(target.address, target.family, max_hops, probes, timeout_s)
    ]
    return TraceReport(target, hops, is_complete=bool(hops) and hops[-1].is_destination)


def traceroute(
    query: str, max_hops: int = MAX_HOPS, probes: int = 3, timeout_s: float = 1.0
) -> TraceReport:
    return asyncio.run(traceroute_async(query, max_hops, probes, timeout_s))


async def mtr_async(
    query: str,
    cycles: int = 10,
    max_hops: int = MAX_HOPS,
    interval_ms: int = 1000,
    timeout_s: float = 1.0,
) -> MtrReport:
    _check("cycles", cycles, 1, MAX_MTR_CYCLES)
    _check("max_hops", max_hops, 1, MAX_HOPS)
    _check("timeout_s", timeout_s, 0.05, MAX_TIMEOUT_S)
    _check("interval_ms", interval_ms, 10, 10_000)
    _check("total time (s)", cycles * max(interval_ms / 1000, timeout_s), 0, MAX_TOTAL_S)
    target = resolve(query)
    hops: list[MtrHop] = []
    async for table in mtr_cycles(
        target.address, target.family, cycles, max_hops, interval_ms / 1000, timeout_s
    ):
        hops = table  # each table is cumulative; the last one is the report
    return MtrReport(target=target, cycles=cycles, hops=hops)


def mtr(
    query: str,
    cycles: int = 10,
    max_hops: int = MAX_HOPS,
    interval_ms: int = 1000,
    timeout_s: float = 1.0,
) -> MtrReport:
    """Repeated traceroute: per-hop loss %, last/avg/best/worst/stdev RTT."""
    return asyncio.run(mtr_async(query, cycles, max_hops, interval_ms, timeout_s))
