"""Zabbix problems -> WARD FLUX alerts (source zabbix), when the alerts app is installed.

Written against `alerts.models.Alert` as DESIGN.md describes it; until that model lands
(or if it lacks the fields below) the phase reports itself skipped instead of guessing.
Fields used: source, external_id, device, severity, state, message, started_at, resolved_at.
"""

from datetime import UTC, datetime

from django.db import transaction

from .client import ZabbixClient

# problem.severity 0-5 (not classified, information, warning, average, high, disaster).
SEVERITY = {0: "info", 1: "info", 2: "warning", 3: "average", 4: "high", 5: "disaster"}
NEEDED_FIELDS = {
    "source",
    "external_id",
    "device",
    "severity",
    "state",
    "message",
    "started_at",
    "resolved_at",
}


def severity_of(zabbix_severity) -> str:
    return SEVERITY.get(int(zabbix_severity), "info")


def alert_model():
    """The Alert model, or None with the reason it cannot be used yet."""
    try:
        from alerts.models import Alert
    except ImportError:
        return None, "alerts app has no Alert model yet"
    names = {f.name for f in Alert._meta.get_fields()}
    missing = NEEDED_FIELDS - names
    if missing:
        return None, f"Alert lacks fields {sorted(missing)}"
    return Alert, ""


def sync_problems(client: ZabbixClient, devices_by_hostid: dict) -> dict:
    """Open problems become firing alerts; alerts whose problem is gone are resolved."""
    alert, reason = alert_model()
    if alert is None:
        return {"skipped": reason}
    rows = client.get(
        "problem",
        {
            "output": ["eventid", "objectid", "name", "severity", "clock"],
            "selectHosts": ["hostid"],
            "recent": False,
        },
    )
    open_ids, counts = set(), {"opened": 0, "resolved": 0}
    with transaction.atomic():
        for row in rows:
            hosts = row.get("hosts") or []
            device = devices_by_hostid.get(hosts[0]["hostid"]) if hosts else None
            if device is None:
                continue
            open_ids.add(row["eventid"])
            _, created = alert.objects.get_or_create(
                source="zabbix",
                external_id=row["eventid"],
                defaults={
                    "device": device,
                    "severity": severity_of(row["severity"]),
                    "state": "firing",
                    "message": row["name"],
                    "started_at": datetime.fromtimestamp(int(row["clock"]), tz=UTC),
                },
            )
            counts["opened"] += created
        gone = alert.objects.filter(
            source="zabbix", resolved_at__isnull=True, device__in=devices_by_hostid.values()
        ).exclude(external_id__in=open_ids)
        counts["resolved"] = gone.update(state="resolved", resolved_at=datetime.now(tz=UTC))
    return counts
