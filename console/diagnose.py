"""Diagnostics for the console, as streams of plain events (dicts) the page renders live.

Every probe goes through monitoring.diagnostics / monitoring.icmp (never a shell), and every
stream is bounded in probes and time by the limits below. Events:
  {"kind": "start", ...}, {"kind": "reply"|"hop"|"table", ...}, {"kind": "done", ...},
  {"kind": "problem", "message": ...} when a probe cannot run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
from collections.abc import AsyncIterator

from monitoring import diagnostics as diag
from monitoring.icmp.sockets import ClearError
from monitoring.icmp.sweep import sweep
from monitoring.icmp.trace import mtr_cycles

__all__ = ["TOOLS", "Options", "parse_options", "run"]

TOOLS = ("ping", "traceroute", "mtr")
LIMITS = {"count": (1, 20), "max_hops": (1, 30), "cycles": (1, 20)}
TIMEOUT_S = 1.0
INTERVAL_S = 0.5


@dataclasses.dataclass(frozen=True)
class Options:
    tool: str
    count: int = 4
    max_hops: int = 30
    cycles: int = 5


class BadOption(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def parse_options(params) -> Options:
    tool = params.get("tool", "ping")
    if tool not in TOOLS:
        raise BadOption("tool", f"tool must be one of {', '.join(TOOLS)}")
    values = {}
    for name, (low, high) in LIMITS.items():
        raw = params.get(name, "")
        if raw in ("", None):
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise BadOption(name, f"{name} must be a whole number") from None
        if not low <= values[name] <= high:
            raise BadOption(name, f"{name} must be between {low} and {high}")
    return Options(tool=tool, **values)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


async def _ping(address: str, opts: Options) -> AsyncIterator[dict]:
    rtts: list[float] = []
    for seq in range(1, opts.count + 1):
        result = (await sweep([address], 1, 10, TIMEOUT_S))[address]
        rtt = result.rtts_ms[0] if result.rtts_ms else None
        if rtt is not None:
            rtts.append(rtt)
        yield {"kind": "reply", "seq": seq, "rtt_ms": _ms(rtt), "errors": result.errors}
        if seq < opts.count:
            await asyncio.sleep(INTERVAL_S)
    yield {
        "kind": "done",
        "sent": opts.count,
        "received": len(rtts),
        "loss_pct": round(100.0 * (opts.count - len(rtts)) / opts.count, 1),
        "min_ms": _ms(min(rtts, default=None)),
        "avg_ms": _ms(statistics.fmean(rtts) if rtts else None),
        "max_ms": _ms(max(rtts, default=None)),
    }


def _hop(hop) -> dict:
    data = dataclasses.asdict(hop)
    for key, value in data.items():
        if key.endswith("_ms"):
            data[key] = [_ms(v) for v in value] if isinstance(value, list) else _ms(value)
    return data


async def _traceroute(address: str, opts: Options) -> AsyncIterator[dict]:
    last = None
    async for hop in diag.traceroute_stream(address, opts.max_hops, 3, TIMEOUT_S):
        last = hop
        yield {"kind": "hop", "hop": _hop(hop)}
    yield {"kind": "done", "is_complete": bool(last and last.is_destination)}


async def _mtr(address: str, family: int, opts: Options) -> AsyncIterator[dict]:
    cycle = 0
    async for table in mtr_cycles(address, family, opts.cycles, opts.max_hops, 1.0, TIMEOUT_S):
        cycle += 1
        yield {"kind": "table", "cycle": cycle, "hops": [_hop(h) for h in table]}
    yield {"kind": "done", "cycles": cycle}


async def run(query: str, opts: Options) -> AsyncIterator[dict]:
    """Resolve once, then stream the tool's events; failures end the stream as a problem."""
    try:
        target = diag.resolve(query)
    except ValueError as exc:
        yield {"kind": "problem", "message": str(exc)}
        return
    yield {"kind": "start", "tool": opts.tool, "query": target.query, "address": target.address}
    if opts.tool == "ping":
        stream = _ping(target.address, opts)
    elif opts.tool == "traceroute":
        stream = _traceroute(target.address, opts)
    else:
        stream = _mtr(target.address, target.family, opts)
    try:
        async for event in stream:
            yield event
    except (ClearError, OSError, ValueError) as exc:
        yield {"kind": "problem", "message": str(exc) or type(exc).__name__}
