"""The status board's data: which devices are in which state, and why.

Plain functions over querysets so views, the live board and tests share them. A device's
tile shows its ICMP status, or "in maintenance" while a window covers it (the alert engine
suppresses its notifications then), the worst firing problem on it and since when.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from alerts.choices import AlertState
from alerts.models import Alert
from alerts.suppression import Suppressor
from monitoring.models import AvailabilityEvent, Device

from .choices import SEVERITY_ORDER, SEVERITY_RANK, TILE_ORDER, TileState

__all__ = ["Board", "Filters", "Tile", "alert_label", "build_board"]


@dataclass(frozen=True)
class Filters:
    q: str = ""
    state: str = ""
    site: str = ""
    severity: str = ""

    @classmethod
    def from_query(cls, params) -> Filters:
        state = params.get("state", "")
        severity = params.get("severity", "")
        return cls(
            q=params.get("q", "").strip()[:100],
            state=state if state in TileState.values else "",
            site=params.get("site", "").strip()[:100],
            severity=severity if severity in SEVERITY_RANK else "",
        )


@dataclass
class Tile:
    device: Device
    state: str
    severity: str = ""  # worst firing problem's severity, "" when none
    problem: str = ""  # what to read first: the worst problem, or why it is down
    problems: int = 0
    since: datetime | None = None


@dataclass
class Board:
    sites: list[tuple[str, list[Tile]]]
    state_counts: list[tuple[str, str, int]]  # (state, label, count), worst first
    severity_counts: list[tuple[str, str, int]]
    total: int
    shown: int
    site_names: list[str] = field(default_factory=list)


def alert_label(alert: Alert) -> str:
    """A problem's one-line name: the rule (or Zabbix title) and the labels that tell which."""
    name = alert.title or (alert.rule.name if alert.rule_id else "Problem")
    which = alert.labels.get("ifName") if isinstance(alert.labels, dict) else None
    return f"{name} ({which})" if which else name


def _firing_by_device(device_ids: list[int]) -> dict[int, list[Alert]]:
    found: dict[int, list[Alert]] = {}
    alerts = Alert.objects.filter(device_id__in=device_ids, state=AlertState.FIRING)
    for alert in alerts.select_related("rule"):  # rule: its name labels each problem
        found.setdefault(alert.device_id, []).append(alert)
    for rows in found.values():
        rows.sort(key=lambda a: (SEVERITY_RANK.get(a.severity, 99), a.started_at))
    return found


def _tile(device: Device, alerts: list[Alert], in_maintenance: bool) -> Tile:
    state = TileState.MAINTENANCE if in_maintenance else device.status
    tile = Tile(device=device, state=state, problems=len(alerts), since=device.status_changed)
    if alerts:
        tile.severity = alerts[0].severity
        tile.problem = alert_label(alerts[0])
    if device.status == TileState.UNREACHABLE and device.parent_id:
        parent = device.parent
        tile.problem = tile.problem or f"Behind {parent.name} ({parent.status})"
    if device.status in (TileState.DOWN, TileState.UNREACHABLE):
        why = device.last_reason or device.last_error
        tile.problem = tile.problem or why or f"{device.get_status_display()} since the last check"
    return tile


def _matches(tile: Tile, filters: Filters) -> bool:
    if filters.state and tile.state != filters.state:
        return False
    if filters.severity and tile.severity != filters.severity:
        return False
    return True


def build_board(user, filters: Filters | None = None, now: datetime | None = None) -> Board:
    filters = filters or Filters()
    now = now or timezone.now()
    latest = AvailabilityEvent.objects.filter(device=OuterRef("pk")).order_by("-at", "-pk")
    # parent: an unreachable tile names the device it sits behind.
    devices = (
        Device.objects.visible_to(user)
        .select_related("parent")
        .annotate(last_reason=Subquery(latest.values("reason")[:1]))
    )
    site_names = sorted(set(devices.values_list("site", flat=True)))
    if filters.site:
        devices = devices.filter(site=filters.site)
    if filters.q:
        q = filters.q
        devices = devices.filter(
            Q(name__icontains=q) | Q(hostname__icontains=q) | Q(ip_address__startswith=q)
            | Q(sys_name__icontains=q) | Q(site__icontains=q)
        )  # fmt: skip
    devices = list(devices.order_by("site", "name"))
    firing = _firing_by_device([d.pk for d in devices])
    suppressor = Suppressor()
    tiles = [
        _tile(d, firing.get(d.pk, []), suppressor.in_maintenance(d.pk, d.site, now))
        for d in devices
    ]
    state_count = Counter(t.state for t in tiles)
    severity_count = Counter(a.severity for rows in firing.values() for a in rows)
    shown = [t for t in tiles if _matches(t, filters)]
    rank = {s.value: i for i, s in enumerate(TILE_ORDER)}
    sites: dict[str, list[Tile]] = {}
    for tile in shown:
        sites.setdefault(tile.device.site, []).append(tile)
    for rows in sites.values():
        rows.sort(key=lambda t: (rank.get(t.state, 9), SEVERITY_RANK.get(t.severity, 9),
                                 t.device.name))  # fmt: skip
    # Sites with something down come first: that is where to look.
    ordered = sorted(
        sites.items(), key=lambda kv: (min(rank.get(t.state, 9) for t in kv[1]), kv[0])
    )
    return Board(
        sites=ordered,
        state_counts=[(s.value, s.label, state_count.get(s.value, 0)) for s in TILE_ORDER],
        severity_counts=[
            (s.value, s.label, severity_count.get(s.value, 0)) for s in SEVERITY_ORDER
        ],
        total=len(tiles),
        shown=len(shown),
        site_names=site_names,
    )
