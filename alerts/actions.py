"""What people do to alerts and channels: acknowledge, send a test, preview a rule."""

from django.db import transaction
from django.utils import timezone

from monitoring.models import Device

from . import state
from .choices import OPEN_STATES, AlertState, BuiltinCondition, NotificationEvent, Severity
from .models import Alert, AlertRule, AlertSeries, NotificationChannel
from .notifications import NotificationError, notify
from .scope import params_for, scoped_devices
from .signals import alert_acknowledged


class NotOpen(ValueError):
    """Only pending or firing alerts can be acknowledged."""


def acknowledge(alert: Alert, user, comment: str) -> Alert:
    now = timezone.now()
    entry = {"at": now.isoformat(), "event": "acknowledged", "by": user.get_username()}
    won = Alert.objects.filter(pk=alert.pk, state__in=OPEN_STATES).update(
        acknowledged=True,
        acknowledged_by=user,
        acknowledged_at=now,
        comment=comment,
        timeline=[*alert.timeline, entry],
    )
    if not won:
        raise NotOpen("This alert is resolved; only open alerts can be acknowledged.")
    alert.refresh_from_db()
    # After commit: listeners (the Zabbix bridge) talk to other systems.
    transaction.on_commit(
        lambda: alert_acknowledged.send(sender=Alert, alert=alert, user=user, comment=comment)
    )
    return alert


def send_test(channel: NotificationChannel) -> str:
    """Send a sample message now; return '' on success or the (secret-free) error."""
    rule = AlertRule(name="Test notification", metric="cpu", severity=Severity.INFO)
    device = Device(name="test-device", ip_address="192.0.2.1", site="test")
    alert = Alert(
        rule=rule,
        device=device,
        state=AlertState.FIRING,
        severity=Severity.INFO,
        value=42.0,
        labels={},
        started_at=timezone.now(),
    )
    try:
        notify(channel, alert, NotificationEvent.TEST)
    except NotificationError as exc:
        return str(exc) or type(exc).__name__
    return ""


def preview(rule: AlertRule, limit: int = 200) -> list[dict]:
    """Devices that would fire now on the latest data WARD FLUX holds for the rule.

    Built-ins read device state; metric rules read the newest value the engine saw per
    series and each device item's last value (MonitoringItem.key == metric).
    """
    params = params_for(rule)
    devices = scoped_devices(rule)
    if rule.metric == BuiltinCondition.DEVICE_DOWN:
        rows = devices.filter(status="down").values_list("name", flat=True)[:limit]
        return [{"device": name, "labels": {}, "value": 1.0} for name in rows]
    if rule.metric == BuiltinCondition.SNMP_UNREACHABLE:
        rows = devices.filter(snmp_reachable=False).values_list("name", flat=True)[:limit]
        return [{"device": name, "labels": {}, "value": 1.0} for name in rows]
    found: dict[tuple[str, str], dict] = {}
    series = AlertSeries.objects.filter(rule=rule, device__in=devices, last_value__isnull=False)
    for row in series.select_related("device")[:limit]:
        if state.is_problem(params, row.last_value):
            found[(row.device.name, row.labels_key)] = {
                "device": row.device.name, "labels": row.labels, "value": row.last_value,
            }  # fmt: skip
    items = devices.filter(items__key=rule.metric).values_list("name", "items__last_value")
    for name, raw in items[:limit]:
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        if state.is_problem(params, value):
            found.setdefault((name, ""), {"device": name, "labels": {}, "value": value})
    return sorted(found.values(), key=lambda r: r["device"])[:limit]
