"""Reports: availability (SLA %) and downtime from the state history, top-N from metrics.

Availability reads AvailabilityEvent rows (one per ICMP state change). Over a period a
device spends each second in one state: up, down, unreachable (its parent is down) or
unknown (not yet checked). SLA % = up / (up + down + unreachable): unknown time is not
measured, so it counts neither for nor against; time after `now` is not counted at all.
A site's SLA adds its devices' seconds. Incidents are the stretches spent down or
unreachable, clipped to the period; `end` is None while one is still going on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from monitoring.choices import DeviceStatus
from monitoring.metrics import store
from monitoring.models import AvailabilityEvent, Device

__all__ = [
    "PERIODS",
    "Availability",
    "Incident",
    "Period",
    "ReportError",
    "availability_report",
    "device_availability",
    "parse_period",
    "top_cpu",
    "top_interfaces",
]

PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
DOWNTIME_STATES = (DeviceStatus.DOWN, DeviceStatus.UNREACHABLE)
MAX_PERIOD = timedelta(days=400)
MAX_TOP_N = 100
BUCKETS = 48  # metric points per series for top-N: mean and peak over these


class ReportError(ValueError):
    """Bad report input; `field` names the parameter (the API answers 400 with it)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str = ""
    is_live: bool = False  # ends "now": a stretch still going on at the end has no end

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass
class Incident:
    device_id: int
    device: str
    site: str
    state: str
    start: datetime
    end: datetime | None  # None: still down at the end of the period
    duration_s: float
    reason: str = ""


@dataclass
class Availability:
    device_id: int
    device: str
    site: str
    up_s: float = 0.0
    down_s: float = 0.0
    unreachable_s: float = 0.0
    unknown_s: float = 0.0
    incidents: list[Incident] = field(default_factory=list)

    @property
    def measured_s(self) -> float:
        return self.up_s + self.down_s + self.unreachable_s

    @property
    def downtime_s(self) -> float:
        return self.down_s + self.unreachable_s

    @property
    def sla_pct(self) -> float | None:
        """None when the period holds no measured time."""
        return 100.0 * self.up_s / self.measured_s if self.measured_s else None


def _parse_dt(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ReportError(name, f"{name} must be a date or an ISO 8601 time") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def parse_period(params, now: datetime | None = None) -> Period:
    """?period=24h|7d|30d (default 7d), or ?start=&end= (dates or ISO times; end defaults now)."""
    now = now or timezone.now()
    start_raw, end_raw = params.get("start", ""), params.get("end", "")
    if start_raw:
        start = _parse_dt(start_raw, "start")
        end = _parse_dt(end_raw, "end") if end_raw else now
        if end <= start:
            raise ReportError("end", "end must be after start")
        if end - start > MAX_PERIOD:
            raise ReportError("start", f"a report covers at most {MAX_PERIOD.days} days")
        return Period(start, end, "custom", is_live=not end_raw)
    name = params.get("period", "") or "7d"
    if name not in PERIODS:
        raise ReportError("period", f"period must be one of {', '.join(PERIODS)}")
    return Period(now - PERIODS[name], now, name, is_live=True)


def parse_top_n(params) -> int:
    raw = params.get("n", "") or "10"
    try:
        n = int(raw)
    except ValueError:
        raise ReportError("n", "n must be a whole number") from None
    if not 1 <= n <= MAX_TOP_N:
        raise ReportError("n", f"n must be between 1 and {MAX_TOP_N}")
    return n


def device_availability(
    device: Device, events: list[AvailabilityEvent], period: Period, now: datetime
) -> Availability:
    """Seconds per state and the incidents, from the device's events in ascending time order.

    `events` must hold every event inside the period and the last one before it (if any).
    """
    end = min(period.end, now)
    row = Availability(device.pk, device.name, device.site)
    before = [e for e in events if e.at <= period.start]
    inside = [e for e in events if period.start < e.at < end]
    if before:
        state = before[-1].to_state
    elif inside:
        state = inside[0].from_state
    else:
        state = device.status
        changed = device.status_changed
        if changed is not None and period.start < changed < end:
            # No history: the status holds since it was set; before that nothing is known.
            _add(row, device, DeviceStatus.UNKNOWN, period.start, changed, "", is_open=False)
            period = Period(changed, period.end, period.label, period.is_live)
    reason = before[-1].reason if before else ""
    cursor = period.start
    is_live = period.is_live or end == now
    for event in [*inside, None]:
        until = event.at if event is not None else end
        _add(row, device, state, cursor, until, reason, is_open=event is None and is_live)
        if event is not None:
            cursor, state, reason = event.at, event.to_state, event.reason
    return row


def _add(row: Availability, device, state, start, end, reason, is_open: bool) -> None:
    seconds = max(0.0, (end - start).total_seconds())
    attr = {
        DeviceStatus.UP: "up_s",
        DeviceStatus.DOWN: "down_s",
        DeviceStatus.UNREACHABLE: "unreachable_s",
    }.get(state, "unknown_s")
    setattr(row, attr, getattr(row, attr) + seconds)
    if state in DOWNTIME_STATES and seconds > 0:
        row.incidents.append(
            Incident(device.pk, device.name, device.site, state, start,
                     None if is_open else end, seconds, reason)
        )  # fmt: skip


def availability_report(devices, period: Period, now: datetime | None = None) -> dict:
    """{"devices": [Availability], "sites": [dict], "incidents": [Incident]} for a queryset."""
    now = now or timezone.now()
    devices = list(devices.order_by("site", "name"))
    by_device: dict[int, list[AvailabilityEvent]] = {d.pk: [] for d in devices}
    inside = AvailabilityEvent.objects.filter(
        device_id__in=by_device, at__gt=period.start, at__lt=period.end
    ).order_by("at", "pk")
    for event in inside:
        by_device[event.device_id].append(event)
    # The state each device was in when the period began: its last event before the start.
    last_before = (
        AvailabilityEvent.objects.filter(device_id__in=by_device, at__lte=period.start)
        .order_by("device_id", "-at", "-pk")
        .distinct("device_id")
        if _has_distinct_on()
        else _last_before_portable(by_device, period.start)
    )
    for event in last_before:
        by_device[event.device_id].insert(0, event)
    rows = [device_availability(d, by_device[d.pk], period, now) for d in devices]
    return {"devices": rows, "sites": _sites(rows), "incidents": _incidents(rows)}


def _has_distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _last_before_portable(by_device: dict, start: datetime) -> list[AvailabilityEvent]:
    found = []
    for device_id in by_device:
        event = (
            AvailabilityEvent.objects.filter(device_id=device_id, at__lte=start)
            .order_by("-at", "-pk")
            .first()
        )
        if event is not None:
            found.append(event)
    return found


def _sites(rows: list[Availability]) -> list[dict]:
    sites: dict[str, dict] = {}
    for row in rows:
        site = sites.setdefault(
            row.site, {"site": row.site, "devices": 0, "up_s": 0.0, "downtime_s": 0.0,
                       "incidents": 0}
        )  # fmt: skip
        site["devices"] += 1
        site["up_s"] += row.up_s
        site["downtime_s"] += row.downtime_s
        site["incidents"] += len(row.incidents)
    for site in sites.values():
        measured = site["up_s"] + site["downtime_s"]
        site["sla_pct"] = 100.0 * site["up_s"] / measured if measured else None
    return sorted(
        sites.values(), key=lambda s: (s["sla_pct"] is None, s["sla_pct"] or 0, s["site"])
    )


def _incidents(rows: list[Availability]) -> list[Incident]:
    found = [i for row in rows for i in row.incidents]
    return sorted(found, key=lambda i: i.start, reverse=True)


def _series_stats(metric: str, period: Period, devices: set[str] | None) -> dict[tuple, dict]:
    step = max(60.0, period.seconds / BUCKETS)
    start, end = period.start.timestamp(), period.end.timestamp()
    stats: dict[tuple, dict] = {}
    for agg in ("avg", "max"):
        for series in store.query_range(metric, {}, start, end, step, agg=agg, devices=devices):
            labels = series["metric"]
            values = [float(v) for _, v in series["values"]]
            key = (labels.get("device", ""), labels.get("ifName", ""))
            entry = stats.setdefault(key, {"labels": labels})
            entry[agg] = sum(values) / len(values) if agg == "avg" else max(values)
    return stats


def top_interfaces(period: Period, n: int = 10, devices: set[str] | None = None) -> list[dict]:
    """Busiest interfaces: mean and peak utilisation (percent of speed), in and out."""
    rows: dict[tuple, dict] = {}
    for direction in ("in", "out"):
        for key, s in _series_stats(f"if_util_{direction}_pct", period, devices).items():
            row = rows.setdefault(key, {"device": key[0], "ifName": key[1]})
            row[f"mean_{direction}_pct"] = round(s.get("avg", 0.0), 3)
            row[f"peak_{direction}_pct"] = round(s.get("max", 0.0), 3)
    for row in rows.values():
        row["mean_pct"] = max(row.get("mean_in_pct", 0.0), row.get("mean_out_pct", 0.0))
    return sorted(rows.values(), key=lambda r: (-r["mean_pct"], r["device"], r["ifName"]))[:n]


def top_cpu(period: Period, n: int = 10, devices: set[str] | None = None) -> list[dict]:
    """Devices by mean CPU use (percent) over the period, with the peak."""
    rows = [
        {"device": key[0], "mean_pct": round(s.get("avg", 0.0), 3),
         "peak_pct": round(s.get("max", 0.0), 3)}
        for key, s in _series_stats("cpu_percent", period, devices).items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (-r["mean_pct"], r["device"]))[:n]
