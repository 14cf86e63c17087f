"""Counter arithmetic: raw SNMP counters to per-second rates. Pure: no Django, no I/O.

Every step works on Python ints (a Counter64 does not fit a float's 53-bit mantissa);
the only float is the final rate, made by one correctly rounded int/int division.
Times are integer milliseconds; sysUpTime is in TimeTicks (1/100 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

COUNTER32_MODULUS = 2**32
COUNTER64_MODULUS = 2**64
TIMETICKS_MODULUS = 2**32  # sysUpTime wraps after ~497 days
TICKS_PER_S = 100
MS_PER_S = 1000
# A counter read a few ms later than our clock says can look a little faster than
# the line: only a rate more than this much above the speed is impossible.
SPEED_MARGIN_PCT = 5
# Tolerance when telling a sysUpTime wrap from a restart (ticks).
UPTIME_WRAP_SLACK_TICKS = 60 * TICKS_PER_S


class Outcome(StrEnum):
    OK = "ok"
    FIRST = "first"  # no previous value yet
    RESET = "reset"  # agent restart or counter discontinuity: no sample
    OVER_SPEED = "over_speed"  # faster than the interface can go: dropped, counted
    AMBIGUOUS = "ambiguous"  # a Counter32 may have wrapped more than once
    NO_TIME = "no_time"  # two reads at the same (or an earlier) instant


@dataclass(frozen=True, slots=True)
class CounterState:
    """One counter read: what the next read's rate is computed from."""

    raw: int
    time_ms: int
    uptime_ticks: int | None = None
    discontinuity: int | None = None  # ifCounterDiscontinuityTime, TimeTicks

    def as_tuple(self) -> tuple:
        return (self.raw, self.time_ms, self.uptime_ticks, self.discontinuity)

    @classmethod
    def from_tuple(cls, data: tuple | list | None) -> CounterState | None:
        if not data or len(data) != 4:
            return None
        return cls(*data)


@dataclass(frozen=True, slots=True)
class Rate:
    value: float | None
    outcome: Outcome


def uptime_went_back(prev: CounterState, cur: CounterState) -> bool:
    """True when the agent restarted between the two reads.

    sysUpTime going back means a restart, unless it wrapped at 2**32 ticks, which
    shows as the new value near (old + elapsed) mod 2**32.
    """
    if prev.uptime_ticks is None or cur.uptime_ticks is None:
        return False
    if cur.uptime_ticks >= prev.uptime_ticks:
        return False
    elapsed_ticks = max(0, (cur.time_ms - prev.time_ms) * TICKS_PER_S // MS_PER_S)
    if prev.uptime_ticks + elapsed_ticks + UPTIME_WRAP_SLACK_TICKS < TIMETICKS_MODULUS:
        return True
    expected = (prev.uptime_ticks + elapsed_ticks) % TIMETICKS_MODULUS
    return abs(cur.uptime_ticks - expected) > UPTIME_WRAP_SLACK_TICKS


def is_reset(prev: CounterState, cur: CounterState) -> bool:
    if (
        prev.discontinuity is not None
        and cur.discontinuity is not None
        and prev.discontinuity != cur.discontinuity
    ):
        return True
    return uptime_went_back(prev, cur)


def counter_delta(prev_raw: int, raw: int, modulus: int) -> int | None:
    """Increase between two reads; one wrap allowed for Counter32.

    A Counter64 never wraps in practice (584 years at 1 Tbit/s), so a decrease
    is a reset the agent did not announce: None.
    """
    if raw >= prev_raw:
        return raw - prev_raw
    if modulus >= COUNTER64_MODULUS:
        return None
    return raw + modulus - prev_raw


def counter_rate(
    prev: CounterState | None,
    cur: CounterState,
    modulus: int,
    *,
    scale: int = 1,
    max_rate: int | None = None,
) -> Rate:
    """Per-second rate of ``scale`` × the counter's increase (scale 8: octets to bits).

    ``max_rate`` is the fastest possible rate in the same unit (bit/s for octets × 8);
    faster is dropped as OVER_SPEED. With it, a Counter32 read so long ago that it
    may have wrapped twice gives AMBIGUOUS instead of a wrong rate.
    """
    if prev is None:
        return Rate(None, Outcome.FIRST)
    if is_reset(prev, cur):
        return Rate(None, Outcome.RESET)
    dt_ms = cur.time_ms - prev.time_ms
    if dt_ms <= 0:
        return Rate(None, Outcome.NO_TIME)
    delta = counter_delta(prev.raw, cur.raw, modulus)
    if delta is None:
        return Rate(None, Outcome.RESET)
    numerator = delta * scale * MS_PER_S  # rate = numerator / dt_ms, all ints so far
    if max_rate:
        if modulus < COUNTER64_MODULUS and max_rate * dt_ms >= modulus * scale * MS_PER_S:
            return Rate(None, Outcome.AMBIGUOUS)
        if numerator * 100 > max_rate * dt_ms * (100 + SPEED_MARGIN_PCT):
            return Rate(None, Outcome.OVER_SPEED)
    return Rate(numerator / dt_ms, Outcome.OK)


def modulus_for(raw: int, known: int | None) -> int:
    """The wrap modulus: the column's known syntax, else guessed from the value's size."""
    if known:
        return known
    return COUNTER32_MODULUS if raw < COUNTER32_MODULUS else COUNTER64_MODULUS


def percent(part: int, whole: int) -> float | None:
    """part/whole × 100 on ints; None when whole is not positive."""
    if whole <= 0:
        return None
    return part * 100 / whole
