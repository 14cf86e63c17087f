"""Writing one evaluation run: a fixed number of queries per run, not per alert.

In one transaction: lock the series rows the run read (in id order) and drop those another
worker moved since (the series row is the claim), insert the new series rows (sorted by
key, so concurrent workers insert in the same order; a row another worker inserted first
is a lost claim), lock the open alerts the run moves and
read the suppression context in one go, apply the events in memory (transitions.Plan),
then bulk INSERT/UPDATE alerts, series and suppressed-notification records, and queue
every send with one callback once the transaction commits.
"""

from dataclasses import dataclass, field

from django.db import transaction

from monitoring.models import Device

from . import delivery
from .bulk import bulk_update, insert_new
from .choices import AlertState, AttemptOutcome, NotificationEvent
from .maintenance import to_datetime
from .models import Alert, AlertSeries, NotificationAttempt
from .state import Snapshot
from .suppression import Suppressor
from .transitions import Plan, SeriesWork, needs_write, series_fields

SERIES_KEY = ("rule_id", "device_id", "labels_key")
# What a run rewrites on its series rows (the snapshot and the open alert link).
SERIES_FIELDS = [*series_fields(Snapshot()), "alert"]


@dataclass
class RunContext:
    """What one evaluation run reads once and shares across its series."""

    suppressor: Suppressor = field(default_factory=Suppressor)
    # device id -> (site, parent id): filled by the caller from its device query, if it has one.
    devices: dict[int, tuple[str, int | None]] = field(default_factory=dict)

    def load_suppression(self, works: list[SeriesWork]) -> None:
        """Sites, parents and parents' status of the devices whose alerts fire this run."""
        firing = {w.device_id for w in works if w.fires()}
        missing = firing - self.devices.keys()
        if missing:
            rows = Device.objects.filter(pk__in=missing).values_list("pk", "site", "parent_id")
            self.devices.update({pk: (site, parent) for pk, site, parent in rows})
        parents = {self.devices[d][1] for d in firing if d in self.devices}
        self.suppressor.load_parents({p for p in parents if p})

    def reason(self, device_id: int, ts: float, flapping: bool) -> str:
        site, parent_id = self.devices.get(device_id, ("", None))
        return self.suppressor.reason(device_id, site, parent_id, to_datetime(ts), flapping)


def persist(works: list[SeriesWork], ctx: RunContext | None = None) -> int:
    """Write the run's outcome; return the number of alert transitions applied."""
    works = [w for w in works if needs_write(w)]
    if not works:
        return 0
    ctx = ctx or RunContext()
    with transaction.atomic():
        works = _claim(works)
        alerts = _lock_alerts(works)
        ctx.load_suppression(works)
        plan = Plan(suppression=ctx.reason)
        transitions = 0
        for work in works:
            alert_id = work.row.alert_id
            transitions += plan.apply(work, alerts.get(alert_id) if alert_id else None)
        _write(plan, works)
    return transitions


def _claim(works: list[SeriesWork]) -> list[SeriesWork]:
    """The works whose series no other worker moved since they were read."""
    existing = {w.row.pk: w for w in works if w.row is not None}
    won = []
    if existing:
        rows = (
            AlertSeries.objects.select_for_update()
            .filter(pk__in=list(existing))
            .order_by("pk")
            .values_list("pk", "last_ts", "state")
        )
        fresh = {pk: (last_ts, st) for pk, last_ts, st in rows}
        won = [w for pk, w in existing.items() if fresh.get(pk) == (w.row.last_ts, w.row.state)]
    new = [w for w in works if w.row is None]
    return won + _insert_series(new) if new else won


def _insert_series(works: list[SeriesWork]) -> list[SeriesWork]:
    """New series rows; one another worker created first is its work, not ours."""
    for w in works:
        w.row = AlertSeries(
            rule=w.rule,
            device_id=w.device_id,
            labels=w.labels,
            labels_key=w.labels_key,
            **series_fields(w.after),
        )
    inserted = {id(row) for row in insert_new([w.row for w in works], SERIES_KEY)}
    return [w for w in works if id(w.row) in inserted]


def _lock_alerts(works: list[SeriesWork]) -> dict[int, Alert]:
    ids = sorted({w.row.alert_id for w in works if w.row.alert_id})
    if not ids:
        return {}
    return {a.pk: a for a in Alert.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _write(plan: Plan, works: list[SeriesWork]) -> None:
    if plan.new_alerts:
        _insert_alerts(plan)
    if plan.changed:
        bulk_update(list(plan.changed.values()), sorted(plan.changed_fields))
    if plan.cancelled:
        Alert.objects.filter(pk__in=plan.cancelled, state=AlertState.PENDING).delete()
    rows = []
    for w in works:
        for key, value in series_fields(w.after).items():
            setattr(w.row, key, value)
        w.row.alert = w.alert if w.alert is not None and w.alert.pk else None
        rows.append(w.row)
    bulk_update(rows, SERIES_FIELDS)
    attempts = [
        NotificationAttempt(
            alert=alert,
            channel_id=cid,
            event=event,
            attempt=0,
            outcome=AttemptOutcome.SUPPRESSED,
            error=f"suppressed: {reason}",
        )
        for alert, event, reason, channels in plan.suppressed
        if alert.pk
        for cid in channels
    ]
    if attempts:
        NotificationAttempt.objects.bulk_create(attempts)
    sends = [(alert, event, channels) for alert, event, channels in plan.sends if alert.pk]
    messages = [(alert.pk, cid, event) for alert, event, channels in sends for cid in channels]
    delivery.enqueue_many(messages)


def _insert_alerts(plan: Plan) -> None:
    """One INSERT; an alert refused because its series already has one open (never two)
    keeps no pk, and persist leaves it out of the series link and the messages."""
    inserted = {id(a) for a in insert_new(plan.new_alerts, SERIES_KEY)}
    for alert in plan.new_alerts:
        if id(alert) not in inserted:
            alert.pk = None


def release_firing(alert_id: int) -> bool:
    """Send the firing message held back by a suppression that has now lifted (once)."""
    won = Alert.objects.filter(
        pk=alert_id, state=AlertState.FIRING, suppressed="", notified_firing=False
    ).update(notified_firing=True)
    if won:
        delivery.enqueue(alert_id, NotificationEvent.FIRING)
    return bool(won)
