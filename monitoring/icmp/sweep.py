"""One-socket ICMP echo sweep: many hosts, paced sends, one receive loop.

icmplib's ``async_multiping`` opens one socket per host; with thousands of hosts each reply
is copied to every raw socket and the receive buffers overflow, so replies get lost. Here one
socket per address family sends every request, paced by a token bucket, and one reader
matches each reply to its (address, round):

* raw sockets: (source, identifier, sequence); the identifier is random per run.
* unprivileged ping sockets: the kernel rewrites the identifier and only delivers replies
  to our own socket, so (source, sequence).

Request number ``k = host_index * count + round`` gives sequence ``k & 0xFFFF`` and, on raw
sockets, identifier ``run_id + (k >> 16)``: unique per (host, round) for any sweep size.
The source gives the host, then ``(sequence - host * count) mod 2**16`` the round, so a
reply is matched by arithmetic and one dict lookup, with no table of pending requests.

Where the time goes at 10,000 loopback hosts is the kernel's work in ``sendto`` (loopback
answers the echo inside the call) and ``recvmsg``; the Python around them is kept to a few
microseconds a packet: packets from a precomputed template, bursts sent in a plain loop,
replies read in the same loop between bursts (the receive queue never grows to overflow),
and the sweep ends the moment the last host is resolved.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import ipaddress
import random
import socket
import time
from collections.abc import Awaitable, Callable, Iterable

from monitoring.icmp.results import HostResult
from monitoring.icmp.sockets import DRAIN_MAX_PACKETS, IcmpChannel

__all__ = ["HostResult", "OnResult", "ping_one", "sweep", "sweep_sync"]

DEFAULT_COUNT = 3
DEFAULT_INTERVAL_MS = 1000  # between the rounds sent to one host
DEFAULT_TIMEOUT_S = 1.0  # per request
# The pacing cap of every sweep (the ICMP monitor and discovery; setting ICMP_RATE_PPS).
# 100,000 echo requests a second with a 56-byte payload are 118 bytes each on Ethernet
# (headers, preamble and gap): ~94 Mbit/s, a tenth of the gigabit port a poller sits on,
# in bursts of at most BURST_S (500 packets, 59 KB: far below a switch port's buffer).
# A 500-device monitor batch leaves in one burst; a /16 discovery in 0.65 s. For
# comparison fping -i0 does not pace at all, and fping's default (-i10) is 100 pps.
# Behind a slow WAN link lower it to the link's share: 10 Mbit/s ~ ICMP_RATE_PPS=10000.
DEFAULT_RATE_PPS = 100_000
DEFAULT_PAYLOAD_BYTES = 56
BURST_S = 0.005  # the token bucket holds 5 ms of sending: bursts of rate_pps / 200 ...
# ... and never more than 500 packets: a raw socket's packets dropped by a full qdisc are
# dropped silently (no IP_RECVERR), and the shortest default queue (txqueuelen) is 1,000.
MAX_BURST_PACKETS = 500
TICK_S = 0.02  # supervisor period: expiry, callbacks and cancel latency
SEND_RETRIES = 200  # BlockingIOError retries (1 ms apart) before a send counts as failed
READ_BATCHES = 64  # of DRAIN_MAX_PACKETS per read_replies call: up to 32,768 replies
NS = 1_000_000_000
UNSENT, PENDING, ANSWERED, LOST = range(4)  # state of one request

OnResult = Callable[[HostResult], Awaitable[None] | None]


def _payload(size: int) -> bytes:
    return (b"WARDFLUX" * (size // 8 + 1))[:size]


class _TokenBucket:
    """Send pacing: ``rate`` packets a second on average, at most ``burst`` back to back.

    Refilled from the monotonic clock whenever asked, so a sleep that overshoots (the
    event loop sleeps in whole milliseconds) is made up by the next burst, up to ``burst``.
    """

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, max(1.0, burst)
        self.tokens, self.last = self.burst, time.monotonic()

    def take(self, wanted: int) -> int:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        granted = min(wanted, int(self.tokens))
        self.tokens -= granted
        return granted

    def give_back(self, unused: int) -> None:
        self.tokens += unused

    def wait_s(self) -> float:
        return max(0.0, 1 - self.tokens) / self.rate


class _Sweep:
    """State of one sweep, in flat per-request arrays (request ``k = host * count + round``).

    Replies are matched without a table of pending keys: the source address gives the host,
    the sequence gives the round, and on raw sockets the identifier must be this run's.
    Whether a reply is in time is judged by its kernel receive stamp, so a busy event loop
    never turns a reply that arrived in time into a loss.
    """

    def __init__(
        self,
        addresses: list[str],
        count: int,
        payload_size: int,
        privileged,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.addresses = addresses
        self.count = count
        self.timeout_ns = int(timeout_s * NS)
        self.index = {a: i for i, a in enumerate(addresses)}
        self.host_results = [HostResult(address=a) for a in addresses]
        self.results = dict(zip(addresses, self.host_results, strict=True))
        families = [6 if ":" in a else 4 for a in addresses]
        self.channels: dict[int, IcmpChannel] = {}
        for family in sorted(set(families)):
            self.channels[family] = IcmpChannel(family, privileged)
        payload = _payload(payload_size)
        ways = {
            f: (c.sock.sendto, c.template(payload).packet, c.is_raw)
            for f, c in self.channels.items()
        }
        self.way = [ways[f] for f in families]  # per host: (sendto, build packet, is_raw)
        self.run_id = random.randrange(0x10000)
        n_requests = len(addresses) * count
        self.state = bytearray(n_requests)  # UNSENT, PENDING, ANSWERED, LOST
        self.sent_ns = [0] * n_requests
        self.expiry: collections.deque[tuple[int, int]] = collections.deque()  # (deadline, k)
        self.remaining = [count] * len(addresses)  # requests of each host not yet resolved
        self.completed: list[HostResult] = []
        self.n_complete = 0
        self.unexpected = 0
        self.all_done: asyncio.Event | None = None

    def ident(self, k: int) -> int:
        return (self.run_id + (k >> 16)) & 0xFFFF

    def on_echo(self, source: str, ident: int, sequence: int, received_ns: int) -> None:
        host = self.index.get(source)
        if host is None:
            self.unexpected += 1  # an address we never probed
            return
        round_no = (sequence - host * self.count) & 0xFFFF
        k = host * self.count + round_no
        if round_no >= self.count or (self.way[host][2] and ident != self.ident(k)):
            self.unexpected += 1  # another process's ping to one of our hosts
            return
        state = self.state[k]
        result = self.host_results[host]
        if state == PENDING:
            rtt_ns = received_ns - self.sent_ns[k]
            if rtt_ns > self.timeout_ns:
                self.lose(host, k, round_no)
                result.late_replies += 1
                return
            self.state[k] = ANSWERED
            result.received += 1
            result.rtts_ms.append(max(0, rtt_ns) / 1e6)
            self.resolve(host)
        elif state == ANSWERED:
            result.duplicates += 1
        elif state == LOST:
            result.late_replies += 1
        else:
            self.unexpected += 1  # a round we have not sent: not ours

    def lose(self, host: int, k: int, round_no: int) -> None:
        self.state[k] = LOST
        self.host_results[host].lost_rounds.append(round_no)
        self.resolve(host)

    def resolve(self, host: int) -> None:
        self.remaining[host] -= 1
        if self.remaining[host] == 0:
            result = self.host_results[host]
            result.is_complete = True
            self.completed.append(result)
            self.n_complete += 1
            if self.n_complete == len(self.addresses) and self.all_done is not None:
                self.all_done.set()

    def read_replies(self) -> None:
        """Take the replies the kernel has queued (called between bursts and before expiry).

        Bounded, so a flood of foreign ICMP cannot hold the sender here forever.
        """
        for channel in self.channels.values():
            for _ in range(READ_BATCHES):
                if channel.read_echoes(self.on_echo, DRAIN_MAX_PACKETS) < DRAIN_MAX_PACKETS:
                    break

    def expire(self, now_ns: int) -> None:
        """Count as lost every request whose deadline passed; read the socket first."""
        if not self.expiry or self.expiry[0][0] > now_ns:
            return
        self.read_replies()  # a reply stamped before now_ns is queued by now: count it
        while self.expiry and self.expiry[0][0] <= now_ns:
            _, k = self.expiry.popleft()
            if self.state[k] == PENDING:
                self.lose(k // self.count, k, k % self.count)

    def send_range(self, first: int, stop: int, round_no: int) -> tuple[int, str | None]:
        """Send ``round_no`` to hosts ``first``..``stop - 1`` without yielding.

        Returns the next host to send to and, if the send buffer was full, "full".
        """
        count, timeout_ns, state, sent_ns = self.count, self.timeout_ns, self.state, self.sent_ns
        expiry, way, addresses, results = self.expiry, self.way, self.addresses, self.host_results
        clock = time.time_ns
        for host in range(first, stop):
            k = host * count + round_no
            sendto, build, _ = way[host]
            packet = build((self.run_id + (k >> 16)) & 0xFFFF, k & 0xFFFF)
            try:
                sent = clock()
                sendto(packet, (addresses[host], 0))
            except BlockingIOError:
                return host, "full"
            except OSError as err:
                results[host].errors.append(err.strerror or str(err))
                self.lose(host, k, round_no)
                continue
            state[k] = PENDING
            sent_ns[k] = sent
            expiry.append((sent + timeout_ns, k))
            results[host].sent += 1
        return stop, None

    async def send_all(self, interval_s: float, rate_pps: float) -> None:
        bucket = _TokenBucket(rate_pps, min(rate_pps * BURST_S, MAX_BURST_PACKETS))
        n = len(self.addresses)
        start = time.monotonic()
        for round_no in range(self.count):
            delay = start + round_no * interval_s - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            host, full_retries = 0, 0
            while host < n:
                granted = bucket.take(n - host)
                if granted == 0:
                    await asyncio.sleep(bucket.wait_s())
                    continue
                host_after, full = self.send_range(host, host + granted, round_no)
                bucket.give_back(host + granted - host_after)
                full_retries = 0 if host_after > host else full_retries  # counts a stuck send
                host = host_after
                self.read_replies()
                if full is None:
                    await asyncio.sleep(0)  # let the reader, the supervisor and callbacks run
                    continue
                full_retries += 1
                if full_retries > SEND_RETRIES:  # the kernel keeps refusing: give this one up
                    k = host * self.count + round_no
                    self.host_results[host].errors.append("send buffer full")
                    self.lose(host, k, round_no)
                    host, full_retries = host + 1, 0
                await asyncio.sleep(0.001)


def _normalise(addresses: Iterable) -> list[str]:
    """Canonical text of each address, without duplicates; ValueError on a non-address.

    IPv4 text goes through inet_pton/inet_ntop (strict like ipaddress: no leading zeros,
    no short forms) because ipaddress costs ~10 us an address, a tenth of a sweep's time
    at 10,000 hosts; IPv6 and non-text go through ipaddress.
    """
    seen: dict[str, None] = {}
    pton, ntop, inet = socket.inet_pton, socket.inet_ntop, socket.AF_INET
    for address in addresses:
        try:
            seen[ntop(inet, pton(inet, address))] = None
        except (OSError, TypeError):
            seen[str(ipaddress.ip_address(address))] = None
    return list(seen)


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
    run = _Sweep(normalised, count, payload_size, privileged, timeout_s)
    run.all_done = asyncio.Event()
    sender: asyncio.Task | None = None
    total = len(run.addresses) * count
    hard_stop = time.monotonic() + (count - 1) * interval_ms / 1000 + timeout_s
    hard_stop += 2 * total / rate_pps + 5  # safety bound only; normal runs end earlier
    try:
        for channel in run.channels.values():
            channel.start_echoes(run.on_echo)
        sender = asyncio.create_task(run.send_all(interval_ms / 1000, rate_pps))
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
                # Wake at once when the last host is resolved: no tick wasted at the end.
                try:
                    await asyncio.wait_for(run.all_done.wait(), TICK_S)
                except TimeoutError:
                    pass
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
