"""The scan: expand ranges, sweep them with ICMP, then probe and name what answered.

The sweep is the ICMP monitor's one-socket sweep (monitoring.icmp.sweep); every live host
is probed over SNMP and reverse-resolved as soon as it answers, so classification overlaps
the sweep. ``scan`` is plain asyncio and knows nothing of the database: jobs.py runs it in
a thread, reads ``ScanProgress`` every half second and sets ``stop`` to cancel.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings

from monitoring.icmp.sweep import DEFAULT_RATE_PPS, sweep

from .classifier import PROBE_CONCURRENCY, PROBE_TIMEOUT_S, CredentialSpec, SnmpAnswer, probe

__all__ = ["HostFound", "RangeError", "ScanOptions", "ScanProgress", "expand", "scan"]

DNS_TIMEOUT_S = 1.0  # per lookup; a name is nice to have, never worth a stalled scan
DNS_THREADS = 16
STOP_POLL_S = 0.05


class RangeError(ValueError):
    """A range we refuse, with the request field it came from (HTTP 400 names it)."""

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


def _network(text: str, field: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(str(text).strip(), strict=False)
    except ValueError:
        raise RangeError(field, f"{text!r} is not a CIDR or an IP address.") from None


def _addresses(net) -> Iterable:
    # Network and broadcast addresses answer nothing useful (or everything): skip them
    # in IPv4 prefixes shorter than /31 (RFC 3021 makes both /31 addresses hosts).
    if net.version == 4 and net.prefixlen < 31:
        return net.hosts()
    return iter(net)


def _size(net) -> int:
    if net.version == 4 and net.prefixlen < 31:
        return net.num_addresses - 2
    return net.num_addresses


def expand(
    ranges: Sequence[str], exclude: Sequence[str] = (), max_addresses: int | None = None
) -> list[str]:
    """Every address to sweep, in order, without duplicates or exclusions.

    Refuses (RangeError) an empty list, a bad CIDR, or more than ``max_addresses``
    (default settings.DISCOVERY_MAX_ADDRESSES) before expanding anything: never truncates.
    """
    limit = settings.DISCOVERY_MAX_ADDRESSES if max_addresses is None else max_addresses
    if isinstance(ranges, str) or not ranges:
        raise RangeError("ranges", "Give at least one CIDR or address, as a list.")
    if isinstance(exclude, str):
        raise RangeError("exclude", "A list of CIDRs or addresses.")
    networks = [_network(r, "ranges") for r in ranges]
    excluded = [_network(e, "exclude") for e in exclude]
    total = 0
    for net, text in zip(networks, ranges, strict=True):
        total += _size(net)
        if total > limit:
            raise RangeError(
                "ranges",
                f"{text} makes {total:,}+ addresses; the limit is {limit:,} "
                "(DISCOVERY_MAX_ADDRESSES). Split the scan into smaller ranges.",
            )
    seen: dict[str, None] = {}
    for net in networks:
        for address in _addresses(net):
            if any(address in ex for ex in excluded if ex.version == address.version):
                continue
            seen[str(address)] = None
    return list(seen)


@dataclass
class ScanProgress:
    """Counters the scan bumps and the job runner reads (from another thread)."""

    total: int = 0
    swept: int = 0
    alive: int = 0
    classified: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def bump(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return {
                "total": self.total,
                "swept": self.swept,
                "alive": self.alive,
                "classified": self.classified,
            }


@dataclass
class HostFound:
    address: str
    rtt_ms: float | None
    dns_name: str = ""
    answer: SnmpAnswer | None = None


@dataclass(frozen=True)
class ScanOptions:
    count: int = 1  # echoes per address
    interval_ms: float = 200
    timeout_s: float = 1.0  # ICMP reply wait
    rate_pps: float = DEFAULT_RATE_PPS  # jobs take settings.ICMP_RATE_PPS
    snmp_timeout_s: float = PROBE_TIMEOUT_S
    snmp_concurrency: int = PROBE_CONCURRENCY
    reverse_dns: bool = True
    dns_timeout_s: float = DNS_TIMEOUT_S


def reverse_name(address: str) -> str:
    """The PTR name (through the system resolver: /etc/hosts, then DNS)."""
    try:
        return socket.gethostbyaddr(address)[0]
    except (OSError, UnicodeError):
        return ""


async def _resolve(
    address: str, pool: ThreadPoolExecutor, resolver: Callable[[str], str], timeout_s: float
) -> str:
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.wait_for(loop.run_in_executor(pool, resolver, address), timeout_s)
    except (TimeoutError, OSError):
        return ""


async def _watch(stop: threading.Event, cancel: asyncio.Event) -> None:
    while not stop.is_set():
        await asyncio.sleep(STOP_POLL_S)
    cancel.set()


async def scan(
    addresses: Sequence[str],
    credentials: Sequence[CredentialSpec],
    progress: ScanProgress | None = None,
    stop: threading.Event | None = None,
    options: ScanOptions = ScanOptions(),
    resolver: Callable[[str], str] = reverse_name,
) -> list[HostFound]:
    """Sweep, then probe and resolve each live host as it answers; live hosts in order.

    ``stop`` (a threading.Event, settable from any thread) ends the scan within ~0.1 s;
    what was found by then is returned.
    """
    progress = progress or ScanProgress()
    stop = stop or threading.Event()
    progress.total = len(addresses)
    cancel = asyncio.Event()
    watcher = asyncio.create_task(_watch(stop, cancel))
    found: dict[str, HostFound] = {}
    work: list[asyncio.Task] = []
    limit = asyncio.Semaphore(max(1, options.snmp_concurrency))
    pool = ThreadPoolExecutor(DNS_THREADS, thread_name_prefix="discovery-dns")

    async def follow_up(host: HostFound) -> None:
        if options.reverse_dns:
            host.dns_name = await _resolve(host.address, pool, resolver, options.dns_timeout_s)
        if credentials:
            async with limit:
                host.answer = await probe(host.address, credentials, options.snmp_timeout_s)
        progress.bump(classified=1)

    def on_result(result) -> None:
        progress.bump(swept=1, alive=int(result.is_alive))
        if result.is_alive and not cancel.is_set():
            host = found[result.address] = HostFound(result.address, result.min_ms)
            work.append(asyncio.create_task(follow_up(host)))

    try:
        await sweep(
            addresses,
            count=options.count,
            interval_ms=options.interval_ms,
            timeout_s=options.timeout_s,
            rate_pps=options.rate_pps,
            on_result=on_result,
            cancel=cancel,
        )
        if work:
            waiter = asyncio.gather(*work)
            stopper = asyncio.create_task(cancel.wait())
            await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
            if not waiter.done():
                waiter.cancel()
                await asyncio.gather(waiter, return_exceptions=True)
    finally:
        watcher.cancel()
        for task in work:
            task.cancel()
        await asyncio.gather(watcher, *work, return_exceptions=True)
        pool.shutdown(wait=False, cancel_futures=True)
    order = {a: i for i, a in enumerate(addresses)}
    return sorted(found.values(), key=lambda h: order.get(h.address, 0))
