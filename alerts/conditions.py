"""Observations the periodic evaluation reads from devices rather than from samples."""

from django.db.models import Q

from monitoring.choices import DeviceStatus
from monitoring.metrics.samples import Sample

from . import state
from .choices import BuiltinCondition
from .models import AlertRule, AlertSeries, SeriesLastSeen
from .scope import scoped_devices


def condition_observations(rule: AlertRule, now: float) -> list[tuple[int, float]]:
    """(device id, value) for devices in trouble, plus remembered series that may recover."""
    remembered = set(
        AlertSeries.objects.filter(rule=rule, labels_key="")
        .exclude(state=state.OK)
        .values_list("device_id", flat=True)
    )
    devices = scoped_devices(rule)
    if rule.metric == BuiltinCondition.NO_DATA:
        return _no_data(rule, devices, remembered, now)
    if rule.metric == BuiltinCondition.DEVICE_DOWN:
        trouble = Q(status=DeviceStatus.DOWN)
    else:
        trouble = Q(snmp_reachable=False)
    problem = set(devices.filter(trouble).values_list("pk", flat=True))
    watched = problem | set(devices.filter(pk__in=remembered).values_list("pk", flat=True))
    return [(pk, 1.0 if pk in problem else 0.0) for pk in watched]


def _no_data(rule: AlertRule, devices, remembered: set[int], now: float):
    """Seconds since the watched metric was last seen, for series that ever were."""
    seen = SeriesLastSeen.objects.filter(metric=rule.watch_metric, device__in=devices)
    stale = Q(last_ts__lt=now - rule.threshold) | Q(device_id__in=remembered)
    return [(d, now - ts) for d, ts in seen.filter(stale).values_list("device_id", "last_ts")]


def touch_last_seen(rules: list[AlertRule], samples: list[Sample]) -> None:
    """Remember when each watched metric was last seen per device (one upsert per batch)."""
    watched = {r.watch_metric for r in rules if r.metric == BuiltinCondition.NO_DATA}
    if not watched:
        return
    from monitoring.models import Device

    newest: dict[tuple[str, str], float] = {}
    for s in samples:
        if s.name in watched:
            key = (s.name, s.labels.get("device"))
            newest[key] = max(newest.get(key, 0.0), s.timestamp)
    if not newest:
        return
    names = {name for _, name in newest}
    ids = dict(Device.objects.filter(name__in=names).values_list("name", "pk"))
    rows = [
        SeriesLastSeen(metric=metric, device_id=ids[name], last_ts=ts)
        for (metric, name), ts in newest.items()
        if name in ids
    ]
    SeriesLastSeen.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["metric", "device"],
        update_fields=["last_ts"],
    )
