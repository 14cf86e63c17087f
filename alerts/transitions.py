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
from .suppression import Suppressor


@dataclass
class RunContext:
    """What one evaluation run reads once and shares across its series."""

    suppressor: Suppressor = field(default_factory=Suppressor)
    # device id -> (site, parent id): filled by the caller from its device query.
    devices: dict[int, tuple[str, int | None]] = field(default_factory=dict)
    # Open alerts the run will move, read in one query (see load_alerts); kept current.
    alerts: dict[int, Alert] = field(default_factory=dict)

    def alert(self, alert_id: int) -> Alert:
        if alert_id not in self.alerts:
            self.alerts[alert_id] = Alert.objects.get(pk=alert_id)
        return self.alerts[alert_id]

    def load_alerts(self, works: list["SeriesWork"]) -> None:
        ids = [w.row.alert_id for w in works if w.steps and w.row and w.row.alert_id]
        if ids:
            self.alerts.update(Alert.objects.in_bulk(ids))

    def device(self, device_id: int) -> tuple[str, int | None]:
        if device_id not in self.devices:
            row = Device.objects.filter(pk=device_id).values_list("site", "parent_id").get()
            self.devices[device_id] = row
        return self.devices[device_id]


def channel_ids(rule: AlertRule) -> list[int]:
    # rule.channels is prefetched by load_rules.
    return [c.pk for c in rule.channels.all() if c.enabled]


@dataclass
class SeriesWork:
    """One series' observations in this evaluation, and what came of them."""

    rule: AlertRule
    device_id: int
    labels: dict
    labels_key: str
    row: AlertSeries | None
    before: state.Snapshot
    ctx: RunContext = field(default_factory=RunContext)
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


LIFECYCLE = (state.OPENED, state.RESOLVED, state.CANCELLED)


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
    alert_id = work.row.alert_id if work.row is not None else None
    # When the batch ends with the alert closed, the claim clears the link in the same write.
    lifecycle = [e for *_, events, _ in work.steps for e in events if e in LIFECYCLE]
    closes = bool(lifecycle) and lifecycle[-1] != state.OPENED
    if not _claim(work, clear_alert=closes):
        return 0  # another worker evaluated this series first
    linked = None if closes else alert_id
    transitions = 0
    for ts, value, events, snap in work.steps:
        alert_id = _apply(work, alert_id, ts, value, events, snap)
        transitions += len(events)
    if alert_id != linked:
        AlertSeries.objects.filter(pk=work.row.pk).update(alert_id=alert_id)
    last_step_ts = work.steps[-1][0] if work.steps else None
    if alert_id and work.after.last_value is not None and last_step_ts != work.after.last_ts:
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


def _claim(work: SeriesWork, clear_alert: bool) -> bool:
    fields = _fields(work.after)
    if clear_alert:
        fields["alert_id"] = None
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
            alert_id = _open(work, ts, value, snap if state.FIRED in events else None)
        elif event == state.FIRED and alert_id and state.OPENED not in events:
            _fire(work, alert_id, ts, value, snap)
        elif event == state.CANCELLED and alert_id:
            Alert.objects.filter(pk=alert_id, state=AlertState.PENDING).delete()
            alert_id = None
        elif event == state.RESOLVED and alert_id:
            _resolve(work, alert_id, ts, value)
            alert_id = None
        elif event == state.FLAPPING_STARTED and alert_id:
            _set_flapping(work, alert_id, ts, True)
        elif event == state.FLAPPING_ENDED and alert_id:
            # Settled recovered: it resolves next, so no late firing message.
            _set_flapping(work, alert_id, ts, False, release=state.RESOLVED not in events)
    return alert_id


def _suppression(work: SeriesWork, ts: float, flapping: bool) -> str:
    site, parent_id = work.ctx.device(work.device_id)
    return work.ctx.suppressor.reason(work.device_id, site, parent_id, to_datetime(ts), flapping)


def _after_fire(work: SeriesWork, alert_id: int, reason: str) -> None:
    channels = channel_ids(work.rule)
    if reason:
        delivery.record_suppressed(alert_id, NotificationEvent.FIRING, reason, channels)
    else:
        delivery.enqueue(alert_id, NotificationEvent.FIRING, channels)


def _open(work: SeriesWork, ts: float, value: float, fired: state.Snapshot | None) -> int | None:
    """Create the alert: pending, or straight to firing when it fires on first sight."""
    fields = {"state": AlertState.PENDING}
    timeline = [_entry(AlertState.PENDING, ts, value)]
    reason = ""
    if fired is not None:
        reason = _suppression(work, ts, fired.flapping)
        timeline.append(_entry(AlertState.FIRING, ts, value, suppressed=reason or None))
        fields = {
            "state": AlertState.FIRING,
            "fired_at": to_datetime(ts),
            "flapping": fired.flapping,
            "suppressed": reason,
            "notified_firing": not reason,
        }
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=work.rule,
                device_id=work.device_id,
                labels=work.labels,
                labels_key=work.labels_key,
                severity=work.rule.severity,
                value=value,
                last_value=value,
                started_at=to_datetime(ts),
                timeline=timeline,
                **fields,
            )
    except IntegrityError:
        return None  # an open alert already exists: never two
    work.ctx.alerts[alert.pk] = alert
    if fired is not None:
        _after_fire(work, alert.pk, reason)
    return alert.pk


def _move(work: SeriesWork, alert: Alert, from_state: str | None, **changes) -> bool:
    """Conditional UPDATE (on the state it was read in); the cached copy follows."""
    rows = Alert.objects.filter(pk=alert.pk)
    if from_state is not None:
        rows = rows.filter(state=from_state)
    won = bool(rows.update(**changes))
    if won:
        for key, value in changes.items():
            setattr(alert, key, value)
    return won


def _fire(work: SeriesWork, alert_id: int, ts: float, value: float, snap) -> None:
    reason = _suppression(work, ts, snap.flapping)
    alert = work.ctx.alert(alert_id)
    entry = _entry(AlertState.FIRING, ts, value, suppressed=reason or None)
    won = _move(
        work,
        alert,
        AlertState.PENDING,
        state=AlertState.FIRING,
        fired_at=to_datetime(ts),
        value=value,
        last_value=value,
        flapping=snap.flapping,
        suppressed=reason,
        notified_firing=not reason,
        timeline=[*alert.timeline, entry],
    )
    if won:
        _after_fire(work, alert_id, reason)


def _resolve(work: SeriesWork, alert_id: int, ts: float, value: float) -> None:
    alert = work.ctx.alert(alert_id)
    won = _move(
        work,
        alert,
        AlertState.FIRING,
        state=AlertState.RESOLVED,
        resolved_at=to_datetime(ts),
        last_value=value,
        flapping=False,
        timeline=[*alert.timeline, _entry(AlertState.RESOLVED, ts, value)],
    )
    if won and alert.notified_firing:
        delivery.enqueue(alert_id, NotificationEvent.RESOLVED, channel_ids(work.rule))


def _set_flapping(
    work: SeriesWork, alert_id: int, ts: float, flapping: bool, release: bool = True
) -> None:
    alert = work.ctx.alert(alert_id)
    entry = _entry("flapping" if flapping else "settled", ts, None)
    changes = {"flapping": flapping, "timeline": [*alert.timeline, entry]}
    if flapping and not alert.suppressed:
        changes["suppressed"] = SuppressedReason.FLAPPING
    if not flapping and alert.suppressed == SuppressedReason.FLAPPING:
        changes["suppressed"] = ""
    _move(work, alert, None, **changes)
    if not flapping and release and alert.state == AlertState.FIRING:
        if release_firing(alert_id):
            alert.notified_firing = True


def release_firing(alert_id: int) -> bool:
    """Send the firing message held back by a suppression that has now lifted (once)."""
    won = Alert.objects.filter(
        pk=alert_id, state=AlertState.FIRING, suppressed="", notified_firing=False
    ).update(notified_firing=True)
    if won:
        delivery.enqueue(alert_id, NotificationEvent.FIRING)
    return bool(won)
