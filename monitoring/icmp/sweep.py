"""One-socket ICMP echo sweep: many hosts, paced sends, one receive loop.

icmplib's ``async_multiping`` opens one socket per host; with thousands of hosts each reply
is copied to every raw socket and the receive buffers overflow, so replies get lost. Here one
socket per address family sends every request, paced by a token bucket, and one reader
matches each reply to its (address, round):

* raw sockets: key (source, identifier, sequence); the identifier is random per run.
* unprivileged ping sockets: the kernel rewrites the identifier and only delivers replies
  to our own socket, so the key is (source, sequence).

Request number ``k = host_index * count + round`` gives sequence ``k & 0xFFFF`` and, on raw
sockets, identifier ``run_id + (k >> 16)``: unique per (host, round) for any sweep size.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import ipaddress
import random
import time
from collections.abc import Awaitable, Callable, Iterable

from monitoring.icmp.results import HostResult
from monitoring.icmp.sockets import IcmpChannel

__all__ = ["HostResult", "OnResult", "ping_one", "sweep", "sweep_sync"]

DEFAULT_COUNT = 3
DEFAULT_INTERVAL_MS = 1000  # between the rounds sent to one host
DEFAULT_TIMEOUT_S = 1.0  # per request
DEFAULT_RATE_PPS = 20_000
DEFAULT_PAYLOAD_BYTES = 56
TICK_S = 0.02  # supervisor period: expiry, callbacks and cancel latency
SEND_RETRIES = 200  # BlockingIOError retries (1 ms apart) before a send counts as failed
NS = 1_000_000_000

OnResult = Callable[[HostResult], Awaitable[None] | None]


def _payload(size: int) -> bytes:
    return (b"WARDFLUX" * (size // 8 + 1))[:size]


class _Sweep:
    def __init__(self, addresses: list[str], count: int, payload_size: int, privileged) -> None:
        self.addresses = addresses
        self.count = count
        self.results = {a: HostResult(address=a) for a in addresses}
        self.families = {a: ipaddress.ip_address(a).version for a in addresses}
        self.channels: dict[int, IcmpChannel] = {}
        for family in sorted(set(self.families.values())):
            self.channels[family] = IcmpChannel(family, privileged)
        self.run_id = random.randrange(0x10000)
        self.payload = _payload(payload_size)
        self.pending: dict[tuple, tuple[int, int, int]] = {}  # key -> (host, round, sent_ns)
        self.finished_keys: dict[tuple, bool] = {}  # key -> answered (False: timed out)
        self.expiry: collections.deque[tuple[int, tuple]] = collections.deque()
        self.outstanding = [0] * len(addresses)
        self.rounds_done = [0] * len(addresses)
        self.completed: list[HostResult] = []
        self.n_complete = 0
        self.unexpected = 0

    def key(self, channel: IcmpChannel, source: str, ident: int, sequence: int) -> tuple:
        return (source, ident, sequence) if channel.is_raw else (source, sequence)

    def on_reply(self, channel: IcmpChannel, reply, received_ns: int) -> None:
        key = self.key(channel, reply.source, reply.id, reply.sequence)
        entry = self.pending.pop(key, None)
        if entry is None:
            answered = self.finished_keys.get(key)
            if answered is True:
                self.results[key[0]].duplicates += 1
            elif answered is False:
                self.results[key[0]].late_replies += 1
            else:
                self.unexpected += 1  # another process's ping, or an address we never probed
            return
        host, round_no, sent_ns = entry
        result = self.results[self.addresses[host]]
        result.received += 1
        result.rtts_ms.append(max(0, received_ns - sent_ns) / 1e6)
        self.finished_keys[key] = True
        self.resolve(host)

    def resolve(self, host: int) -> None:
        self.outstanding[host] -= 1
        if self.outstanding[host] == 0 and self.rounds_done[host] == self.count:
            result = self.results[self.addresses[host]]
            result.is_complete = True
            self.completed.append(result)
            self.n_complete += 1

    def expire(self, now_ns: int) -> None:
        while self.expiry and self.expiry[0][0] <= now_ns:
            _, key = self.expiry.popleft()
            entry = self.pending.pop(key, None)
            if entry is None:
                continue
            host, round_no, _ = entry
            self.results[self.addresses[host]].lost_rounds.append(round_no)
            self.finished_keys[key] = False
            self.resolve(host)

    async def send_one(self, host: int, round_no: int, timeout_ns: int) -> None:
        address = self.addresses[host]
        channel = self.channels[self.families[address]]
        k = host * self.count + round_no
        ident = (self.run_id + (k >> 16)) & 0xFFFF
        sequence = k & 0xFFFF
        packet = channel.packet(ident, sequence, self.payload)
        key = self.key(channel, address, ident, sequence)
        result = self.results[address]
        self.outstanding[host] += 1
        self.rounds_done[host] += 1
        error = "send buffer full"
        for _ in range(SEND_RETRIES):
            try:
                sent_ns = channel.send(address, packet)
            except BlockingIOError:
                await asyncio.sleep(0.001)
                continue
            except OSError as err:
                error = err.strerror or str(err)
                break
            result.sent += 1
            self.pending[key] = (host, round_no, sent_ns)
            self.expiry.append((sent_ns + timeout_ns, key))
            return
        result.errors.append(error)
        result.lost_rounds.append(round_no)
        self.resolve(host)

    async def send_all(self, interval_s: float, timeout_s: float, rate_pps: float) -> None:
        timeout_ns = int(timeout_s * NS)
        burst = max(1.0, rate_pps / 200)  # at most 5 ms of traffic at once
        tokens, last = burst, time.monotonic()
        start = last
        for round_no in range(self.count):
            delay = start + round_no * interval_s - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            for host in range(len(self.addresses)):
                if tokens < 1:
                    now = time.monotonic()
                    tokens = min(burst, tokens + (now - last) * rate_pps)
                    last = now
                    if tokens < 1:
                        await asyncio.sleep((1 - tokens) / rate_pps)
                        now = time.monotonic()
                        tokens = min(burst, tokens + (now - last) * rate_pps)
                        last = now
                tokens -= 1
                await self.send_one(host, round_no, timeout_ns)


def _normalise(addresses: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(str(ipaddress.ip_address(a)) for a in addresses))


async def sweep(
    addresses: Iterable[str],
    count: int = DEFAULT_COUNT,
    interval_ms: float = DEFAULT_INTERVAL_MS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    rate_pps: float = DEFAULT_RATE_PPS,
    on_result: OnResult | None = None,
    cancel: asyncio.Event | None = None,
    payload_size: int = DEFAULT_PAYLOAD_BYTES,
    privileged: bool | None = None,
) -> dict[str, HostResult]:
    """Echo every address ``count`` times; return results keyed by normalised address.

    ``on_result`` (plain or async function) gets each HostResult as soon as that host is
    finished. ``cancel`` stops the sweep within ~``TICK_S``; unfinished hosts come back with
    ``is_complete=False``. ``privileged``: True raw, False ping socket, None try raw first.
    Raises ClearError when no ICMP socket can be opened, ValueError on a non-IP address.
    """
    if count < 1 or timeout_s <= 0 or rate_pps <= 0 or interval_ms < 0:
        raise ValueError("count >= 1, timeout_s > 0, rate_pps > 0 and interval_ms >= 0")
    normalised = _normalise(addresses)
    if not normalised:
        return {}
    run = _Sweep(normalised, count, payload_size, privileged)
    sender: asyncio.Task | None = None
    total = len(run.addresses) * count
    hard_stop = time.monotonic() + (count - 1) * interval_ms / 1000 + timeout_s
    hard_stop += 2 * total / rate_pps + 5  # safety bound only; normal runs end earlier
    try:
        for channel in run.channels.values():
            channel.start(run.on_reply)
        sender = asyncio.create_task(run.send_all(interval_ms / 1000, timeout_s, rate_pps))
        while run.n_complete < len(run.addresses):
            if cancel is not None and cancel.is_set():
                break
            if time.monotonic() > hard_stop:
                break
            for channel in run.channels.values():
                channel.raise_failure()
            run.expire(time.time_ns())
            await _deliver(run, on_result)
            if run.n_complete < len(run.addresses):
                await asyncio.sleep(TICK_S)
        await _deliver(run, on_result)
    finally:
        if sender is not None and not sender.done():
            sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
        for channel in run.channels.values():
            channel.close()
    return run.results


async def _deliver(run: _Sweep, on_result: OnResult | None) -> None:
    completed, run.completed = run.completed, []
    if on_result is None:
        return
    for result in completed:
        outcome = on_result(result)
        if inspect.isawaitable(outcome):
            await outcome


def sweep_sync(addresses: Iterable[str], **options) -> dict[str, HostResult]:
    """``sweep`` for synchronous callers (Celery tasks, management commands)."""
    return asyncio.run(sweep(addresses, **options))


def ping_one(address: str, timeout_s: float = DEFAULT_TIMEOUT_S, **options) -> float | None:
    """One echo to one address: the RTT in ms, or None when no reply came in time."""
    result = sweep_sync([address], count=1, timeout_s=timeout_s, **options)
    return next(iter(result.values())).min_ms
