"""Persisting what the state machine decided: alert rows move by conditional UPDATEs.

The series row is the claim: a worker first moves AlertSeries from the snapshot it read
to the new one (WHERE last_ts = what it read); only the winner touches the alert rows.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from monitoring.models import Device

from . import delivery, state
from .choices import AlertState, NotificationEvent, SuppressedReason
from .maintenance import to_datetime
from .models import Alert, AlertRule, AlertSeries
from .suppression import suppression_reason


@dataclass
class SeriesWork:
    """One series' observations in this evaluation, and what came of them."""

    rule: AlertRule
    device_id: int
    labels: dict
    labels_key: str
    row: AlertSeries | None
    before: state.Snapshot
    after: state.Snapshot | None = None
    steps: list = field(default_factory=list)  # (ts, value, events, snapshot)


def snapshot_of(row: AlertSeries | None) -> state.Snapshot:
    if row is None:
        return state.Snapshot()
    return state.Snapshot(
        state=row.state,
        last_ts=row.last_ts,
        last_value=row.last_value,
        pending_since=row.pending_since,
        evaluations=row.evaluations,
        flips=tuple(row.flips or ()),
        flapping=row.flapping,
        recovered_since=row.recovered_since,
    )


def needs_write(work: SeriesWork) -> bool:
    after = work.after
    if after is None or after == work.before:
        return False
    if work.row is None:
        # A series that never left OK leaves no trace: nothing to remember.
        return bool(work.steps) or after.state != state.OK
    # Quiet OK samples on a remembered series: nothing to move (saves a write per batch).
    return bool(work.steps) or after.state != state.OK


def persist(work: SeriesWork) -> int:
    """Write one series' outcome; return the number of alert transitions applied."""
    if not needs_write(work):
        return 0
    if not _claim(work):
        return 0  # another worker evaluated this series first
    alert_id = work.row.alert_id
    transitions = 0
    for ts, value, events, snap in work.steps:
        alert_id = _apply(work, alert_id, ts, value, events, snap)
        transitions += len(events)
    if alert_id != work.row.alert_id:
        AlertSeries.objects.filter(pk=work.row.pk).update(alert_id=alert_id)
    if alert_id and work.after.last_value is not None:
        Alert.objects.filter(pk=alert_id).update(last_value=work.after.last_value)
    return transitions


def _fields(s: state.Snapshot) -> dict:
    return {
        "state": s.state,
        "last_ts": s.last_ts,
        "last_value": s.last_value,
        "pending_since": s.pending_since,
        "evaluations": s.evaluations,
        "flips": list(s.flips),
        "flapping": s.flapping,
        "recovered_since": s.recovered_since,
    }


def _claim(work: SeriesWork) -> bool:
    fields = _fields(work.after)
    if work.row is None:
        try:
            with transaction.atomic():
                work.row = AlertSeries.objects.create(
                    rule=work.rule,
                    device_id=work.device_id,
                    labels=work.labels,
                    labels_key=work.labels_key,
                    **fields,
                )
        except IntegrityError:
            return False
        return True
    won = AlertSeries.objects.filter(pk=work.row.pk, last_ts=work.row.last_ts)
    if work.row.last_ts is None:
        won = AlertSeries.objects.filter(pk=work.row.pk, last_ts__isnull=True)
    return bool(won.update(**fields))


def _entry(event: str, ts: float, value: float | None, **extra) -> dict:
    return {"at": to_datetime(ts).isoformat(), "event": event, "value": value, **extra}


def _apply(work: SeriesWork, alert_id, ts, value, events, snap) -> int | None:
    for event in events:
        if event == state.OPENED:
            alert_id = _open(work, ts, value)
        elif event == state.FIRED and alert_id:
            _fire(work, alert_id, ts, value, snap)
        elif event == state.CANCELLED and alert_id:
            Alert.objects.filter(pk=alert_id, state=AlertState.PENDING).delete()
            alert_id = None
        elif event == state.RESOLVED and alert_id:
            _resolve(alert_id, ts, value)
            alert_id = None
        elif event == state.FLAPPING_STARTED and alert_id:
            _set_flapping(alert_id, ts, True)
        elif event == state.FLAPPING_ENDED and alert_id:
            # Settled recovered: it resolves next, so no late firing message.
            _set_flapping(alert_id, ts, False, release=state.RESOLVED not in events)
    return alert_id


def _open(work: SeriesWork, ts: float, value: float) -> int | None:
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=work.rule,
                device_id=work.device_id,
                labels=work.labels,
                labels_key=work.labels_key,
                state=AlertState.PENDING,
                severity=work.rule.severity,
                value=value,
                last_value=value,
                started_at=to_datetime(ts),
                timeline=[_entry(AlertState.PENDING, ts, value)],
            )
    except IntegrityError:
        return None  # an open alert already exists: never two
    return alert.pk


def _fire(work: SeriesWork, alert_id: int, ts: float, value: float, snap) -> None:
    device = Device.objects.get(pk=work.device_id)
    at = to_datetime(ts)
    reason = suppression_reason(device, at, flapping=snap.flapping)
    alert = Alert.objects.get(pk=alert_id)
    timeline = [*alert.timeline, _entry(AlertState.FIRING, ts, value, suppressed=reason or None)]
    won = Alert.objects.filter(pk=alert_id, state=AlertState.PENDING).update(
        state=AlertState.FIRING,
        fired_at=at,
        value=value,
        last_value=value,
        flapping=snap.flapping,
        suppressed=reason,
        notified_firing=not reason,
        timeline=timeline,
    )
    if not won:
        return
    if reason:
        delivery.record_suppressed(alert_id, NotificationEvent.FIRING, reason)
    else:
        delivery.enqueue(alert_id, NotificationEvent.FIRING)


def _resolve(alert_id: int, ts: float, value: float) -> None:
    alert = Alert.objects.get(pk=alert_id)
    timeline = [*alert.timeline, _entry(AlertState.RESOLVED, ts, value)]
    won = Alert.objects.filter(pk=alert_id, state=AlertState.FIRING).update(
        state=AlertState.RESOLVED,
        resolved_at=to_datetime(ts),
        last_value=value,
        flapping=False,
        timeline=timeline,
    )
    if won and alert.notified_firing:
        delivery.enqueue(alert_id, NotificationEvent.RESOLVED)


def _set_flapping(alert_id: int, ts: float, flapping: bool, release: bool = True) -> None:
    alert = Alert.objects.get(pk=alert_id)
    entry = _entry("flapping" if flapping else "settled", ts, None)
    changes = {"flapping": flapping, "timeline": [*alert.timeline, entry]}
    if flapping and not alert.suppressed:
        changes["suppressed"] = SuppressedReason.FLAPPING
    if not flapping and alert.suppressed == SuppressedReason.FLAPPING:
        changes["suppressed"] = ""
    Alert.objects.filter(pk=alert_id).update(**changes)
    if not flapping and release and alert.state == AlertState.FIRING:
        release_firing(alert_id)


def release_firing(alert_id: int) -> None:
    """Send the firing message held back by a suppression that has now lifted (once)."""
    won = Alert.objects.filter(
        pk=alert_id, state=AlertState.FIRING, suppressed="", notified_firing=False
    ).update(notified_firing=True)
    if won:
        delivery.enqueue(alert_id, NotificationEvent.FIRING)
