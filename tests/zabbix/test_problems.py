"""Problems in the real Zabbix (triggers fired by trapper values) -> alerts, and the ack
round trip back to Zabbix."""

import time
from datetime import UTC, datetime

import pytest

from alerts.actions import acknowledge
from alerts.choices import AlertState, Severity
from alerts.models import Alert
from monitoring.choices import Source
from tests.zabbix.zbx import (
    fire_until_problems,
    make_host,
    make_trigger,
    send_values,
    wait_problems,
)
from zabbix_bridge.acks import FAILED_EVENT, SENT_EVENT
from zabbix_bridge.sync import sync_server


def no_samples(samples) -> None:
    return None


@pytest.fixture
def burning(zapi, zabbix):
    """A host whose `temp` (95) fires a high (>50) and a disaster (>90) trigger."""
    host = make_host(zapi, items=(("temp", 0, "C"),))  # a new name: the cache may hold old ones
    make_trigger(zapi, host["host"], "temp", 50, priority=4)
    make_trigger(zapi, host["host"], "temp", 90, priority=5)
    host["problems"] = fire_until_problems(zabbix, zapi, host, "temp", 95, 2)
    return host


def test_problems_become_firing_zabbix_alerts_with_severities_mapped(zserver, burning):
    summary = sync_server(zserver, write=no_samples)
    assert summary["problems"]["opened"] == 2
    alerts = {a.external_id: a for a in Alert.objects.all()}
    assert set(alerts) == {p["eventid"] for p in burning["problems"]}
    for problem in burning["problems"]:
        alert = alerts[problem["eventid"]]
        assert alert.source == Source.ZABBIX and alert.rule is None
        assert alert.state == AlertState.FIRING and alert.title == problem["name"]
        assert alert.device.zabbix_hostid == burning["hostid"]
        assert alert.started_at == datetime.fromtimestamp(int(problem["clock"]), tz=UTC)
    assert sorted(a.severity for a in alerts.values()) == [Severity.DISASTER, Severity.HIGH]


def test_a_second_sync_leaves_the_alerts_as_they_were(zserver, burning):
    sync_server(zserver, write=no_samples)
    before = list(Alert.objects.values())
    again = sync_server(zserver, write=no_samples)["problems"]
    assert (again["opened"], again["updated"], again["resolved"]) == (0, 0, 0)
    assert list(Alert.objects.values()) == before


def test_an_alert_resolves_when_zabbix_resolves_its_problem(zserver, zapi, zabbix, burning):
    sync_server(zserver, write=no_samples)
    recovered_at = int(time.time()) + 1  # newer than every 95 the fixture sent
    send_values(zabbix, [(burning["host"], "temp", 70, recovered_at)])  # below 90, above 50
    wait_problems(zapi, burning["hostid"], 1)
    summary = sync_server(zserver, write=no_samples)
    assert summary["problems"]["resolved"] == 1
    disaster = Alert.objects.get(severity=Severity.DISASTER)
    assert disaster.state == AlertState.RESOLVED
    assert disaster.resolved_at == datetime.fromtimestamp(recovered_at, tz=UTC)
    assert Alert.objects.get(severity=Severity.HIGH).state == AlertState.FIRING


def zabbix_acks(zapi, eventid: str) -> tuple[str, list[str]]:
    event = zapi.event.get(
        eventids=[eventid], output=["acknowledged"], select_acknowledges="extend"
    )
    return event[0]["acknowledged"], [a["message"] for a in event[0]["acknowledges"]]


def test_acknowledging_through_the_api_acknowledges_the_event_in_zabbix(
    zserver, zapi, burning, api, django_capture_on_commit_callbacks
):
    sync_server(zserver, write=no_samples)
    alert = Alert.objects.get(severity=Severity.HIGH)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api("manager").post(
            f"/api/v1/alerts/{alert.pk}/acknowledge/", {"comment": "on it, fan ordered"}
        )
    assert answer.status_code == 200, answer.data
    assert answer.data["source"] == "zabbix" and answer.data["acknowledged"] is True
    assert zabbix_acks(zapi, alert.external_id) == ("1", ["on it, fan ordered"])
    alert.refresh_from_db()
    assert alert.timeline[-1]["event"] == SENT_EVENT
    # Zabbix now says acknowledged too: the next sync has nothing to send or change.
    summary = sync_server(zserver, write=no_samples)["problems"]
    assert (summary["acks_sent"], summary["updated"]) == (0, 0)


@pytest.fixture
def restart_frontend(zabbix):
    yield
    zabbix.start_frontend()


def test_an_ack_made_while_zabbix_is_down_is_sent_by_the_next_sync(
    zserver, zapi, zabbix, burning, users, django_capture_on_commit_callbacks, restart_frontend
):
    sync_server(zserver, write=no_samples)
    alert = Alert.objects.get(severity=Severity.DISASTER)
    zabbix.stop_frontend()
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge(alert, users["admin"], "rebooting it")
    alert.refresh_from_db()
    assert alert.acknowledged and alert.timeline[-1]["event"] == FAILED_EVENT
    assert "unreachable" in alert.timeline[-1]["error"]
    zabbix.start_frontend()
    summary = sync_server(zserver, write=no_samples)
    assert summary["problems"]["acks_sent"] == 1
    assert zabbix_acks(zapi, alert.external_id) == ("1", ["rebooting it"])


def test_an_ack_made_in_zabbix_shows_here(zserver, zapi, burning):
    sync_server(zserver, write=no_samples)
    eventid = burning["problems"][0]["eventid"]
    zapi.event.acknowledge(eventids=[eventid], action=6, message="seen in zabbix")
    summary = sync_server(zserver, write=no_samples)["problems"]
    assert summary["updated"] == 1 and summary["acks_sent"] == 0
    assert Alert.objects.get(external_id=eventid).acknowledged is True
