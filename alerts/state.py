"""The alert state machine, pure: no database, no clock. The engine feeds it observations.

A series is OK, PENDING (the condition holds, not yet long enough) or FIRING. It fires
once the condition has held `for_seconds` (by sample time) and `for_evaluations`
consecutive observations; it resolves only past the recovery threshold (hysteresis).
Every fire and every recovery is a *flip*; more than `flap_changes` flips within
`flap_window_s` marks the series flapping, and a flapping series holds FIRING until it
settles: no flip for a whole window. Observations not newer than the last one are
ignored, so feeding the same samples twice changes nothing.
"""

import operator as op
from dataclasses import dataclass, replace

OK = "ok"
PENDING = "pending"
FIRING = "firing"

# Events a step may emit, in order.
OPENED = "opened"  # OK -> PENDING
FIRED = "fired"  # -> FIRING
CANCELLED = "cancelled"  # PENDING -> OK without firing
RESOLVED = "resolved"  # FIRING -> OK
FLAPPING_STARTED = "flapping_started"
FLAPPING_ENDED = "flapping_ended"  # settled while still firing

# A pending series fires by time alone only while its last observation is this fresh: one
# that stopped reporting is the no_data rule's business (Prometheus' staleness, 5 minutes).
PROMOTE_MAX_AGE_S = 300.0

COMPARE = {">": op.gt, ">=": op.ge, "<": op.lt, "<=": op.le, "==": op.eq, "!=": op.ne}


@dataclass(frozen=True, slots=True)
class Params:
    operator: str
    threshold: float
    recovery_threshold: float | None = None
    for_seconds: float = 0
    for_evaluations: int = 1
    flap_changes: int = 6
    flap_window_s: float = 900


@dataclass(frozen=True, slots=True)
class Snapshot:
    state: str = OK
    last_ts: float | None = None
    last_value: float | None = None
    pending_since: float | None = None
    evaluations: int = 0
    flips: tuple[float, ...] = ()
    flapping: bool = False
    recovered_since: float | None = None  # FIRING held by flapping while recovered


def is_problem(p: Params, value: float) -> bool:
    return COMPARE[p.operator](value, p.threshold)


def is_recovered(p: Params, value: float) -> bool:
    """Past the recovery threshold (or simply not a problem when there is none)."""
    ref = p.threshold if p.recovery_threshold is None else p.recovery_threshold
    return not COMPARE[p.operator](value, ref)


def step(p: Params, s: Snapshot, ts: float, value: float) -> tuple[Snapshot, tuple[str, ...]]:
    """Feed one observation; return the new snapshot and the events it caused."""
    if s.last_ts is not None and ts <= s.last_ts:
        return s, ()
    base = replace(s, last_ts=ts, last_value=value, flips=_recent(p, s.flips, ts))
    if s.state == OK:
        if not is_problem(p, value):
            return base, ()
        opened = replace(base, state=PENDING, pending_since=ts, evaluations=1)
        return _maybe_fire(p, opened, ts, (OPENED,))
    if s.state == PENDING:
        if not is_problem(p, value):
            return replace(base, state=OK, pending_since=None, evaluations=0), (CANCELLED,)
        return _maybe_fire(p, replace(base, evaluations=s.evaluations + 1), ts, ())
    if is_recovered(p, value):
        return _on_recovered(p, base, ts)
    return _on_problem(p, base, ts)


def settle(p: Params, s: Snapshot, now: float) -> tuple[Snapshot, tuple[str, ...]]:
    """Time passing without samples: a flapping series that stayed recovered resolves."""
    if s.state == FIRING and s.flapping and s.recovered_since is not None:
        if now - s.recovered_since >= p.flap_window_s:
            return _resolve(s), (FLAPPING_ENDED, RESOLVED)
    return s, ()


def promote(p: Params, s: Snapshot, now: float) -> tuple[Snapshot, tuple[str, ...]]:
    """Time passing without samples: a pending series whose `for` has elapsed fires.

    It fires as of the moment it became due (pending since + for_seconds), not `now`, and
    its last observation stays the last one, so the next sample is still evaluated.
    """
    if s.state != PENDING or s.pending_since is None or s.last_ts is None:
        return s, ()
    due = s.pending_since + p.for_seconds
    if now < due or s.evaluations < p.for_evaluations or now - s.last_ts > PROMOTE_MAX_AGE_S:
        return s, ()
    return _maybe_fire(p, s, due, ())


def _maybe_fire(p: Params, s: Snapshot, ts: float, events: tuple) -> tuple[Snapshot, tuple]:
    held_s = ts - (s.pending_since if s.pending_since is not None else ts)
    if held_s < p.for_seconds or s.evaluations < p.for_evaluations:
        return s, events
    flips = (*s.flips, ts)
    flapping = s.flapping or len(flips) > p.flap_changes
    fired = replace(s, state=FIRING, flips=flips, flapping=flapping, recovered_since=None)
    events = (*events, FIRED)
    if flapping and not s.flapping:
        events = (*events, FLAPPING_STARTED)
    return fired, events


def _on_recovered(p: Params, s: Snapshot, ts: float) -> tuple[Snapshot, tuple]:
    events: tuple = ()
    if s.recovered_since is None:
        s = replace(s, flips=(*s.flips, ts), recovered_since=ts)
        if not s.flapping and len(s.flips) > p.flap_changes:
            s = replace(s, flapping=True)
            events = (FLAPPING_STARTED,)
    if not s.flapping:
        return _resolve(s), (*events, RESOLVED)
    if ts - s.recovered_since >= p.flap_window_s:
        return _resolve(s), (*events, FLAPPING_ENDED, RESOLVED)
    return s, events


def _on_problem(p: Params, s: Snapshot, ts: float) -> tuple[Snapshot, tuple]:
    if s.recovered_since is not None:
        return replace(s, flips=(*s.flips, ts), recovered_since=None), ()
    # Flips older than the window were dropped: none left means it settled firing.
    if s.flapping and (not s.flips or ts - s.flips[-1] >= p.flap_window_s):
        return replace(s, flapping=False), (FLAPPING_ENDED,)
    return s, ()


def _resolve(s: Snapshot) -> Snapshot:
    return replace(
        s, state=OK, pending_since=None, evaluations=0, flapping=False, recovered_since=None
    )


def _recent(p: Params, flips: tuple[float, ...], ts: float) -> tuple[float, ...]:
    return tuple(f for f in flips if ts - f < p.flap_window_s)
