"""Counter state (previous raw value, its time, sysUpTime) in Django's cache.

Every worker must see the previous read of a counter, whichever worker polled
it last: Redis in production, the database cache on the embedded default. One
get_many and one set_many per poll.
"""

from collections.abc import Iterable
from urllib.parse import quote

from django.core.cache import cache

from monitoring.snmp.values import CounterState

KEY_PREFIX = "wf:ctr"
MIN_TTL_S = 3600
TTL_INTERVALS = 10  # a state older than ten polls is not worth a rate


def state_key(device_id: int, counter: str) -> str:
    """Cache key of one counter of one device; ``counter`` is free text (ifName...)."""
    return f"{KEY_PREFIX}:{device_id}:{quote(counter, safe='.:')}"


def load_states(keys: Iterable[str]) -> dict[str, CounterState]:
    found = cache.get_many(list(keys))
    states = {}
    for key, data in found.items():
        state = CounterState.from_tuple(data)
        if state is not None:
            states[key] = state
    return states


def save_states(states: dict[str, CounterState], interval_s: int) -> None:
    if not states:
        return
    ttl = max(MIN_TTL_S, interval_s * TTL_INTERVALS)
    cache.set_many({key: state.as_tuple() for key, state in states.items()}, timeout=ttl)
