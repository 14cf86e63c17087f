"""The alert engine: turns samples and device conditions into alert transitions.

`evaluate_samples` runs right after a batch is written (hooked into the metrics store);
`evaluate_conditions` runs periodically for conditions read from devices (down, SNMP
unreachable), missing data, and time passing (flapping settling, suppressions lifting);
`promote_pending` runs more often and fires pending alerts whose `for` has elapsed.
Both group observations per series, run the pure state machine (state.py) in memory and
write only series that changed, so a quiet batch costs a handful of reads.
"""

import time
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from monitoring.metrics.samples import Sample

from . import snapshot, state
from .choices import AlertState, BuiltinCondition, SuppressedReason
from .conditions import condition_observations, touch_last_seen
from .maintenance import to_datetime
from .models import Alert, AlertRule, AlertSeries
from .persist import RunContext, persist, release_firing
from .scope import (
    IF_ADMIN_STATUS,
    IF_OPER_STATUS,
    labels_key,
    load_rules,
    params_for,
    sample_metric,
    series_labels,
)
from .suppression import Suppressor
from .transitions import SeriesWork, snapshot_of

# IF-MIB ifOperStatus (RFC 2863): up(1), down(2), lowerLayerDown(7); 0 is a poller's "down".
IF_DOWN_VALUES = frozenset({0.0, 2.0, 7.0})
IF_ADMIN_UP = 1.0

# (rule id, device id, labels key) -> (labels, [(ts, value), ...])
Observations = dict[tuple[int, int, str], tuple[dict, list[tuple[float, float]]]]


def evaluate_samples(samples: Iterable[Sample]) -> int:
    """Evaluate the rules a batch of samples touches; return the transitions applied."""
    samples = list(samples)
    snap = snapshot.current()
    rules = snap.rules
    touch_last_seen(rules, samples)
    by_metric: dict[str, list[AlertRule]] = defaultdict(list)
    for rule in rules:
        metric = sample_metric(rule)
        if metric:
            by_metric[metric].append(rule)
    if not by_metric:  # no rule reads samples: nothing to look through
        return 0
    relevant = [s for s in samples if s.name in by_metric]
    if not relevant:
        return 0
    touched = {r.pk: r for name in {s.name for s in relevant} for r in by_metric[name]}
    scopes = {pk: snap.scopes[pk] for pk in touched}
    facts = snap.device_facts({s.labels.get("device") for s in relevant})
    admin_down = _admin_down(samples)
    observations: Observations = {}
    keys: dict[tuple, str] = {}
    for s in relevant:
        device = facts.get(s.labels.get("device"))
        if device is None:
            continue
        labels = series_labels(s.labels)
        lkey = keys.get(frozenset(labels.items())) if labels else ""
        if lkey is None:
            lkey = keys[frozenset(labels.items())] = labels_key(labels)
        for rule in by_metric[s.name]:
            if not scopes[rule.pk].covers(device):
                continue
            value = _observed(rule, s, admin_down)
            observations.setdefault((rule.pk, device.pk, lkey), (labels, []))[1].append(
                (s.timestamp, value)
            )
    ctx = RunContext(devices={f.pk: (f.site, f.parent_id) for f in facts.values()})
    return run(rules, observations, ctx)


def evaluate_conditions(now: float | None = None) -> int:
    """Periodic: built-in device conditions, missing data, flapping settling, suppressions."""
    now = time.time() if now is None else now
    rules = load_rules()
    observations: Observations = {}
    for rule in rules:
        if rule.metric in (
            BuiltinCondition.DEVICE_DOWN,
            BuiltinCondition.SNMP_UNREACHABLE,
            BuiltinCondition.NO_DATA,
        ):
            for device_id, value in condition_observations(rule, now):
                observations[(rule.pk, device_id, "")] = ({}, [(now, value)])
    transitions = run(rules, observations)
    transitions += settle_flapping(rules, now)
    recheck_suppressed(now)
    return transitions


def run(rules: list[AlertRule], observations: Observations, ctx: RunContext | None = None) -> int:
    """Feed each series its observations in time order and persist what changed."""
    if not observations:
        return 0
    rules_by_id = {r.pk: r for r in rules}
    params = {r.pk: params_for(r) for r in rules}
    rule_ids = {k[0] for k in observations}
    device_ids = {k[1] for k in observations}
    rows = {
        (row.rule_id, row.device_id, row.labels_key): row
        for row in AlertSeries.objects.filter(rule_id__in=rule_ids, device_id__any_in=device_ids)
    }
    works = []
    # Sorted by series key: every worker locks series rows in the same order (no deadlocks).
    for key, (labels, points) in sorted(observations.items(), key=lambda kv: kv[0]):
        row = rows.get(key)
        if row is None and not _any_problem(params[key[0]], points):
            continue  # the common case: a healthy series with nothing to remember
        work = SeriesWork(rules_by_id[key[0]], key[1], labels, key[2], row, snapshot_of(row))
        snap = work.before
        for ts, value in sorted(points):
            snap, events = state.step(params[key[0]], snap, ts, value)
            if events:
                work.steps.append((ts, value, events, snap))
        work.after = snap
        works.append(work)
    return persist(works, ctx)


def settle_flapping(rules: list[AlertRule], now: float) -> int:
    rules_by_id = {r.pk: r for r in rules}
    params = {r.pk: params_for(r) for r in rules}
    held = AlertSeries.objects.filter(
        state=state.FIRING, flapping=True, recovered_since__isnull=False, rule_id__in=params
    )
    works = []
    for row in held:
        before = snapshot_of(row)
        after, events = state.settle(params[row.rule_id], before, now)
        if events:
            works.append(_timed_work(rules_by_id[row.rule_id], row, before, after, now, events))
    return persist(works)


def promote_pending(now: float | None = None) -> int:
    """Periodic: pending alerts whose `for` has elapsed fire without waiting for a sample.

    Otherwise a rule with for_seconds fires only when the series' next sample arrives,
    up to a whole polling interval late.
    """
    now = time.time() if now is None else now
    rows = list(
        AlertSeries.objects.filter(
            state=state.PENDING,
            rule__enabled=True,
            rule__for_seconds__gt=0,
            last_ts__gte=now - state.PROMOTE_MAX_AGE_S,
        )
    )
    if not rows:
        return 0
    rules = {r.pk: r for r in load_rules()}
    works = []
    for row in rows:
        rule = rules.get(row.rule_id)
        if rule is None:
            continue
        before = snapshot_of(row)
        after, events = state.promote(params_for(rule), before, now)
        if events:
            due = before.pending_since + rule.for_seconds
            works.append(_timed_work(rule, row, before, after, due, events))
    return persist(works)


def _timed_work(rule: AlertRule, row: AlertSeries, before, after, ts: float, events) -> SeriesWork:
    """One step a series takes because time passed (no new value): settling, promotion."""
    work = SeriesWork(rule, row.device_id, row.labels, row.labels_key, row, before)
    work.after = after
    work.steps.append((ts, before.last_value, events, after))
    return work


def recheck_suppressed(now: float) -> None:
    """Lift parent-down and maintenance suppressions that no longer hold (and send then)."""
    at = to_datetime(now)
    held = Alert.objects.filter(
        state=AlertState.FIRING,
        suppressed__in=[SuppressedReason.PARENT_DOWN, SuppressedReason.MAINTENANCE],
    ).select_related("device")
    suppressor = Suppressor()
    for alert in held:
        d = alert.device
        reason = suppressor.reason(d.pk, d.site, d.parent_id, at, flapping=alert.flapping)
        if reason == alert.suppressed:
            continue
        with transaction.atomic():
            Alert.objects.filter(pk=alert.pk, suppressed=alert.suppressed).update(suppressed=reason)
            if not reason:
                release_firing(alert.pk)


def _any_problem(params: state.Params, points: list[tuple[float, float]]) -> bool:
    return any(state.is_problem(params, v) for _, v in points)


def _observed(rule: AlertRule, s: Sample, admin_down: set) -> float:
    if rule.metric != BuiltinCondition.INTERFACE_DOWN:
        return float(s.value)
    if (s.labels.get("device"), labels_key(series_labels(s.labels))) in admin_down:
        return 0.0  # shut down on purpose: not a problem
    return 1.0 if float(s.value) in IF_DOWN_VALUES else 0.0


def _admin_down(samples: list[Sample]) -> set[tuple[str, str]]:
    return {
        (s.labels.get("device"), labels_key(series_labels(s.labels)))
        for s in samples
        if s.name == IF_ADMIN_STATUS and float(s.value) != IF_ADMIN_UP
    }


__all__ = ["IF_OPER_STATUS", "evaluate_conditions", "evaluate_samples", "promote_pending", "run"]
