"""Zabbix problems -> WARD FLUX alerts (source zabbix, external_id = the problem's eventid).

An open problem on a mirrored device is a firing alert without a rule; when the problem
leaves problem.get (Zabbix resolved it, or its host went), the alert is resolved at the
recovery event's clock. Idempotent: a second sync with nothing changed writes nothing.
An acknowledgement seen in Zabbix is mirrored here; one made here that Zabbix has not
recorded yet (it was down when we sent it) is sent again (acks.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from alerts.choices import OPEN_STATES, AlertState, Severity
from alerts.models import Alert
from monitoring.choices import Source

from .acks import acknowledge_in_zabbix, was_sent
from .client import ZabbixClient

# problem.severity 0-5: not classified, information, warning, average, high, disaster.
SEVERITY = {
    0: Severity.INFO,
    1: Severity.INFO,
    2: Severity.WARNING,
    3: Severity.AVERAGE,
    4: Severity.HIGH,
    5: Severity.DISASTER,
}
HOSTS_PER_PROBLEM_CALL = 500
EVENTS_PER_CALL = 1000


def severity_of(zabbix_severity) -> str:
    return SEVERITY.get(int(zabbix_severity), Severity.INFO)


def _at(clock) -> datetime:
    return datetime.fromtimestamp(int(clock), tz=UTC)


def _chunks(values: list, size: int):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def open_problems(client: ZabbixClient, hostids: list[str]) -> dict[str, dict]:
    """{eventid: problem} for the hosts, each with its `hostid` (from event.get)."""
    found: dict[str, dict] = {}
    output = ["eventid", "objectid", "name", "severity", "clock", "acknowledged"]
    for chunk in _chunks(hostids, HOSTS_PER_PROBLEM_CALL):
        rows = client.get("problem", {"output": output, "hostids": chunk, "recent": False})
        # problem.get cannot select hosts; event.get can, for the same event ids.
        for ids in _chunks([r["eventid"] for r in rows], EVENTS_PER_CALL):
            events = client.get(
                "event", {"output": ["eventid"], "eventids": ids, "selectHosts": ["hostid"]}
            )
            host_of = {e["eventid"]: (e.get("hosts") or [{}])[0].get("hostid") for e in events}
            for row in rows:
                if row["eventid"] in host_of:
                    found[row["eventid"]] = {**row, "hostid": host_of[row["eventid"]]}
    return found


def recovery_clocks(client: ZabbixClient, eventids: list[str]) -> dict[str, datetime]:
    """{problem eventid: when its recovery event happened}, for those Zabbix resolved."""
    recovery: dict[str, str] = {}
    for ids in _chunks(eventids, EVENTS_PER_CALL):
        for e in client.get("event", {"output": ["eventid", "r_eventid"], "eventids": ids}):
            if e.get("r_eventid") not in (None, "", "0"):
                recovery[e["eventid"]] = e["r_eventid"]
    clocks: dict[str, datetime] = {}
    for ids in _chunks(list(recovery.values()), EVENTS_PER_CALL):
        for e in client.get("event", {"output": ["eventid", "clock"], "eventids": ids}):
            clocks[e["eventid"]] = _at(e["clock"])
    return {problem: clocks[r] for problem, r in recovery.items() if r in clocks}


def sync_problems(
    client: ZabbixClient, devices_by_hostid: dict, linked_device_ids: list[int] | None = None
) -> dict:
    """Open problems of these devices become firing alerts; gone ones resolve.

    `linked_device_ids`: every device this server mirrors (also those polled here in
    hybrid mode), so an alert opened before the operator's flip still resolves.
    """
    problems = open_problems(client, list(devices_by_hostid))
    linked = set(linked_device_ids or []) | {d.pk for d in devices_by_hostid.values()}
    counts = dict.fromkeys(["opened", "updated", "resolved", "unchanged", "acks_sent"], 0)
    with transaction.atomic():
        existing = {
            a.external_id: a
            for a in Alert.objects.filter(source=Source.ZABBIX, device_id__in=linked).exclude(
                external_id=""
            )
        }
        for eventid, problem in problems.items():
            device = devices_by_hostid.get(problem["hostid"])
            if device is None:
                continue
            alert = existing.get(eventid)
            _apply_problem(device, problem, alert, counts)
            if alert is not None and _ack_owed(alert, problem):
                counts["acks_sent"] += acknowledge_in_zabbix(alert, alert.comment, client)
        gone = [a for eid, a in existing.items() if a.state in OPEN_STATES and eid not in problems]
        _resolve(client, gone, counts)
    return counts


def _apply_problem(device, problem: dict, alert: Alert | None, counts: dict) -> None:
    severity = severity_of(problem["severity"])
    acked_there = str(problem.get("acknowledged")) == "1"
    if alert is None:
        started = _at(problem["clock"])
        Alert.objects.create(
            device=device,
            source=Source.ZABBIX,
            external_id=problem["eventid"],
            title=problem["name"][:255],
            labels={"triggerid": problem["objectid"]},
            labels_key=f"zabbix:{problem['eventid']}"[:40],
            state=AlertState.FIRING,
            severity=severity,
            started_at=started,
            fired_at=started,
            acknowledged=acked_there,
            acknowledged_at=timezone.now() if acked_there else None,
            timeline=[{"at": started.isoformat(), "event": AlertState.FIRING, "value": None}],
        )
        counts["opened"] += 1
        return
    changes = {}
    if alert.severity != severity:
        changes["severity"] = severity
    if alert.title != problem["name"][:255]:
        changes["title"] = problem["name"][:255]
    if acked_there and not alert.acknowledged:
        changes.update(acknowledged=True, acknowledged_at=timezone.now())
    if changes:
        Alert.objects.filter(pk=alert.pk).update(**changes)
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1


def _ack_owed(alert: Alert, problem: dict) -> bool:
    """Acknowledged here, not in Zabbix, and never delivered (Zabbix was down then)."""
    return (
        alert.acknowledged
        and str(problem.get("acknowledged")) != "1"
        and alert.acknowledged_by_id is not None
        and not was_sent(alert)
    )


def _resolve(client: ZabbixClient, gone: list[Alert], counts: dict) -> None:
    if not gone:
        return
    clocks = recovery_clocks(client, [a.external_id for a in gone])
    now = timezone.now()
    for alert in gone:
        at = clocks.get(alert.external_id, now)
        entry = {"at": at.isoformat(), "event": AlertState.RESOLVED, "value": None}
        won = Alert.objects.filter(pk=alert.pk, state__in=OPEN_STATES).update(
            state=AlertState.RESOLVED, resolved_at=at, timeline=[*alert.timeline, entry]
        )
        counts["resolved"] += won
