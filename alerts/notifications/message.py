"""What every transport says: the same facts, shaped per service."""

from django.conf import settings

from ..choices import NotificationEvent

SEVERITY_COLOURS = {
    "info": "#7499FF",
    "warning": "#FFC859",
    "average": "#FFA059",
    "high": "#E97659",
    "disaster": "#E45959",
}
RESOLVED_COLOUR = "#59DB8F"


def console_url(alert) -> str:
    return f"{settings.ALERTS_CONSOLE_URL.rstrip('/')}/admin/alerts/alert/{alert.pk or ''}/"


def rule_name(alert) -> str:
    return alert.rule.name if alert.rule is not None else alert.title


def payload(alert, event: str) -> dict:
    """The JSON facts of an alert event (the webhook body)."""
    rule = alert.rule  # None for problems mirrored from Zabbix
    return {
        "event": event,
        "alert": alert.pk,
        "rule": rule.name if rule else alert.title,
        "rule_id": rule.pk if rule else None,
        "metric": rule.metric if rule else None,
        "device": alert.device.name,
        "device_id": alert.device.pk,
        "ip": alert.device.ip_address,
        "site": alert.device.site,
        "severity": alert.severity,
        "state": alert.state,
        "value": alert.value if event != NotificationEvent.RESOLVED else alert.last_value,
        "labels": alert.labels,
        "started_at": alert.started_at.isoformat() if alert.started_at else None,
        "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
        "url": console_url(alert),
    }


def headline(alert, event: str) -> str:
    tag = {"firing": "PROBLEM", "resolved": "RESOLVED", "test": "TEST"}.get(event, event.upper())
    labels = ", ".join(f"{k}={v}" for k, v in sorted((alert.labels or {}).items()))
    where = f"{alert.device.name} [{labels}]" if labels else alert.device.name
    return f"[{tag}] {alert.severity}: {rule_name(alert)} on {where}"


def text(alert, event: str) -> str:
    p = payload(alert, event)
    lines = [
        headline(alert, event),
        f"Device: {p['device']} ({p['ip']})",
        f"Rule: {p['rule']}",
        f"Severity: {p['severity']}",
        f"Value: {p['value']}",
        f"Started: {p['started_at']}",
    ]
    if p["resolved_at"]:
        lines.append(f"Resolved: {p['resolved_at']}")
    lines.append(f"Console: {p['url']}")
    return "\n".join(lines)


def colour(alert, event: str) -> str:
    if event == NotificationEvent.RESOLVED:
        return RESOLVED_COLOUR
    return SEVERITY_COLOURS.get(alert.severity, "#97AAB3")
