"""Traceroute and mtr engine: ICMP echo with rising TTL over one raw socket.

Routers answer with Time Exceeded quoting our request; icmplib's parser pulls the quoted
identifier and sequence out, so replies match on (identifier, sequence) whatever their
source. Needs a raw socket: on Linux a ping (datagram) socket reports Time Exceeded only
through the IP_RECVERR error queue, which icmplib does not read.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from monitoring.icmp.sockets import ECHO_REPLY, UNREACHABLE, ClearError, IcmpChannel

__all__ = ["Hop", "MtrHop", "Tracer", "mtr_cycles", "trace_hops"]

PAYLOAD = b"WARDFLUX-TRACE".ljust(56, b".")
NS = 1_000_000_000


@dataclass(slots=True)
class ProbeReply:
    source: str
    rtt_ms: float
    is_echo_reply: bool
    is_unreachable: bool


@dataclass(slots=True)
class Hop:
    ttl: int
    addresses: list[str] = field(default_factory=list)  # every source seen, first first
    rtts_ms: list[float | None] = field(default_factory=list)  # one per probe, None lost
    is_destination: bool = False
    is_unreachable: bool = False  # a Destination Unreachable came back


@dataclass(slots=True)
class MtrHop:
    ttl: int
    addresses: list[str] = field(default_factory=list)
    sent: int = 0
    received: int = 0
    last_ms: float | None = None
    avg_ms: float | None = None
    best_ms: float | None = None
    worst_ms: float | None = None
    stdev_ms: float | None = None  # population standard deviation
    loss_pct: float = 100.0


class Tracer:
    """Owns the raw socket; sends batches of (ttl) probes and waits for their answers."""

    def __init__(self, address: str, family: int) -> None:
        self.address = address
        self.channel = IcmpChannel(family, privileged=None, with_errors=True)
        if not self.channel.is_raw:
            self.channel.close()
            raise ClearError(
                "traceroute and mtr need a raw ICMP socket (root or CAP_NET_RAW); this "
                "process only has unprivileged ping sockets, which do not deliver Time "
                "Exceeded messages."
            )
        self.ident = random.randrange(0x10000)
        self.next_seq = random.randrange(0x10000)
        self.pending: dict[int, int] = {}  # sequence -> sent_ns
        self.replies: dict[int, ProbeReply] = {}
        self.all_answered = asyncio.Event()

    def on_reply(self, channel: IcmpChannel, reply, received_ns: int) -> None:
        if reply.id != self.ident or reply.sequence not in self.pending:
            return
        is_echo = reply.type == ECHO_REPLY[channel.family]
        if is_echo and reply.source != self.address:
            return  # an echo reply must come from the target itself
        sent_ns = self.pending.pop(reply.sequence)
        self.replies[reply.sequence] = ProbeReply(
            source=reply.source,
            rtt_ms=max(0, received_ns - sent_ns) / 1e6,
            is_echo_reply=is_echo,
            is_unreachable=reply.type == UNREACHABLE[channel.family],
        )
        if not self.pending:
            self.all_answered.set()

    async def probe(self, ttls: list[int], timeout_s: float) -> list[ProbeReply | None]:
        """Send one probe per entry of ``ttls``; return replies in the same order."""
        self.channel.raise_failure()
        self.replies.clear()
        self.all_answered.clear()
        sequences = []
        for ttl in ttls:
            sequence = self.next_seq
            self.next_seq = (self.next_seq + 1) & 0xFFFF
            packet = self.channel.packet(self.ident, sequence, PAYLOAD)
            self.pending[sequence] = self.channel.send(self.address, packet, ttl=ttl)
            sequences.append(sequence)
        try:
            await asyncio.wait_for(self.all_answered.wait(), timeout_s)
        except TimeoutError:
            pass
        self.pending.clear()
        return [self.replies.get(s) for s in sequences]

    def __enter__(self) -> Tracer:
        self.channel.start(self.on_reply)
        return self

    def __exit__(self, *exc: object) -> None:
        self.channel.close()


def _hop(ttl: int, replies: list[ProbeReply | None]) -> Hop:
    hop = Hop(ttl=ttl)
    for reply in replies:
        hop.rtts_ms.append(reply.rtt_ms if reply else None)
        if reply is None:
            continue
        if reply.source not in hop.addresses:
            hop.addresses.append(reply.source)
        hop.is_destination |= reply.is_echo_reply
        hop.is_unreachable |= reply.is_unreachable
    return hop


async def trace_hops(
    address: str, family: int, max_hops: int, probes: int, timeout_s: float
) -> AsyncIterator[Hop]:
    """Yield each hop as soon as its probes are answered or timed out."""
    with Tracer(address, family) as tracer:
        for ttl in range(1, max_hops + 1):
            hop = _hop(ttl, await tracer.probe([ttl] * probes, timeout_s))
            yield hop
            if hop.is_destination or hop.is_unreachable:
                return


def _mtr_stats(ttl: int, samples: list[ProbeReply | None]) -> MtrHop:
    rtts = [s.rtt_ms for s in samples if s is not None]
    hop = MtrHop(ttl=ttl, sent=len(samples), received=len(rtts))
    for sample in samples:
        if sample is not None and sample.source not in hop.addresses:
            hop.addresses.append(sample.source)
    if samples:
        hop.loss_pct = 100.0 * (hop.sent - hop.received) / hop.sent
    if rtts:
        last = samples[-1]
        hop.last_ms = last.rtt_ms if last is not None else None
        hop.avg_ms = statistics.fmean(rtts)
        hop.best_ms, hop.worst_ms = min(rtts), max(rtts)
        hop.stdev_ms = statistics.pstdev(rtts)
    return hop


async def mtr_cycles(
    address: str, family: int, cycles: int, max_hops: int, interval_s: float, timeout_s: float
) -> AsyncIterator[list[MtrHop]]:
    """Probe every TTL once per cycle; yield the cumulative per-hop table after each cycle.

    The path length is learnt from the first TTL at which the target answers; later cycles
    probe only up to it.
    """
    samples: dict[int, list[ProbeReply | None]] = {}
    path_len = max_hops
    with Tracer(address, family) as tracer:
        for cycle in range(cycles):
            started = time.monotonic()
            ttls = list(range(1, path_len + 1))
            replies = await tracer.probe(ttls, timeout_s)
            for ttl, reply in zip(ttls, replies, strict=True):
                samples.setdefault(ttl, []).append(reply)
                if reply is not None and (reply.is_echo_reply or reply.is_unreachable):
                    path_len = min(path_len, ttl)
            yield [_mtr_stats(ttl, samples[ttl]) for ttl in range(1, path_len + 1)]
            if cycle < cycles - 1:
                await asyncio.sleep(max(0.0, interval_s - (time.monotonic() - started)))
