"""Availability state machine for one device: pure, no Django, no I/O.

Rules:
* up after one successful check;
* down only after ``down_after`` consecutive failures (one lost sweep is not an outage);
* unreachable instead of down when the parent (uplink) device is down or unreachable:
  we cannot tell whether the device itself failed, so it must not raise its own alert;
* a device that has not failed enough yet keeps its previous state (unknown stays unknown).

The Django side maps ``Availability`` values onto its ``DeviceStatus`` choices.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Availability", "Transition", "next_availability"]

DEFAULT_DOWN_AFTER = 2


class Availability(enum.StrEnum):
    UNKNOWN = "unknown"
    UP = "up"
    DOWN = "down"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class Transition:
    state: Availability
    consecutive_failures: int
    is_transition: bool  # state differs from the previous one


def next_availability(
    previous: Availability | str,
    consecutive_failures: int,
    is_success: bool,
    down_after: int = DEFAULT_DOWN_AFTER,
    is_parent_down: bool = False,
) -> Transition:
    """Fold one check result into the device state.

    ``consecutive_failures`` is the count before this check; the returned one includes it.
    ``is_parent_down`` is True when the parent is DOWN or UNREACHABLE.
    """
    if down_after < 1:
        raise ValueError("down_after must be at least 1")
    if consecutive_failures < 0:
        raise ValueError("consecutive_failures cannot be negative")
    previous = Availability(previous)
    if is_success:
        return Transition(Availability.UP, 0, previous is not Availability.UP)
    failures = consecutive_failures + 1
    if failures < down_after:
        state = previous
    elif is_parent_down:
        state = Availability.UNREACHABLE
    else:
        state = Availability.DOWN
    return Transition(state, failures, state is not previous)
