"""Per-process copies of the enabled rules and the devices' scope facts, for the hot path.

`evaluate_samples` runs after every batch the metrics store writes. Reading the enabled
rules with their scopes and channels (five queries) and the batch's devices (one to three)
was ~20 ms of a 1,000-sample storm batch (bench/alert_latency.py), for data an operator
changes a few times a day. So each process keeps both in memory and reads them again when

- the generation token in Django's shared cache (Redis in production, the database cache
  on the embedded default, so every worker sees it) has changed: signals set a new token
  after every commit that saved, deleted or re-linked a rule, a channel, a device, its tags
  or its items; the token is unique (not a counter), so a value that vanished with a
  rolled-back cache row cannot come back equal;
- or MAX_AGE_S has passed, which bounds how long a change made without signals (a
  queryset ``update()``, ``bulk_create`` of items, raw SQL) goes unseen.

A process reads the token at most once every CHECK_INTERVAL_S, not once per batch: a
worker writing many small batches (one device's poll each) paid a cache read for each,
~1 ms on the database cache. A change committed in this process drops its own snapshot at
once; other processes see it within CHECK_INTERVAL_S, well inside any poll interval. The
periodic passes (conditions, promotion, preview) read the database as before: they are
not hot.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from .scope import DeviceFacts, RuleScope, device_facts, load_rules

GENERATION_KEY = "alerts:snapshot:generation"
MAX_AGE_S = 30.0
CHECK_INTERVAL_S = 1.0


@dataclass
class Snapshot:
    generation: str | None
    loaded_at: float
    rules: list = field(default_factory=list)
    scopes: dict[int, RuleScope] = field(default_factory=dict)
    devices: dict[str, DeviceFacts] | None = None  # by name, read on first use
    checked_at: float = 0.0  # when the generation token was last read

    def device_facts(self, names) -> dict[str, DeviceFacts]:
        if self.devices is None:
            self.devices = device_facts(None, list(self.scopes.values()))
        devices = self.devices
        return {name: devices[name] for name in names if name in devices}


_current: Snapshot | None = None


def current() -> Snapshot:
    """The snapshot to evaluate a batch with, read again when stale."""
    global _current
    now = time.monotonic()
    snap = _current
    fresh = snap is not None and now - snap.loaded_at <= MAX_AGE_S
    if fresh and now - snap.checked_at < CHECK_INTERVAL_S:
        return snap
    generation = cache.get(GENERATION_KEY)
    if not fresh or snap.generation != generation:
        rules = load_rules()
        snap = Snapshot(generation, now, rules, {r.pk: RuleScope.of(r) for r in rules})
        _current = snap
    snap.checked_at = now
    return snap


def forget() -> None:
    """Drop this process's snapshot (tests: the database they were read from is gone)."""
    global _current
    _current = None


def changed(**_kwargs) -> None:
    """Signal receiver: after the commit, tell every process to read again (this one at
    once, the others at their next check)."""

    def announce() -> None:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
        forget()

    transaction.on_commit(announce)
