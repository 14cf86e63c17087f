"""What the state machine's events do to alert rows, decided in memory for a whole run.

Nothing here queries the database: persist.py locks and loads what a run needs (the
series rows, the open alerts it moves, the suppression context) and then writes the
Plan built here with a fixed number of queries, however many alerts move.
"""

from dataclasses import dataclass, field

from . import state
from .choices import AlertState, NotificationEvent, SuppressedReason
from .maintenance import to_datetime
from .models import Alert, AlertRule, AlertSeries


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
    alert: Alert | None = None  # the series' open alert once the run is applied

    def fires(self) -> bool:
        return any(state.FIRED in events for _, _, events, _ in self.steps)


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


def series_fields(s: state.Snapshot) -> dict:
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


def needs_write(work: SeriesWork) -> bool:
    after = work.after
    if after is None or after == work.before:
        return False
    # A series that never left OK leaves no trace, and quiet OK samples on a remembered
    # series move nothing (saves a write per batch).
    return bool(work.steps) or after.state != state.OK


def channel_ids(rule: AlertRule) -> list[int]:
    # rule.channels is prefetched by whoever loaded the rule.
    return [c.pk for c in rule.channels.all() if c.enabled]


def _entry(event: str, ts: float, value: float | None, **extra) -> dict:
    return {"at": to_datetime(ts).isoformat(), "event": event, "value": value, **extra}


@dataclass
class Plan:
    """Every row a run creates, changes or deletes, and every message it sends."""

    # device id, ts, flapping -> suppression reason ('' when none); preloaded by the caller.
    suppression: object
    new_alerts: list[Alert] = field(default_factory=list)
    changed: dict[int, Alert] = field(default_factory=dict)
    changed_fields: set[str] = field(default_factory=set)
    cancelled: list[int] = field(default_factory=list)
    suppressed: list[tuple[Alert, str, str, list[int]]] = field(default_factory=list)
    sends: list[tuple[Alert, str, list[int]]] = field(default_factory=list)

    def change(self, alert: Alert, **changes) -> None:
        for key, value in changes.items():
            setattr(alert, key, value)
        if not alert._state.adding:  # a new alert is inserted with its final fields
            self.changed[alert.pk] = alert
            self.changed_fields.update(changes)

    def apply(self, work: SeriesWork, alert: Alert | None) -> int:
        """Apply one series' events to its open alert (None: none); return the events."""
        transitions = 0
        for ts, value, events, snap in work.steps:
            for event in events:
                alert = self._event(work, alert, event, events, ts, value, snap)
            transitions += len(events)
        last = work.after.last_value
        if alert is not None and last is not None and alert.last_value != last:
            self.change(alert, last_value=last)
        work.alert = alert
        return transitions

    def _event(self, work, alert, event, events, ts, value, snap) -> Alert | None:
        if event == state.OPENED:
            return self._open(work, ts, value, snap if state.FIRED in events else None)
        if alert is None:
            return None
        if event == state.FIRED:
            self._fire(work, alert, ts, value, snap)
        elif event == state.CANCELLED:
            self._cancel(alert)
            return None
        elif event == state.RESOLVED:
            self._resolve(work, alert, ts, value)
            return None
        elif event == state.FLAPPING_STARTED:
            self._set_flapping(work, alert, ts, True)
        elif event == state.FLAPPING_ENDED:
            # Settled recovered: it resolves next, so no late firing message.
            self._set_flapping(work, alert, ts, False, release=state.RESOLVED not in events)
        return alert

    def _after_fire(self, work: SeriesWork, alert: Alert, reason: str) -> None:
        channels = channel_ids(work.rule)
        if reason:
            self.suppressed.append((alert, NotificationEvent.FIRING, reason, channels))
        else:
            self.sends.append((alert, NotificationEvent.FIRING, channels))

    def _open(self, work: SeriesWork, ts: float, value: float, fired) -> Alert:
        """A new alert: pending, or straight to firing when it fires on first sight."""
        alert = Alert(
            rule=work.rule,
            device_id=work.device_id,
            labels=work.labels,
            labels_key=work.labels_key,
            severity=work.rule.severity,
            state=AlertState.PENDING,
            value=value,
            last_value=value,
            started_at=to_datetime(ts),
            timeline=[_entry(AlertState.PENDING, ts, value)],
        )
        self.new_alerts.append(alert)
        if fired is not None:
            self._fire(work, alert, ts, value, fired)
        return alert

    def _fire(self, work: SeriesWork, alert: Alert, ts: float, value: float, snap) -> None:
        if alert.state != AlertState.PENDING:
            return  # moved by someone else since the series read it
        reason = self.suppression(work.device_id, ts, snap.flapping)
        entry = _entry(AlertState.FIRING, ts, value, suppressed=reason or None)
        self.change(
            alert,
            state=AlertState.FIRING,
            fired_at=to_datetime(ts),
            value=value,
            last_value=value,
            flapping=snap.flapping,
            suppressed=reason,
            notified_firing=not reason,
            timeline=[*alert.timeline, entry],
        )
        self._after_fire(work, alert, reason)

    def _cancel(self, alert: Alert) -> None:
        if alert._state.adding:
            self.new_alerts.remove(alert)
        elif alert.state == AlertState.PENDING:
            self.changed.pop(alert.pk, None)
            self.cancelled.append(alert.pk)

    def _resolve(self, work: SeriesWork, alert: Alert, ts: float, value: float) -> None:
        if alert.state != AlertState.FIRING:
            return
        self.change(
            alert,
            state=AlertState.RESOLVED,
            resolved_at=to_datetime(ts),
            last_value=value,
            flapping=False,
            timeline=[*alert.timeline, _entry(AlertState.RESOLVED, ts, value)],
        )
        if alert.notified_firing:
            self.sends.append((alert, NotificationEvent.RESOLVED, channel_ids(work.rule)))

    def _set_flapping(self, work, alert: Alert, ts: float, flapping: bool, release=True) -> None:
        entry = _entry("flapping" if flapping else "settled", ts, None)
        changes = {"flapping": flapping, "timeline": [*alert.timeline, entry]}
        if flapping and not alert.suppressed:
            changes["suppressed"] = SuppressedReason.FLAPPING
        if not flapping and alert.suppressed == SuppressedReason.FLAPPING:
            changes["suppressed"] = ""
        self.change(alert, **changes)
        held = alert.state == AlertState.FIRING and not alert.notified_firing
        if not flapping and release and held and not alert.suppressed:
            # The firing message the flapping held back goes out now (once).
            self.change(alert, notified_firing=True)
            self.sends.append((alert, NotificationEvent.FIRING, channel_ids(work.rule)))
