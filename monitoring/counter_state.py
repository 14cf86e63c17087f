"""Counter state (previous raw value, its time, sysUpTime) in Django's cache.

Every worker must see the previous read of a counter, whichever worker polled
it last: Redis in production, the database cache on the embedded default.

One cache entry per (device, interval) holds all that poll's counters as
``{counter name: state tuple}``: a device with 20 interfaces has ~100 counters, and
one key per counter cost one EXPIRE (Redis) or one row (database) each per poll.
Polls of one (device, interval) never run at once (poll_state's lock), so the
read-modify-write of its entry cannot lose an update; different intervals of a
device keep different entries, and poll-now (interval None) reads the scheduled
ones too but writes only its own. A batch of polls reads and writes all its
entries in one get_many and one set_many.
"""

from collections.abc import Iterable

from django.core.cache import cache

from monitoring.snmp.values import CounterState

KEY_PREFIX = "wf:ctrs"
MIN_TTL_S = 3600
TTL_INTERVALS = 10  # a state older than ten polls is not worth a rate

DeviceStates = dict[str, CounterState]


def device_key(device_id: int, interval: int | None) -> str:
    """Cache key of one device's counters polled at this interval (None: poll-now)."""
    return f"{KEY_PREFIX}:{device_id}:{'now' if interval is None else interval}"


def read_keys(device_id: int, interval: int | None, scheduled: Iterable[int] = ()) -> list[str]:
    """The entries a poll reads: its own, and for poll-now the scheduled intervals' too."""
    keys = [device_key(device_id, interval)]
    if interval is None:
        keys += [device_key(device_id, i) for i in scheduled]
    return keys


def load(keys: Iterable[str]) -> dict[str, DeviceStates]:
    found = cache.get_many(list(dict.fromkeys(keys)))
    loaded = {}
    for key, data in found.items():
        if not isinstance(data, dict):
            continue
        states = {}
        for name, values in data.items():
            state = CounterState.from_tuple(values)
            if state is not None:
                states[name] = state
        loaded[key] = states
    return loaded


def merged(loaded: dict[str, DeviceStates], keys: Iterable[str]) -> DeviceStates:
    """One device's previous reads from its entries; the latest read of a counter wins."""
    previous: DeviceStates = {}
    for key in keys:
        for name, state in loaded.get(key, {}).items():
            if name not in previous or state.time_ms > previous[name].time_ms:
                previous[name] = state
    return previous


def save(entries: dict[str, DeviceStates], interval_s: int | None) -> None:
    entries = {key: states for key, states in entries.items() if states}
    if not entries:
        return
    ttl = max(MIN_TTL_S, (interval_s or 60) * TTL_INTERVALS)
    cache.set_many(
        {key: {n: s.as_tuple() for n, s in states.items()} for key, states in entries.items()},
        timeout=ttl,
    )
