"""Alerts API with roles: rules, alerts (filters, acknowledge), channels (secrets), windows."""

from datetime import timedelta

import pytest
from django.db import connection

from alerts.engine import evaluate_samples
from alerts.maintenance import to_datetime
from alerts.models import Alert, NotificationChannel

from .conftest import sample

pytestmark = pytest.mark.django_db
T0 = 1_800_000_000.0

RULE = {
    "name": "Loss high", "metric": "ping_loss", "operator": ">=", "threshold": 20,
    "recovery_threshold": 5, "for_seconds": 60, "severity": "average", "sites": ["hq"],
    "device_types": ["router"], "tags": [], "devices": [], "channels": [], "enabled": True,
}  # fmt: skip


@pytest.mark.parametrize(
    "role,code", [("admin", 201), ("manager", 201), ("technician", 403), ("viewer", 403)]
)
def test_rules_are_written_by_admins_and_managers_only(api, role, code):
    assert api(role).post("/api/v1/alerts/rules/", RULE, format="json").status_code == code


def test_rule_fields_round_trip_and_every_role_reads(api):
    created = api("manager").post("/api/v1/alerts/rules/", RULE, format="json").json()
    for key in ("id", "name", "metric", "operator", "threshold", "recovery_threshold",
                "for_seconds", "severity", "devices", "sites", "device_types", "tags",
                "channels", "enabled"):  # fmt: skip
        assert key in created
    listed = api("viewer").get("/api/v1/alerts/rules/").json()["results"]
    assert [r["name"] for r in listed] == ["Loss high"]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"operator": "=~"}, "operator"),
        ({"recovery_threshold": 30}, "recovery_threshold"),
        ({"metric": "bad name!"}, "metric"),
        ({"metric": "no_data"}, "watch_metric"),
        ({"device_types": ["toaster"]}, "device_types"),
        ({"severity": "meh"}, "severity"),
    ],
)
def test_bad_rule_is_400_naming_the_field(api, change, field):
    resp = api("admin").post("/api/v1/alerts/rules/", {**RULE, **change}, format="json")
    assert resp.status_code == 400 and field in resp.json(), resp.content


def fire(net, rule):
    evaluate_samples([sample(net["core"], 99, T0), sample(net["branch"], 99, T0)])
    return {a.device.name: a for a in Alert.objects.all()}


def test_alerts_list_filters_and_routes_do_not_collide(api, net, cpu_rule):
    fire(net, cpu_rule)
    evaluate_samples([sample(net["branch"], 10, T0 + 60)])
    client = api("viewer")
    by_state = client.get("/api/v1/alerts/?state=firing").json()["results"]
    assert [a["device_name"] for a in by_state] == ["core-1"]
    assert client.get("/api/v1/alerts/?site=branch").json()["count"] == 1
    assert client.get("/api/v1/alerts/?severity=high").json()["count"] == 2
    assert client.get("/api/v1/alerts/?severity=info").json()["count"] == 0
    assert client.get(f"/api/v1/alerts/?device={net['core'].pk}").json()["count"] == 1
    since = to_datetime(T0 + 30).isoformat()
    history = client.get("/api/v1/alerts/", {"state": "resolved", "since": since}).json()
    assert [a["device_name"] for a in history["results"]] == ["br-1"]
    one = history["results"][0]
    for key in ("id", "rule", "device", "labels", "state", "severity", "value", "started_at",
                "resolved_at", "acknowledged", "acknowledged_by", "acknowledged_at", "comment",
                "suppressed", "notifications"):  # fmt: skip
        assert key in one
    assert [e["event"] for e in one["timeline"]] == ["pending", "firing", "resolved"]
    # The sub-collections are not taken for alert ids.
    assert client.get("/api/v1/alerts/rules/").status_code == 200
    assert client.get("/api/v1/alerts/channels/").status_code == 200
    assert client.get("/api/v1/alerts/maintenance/").status_code == 200


def test_bad_since_is_400_naming_the_field(api, net, cpu_rule):
    resp = api("admin").get("/api/v1/alerts/?since=yesterday")
    assert resp.status_code == 400 and "since" in resp.json()


def test_acknowledge_roles_and_technician_device_limits(api, users, net, cpu_rule):
    alerts = fire(net, cpu_rule)
    net["core"].assigned_to.add(users["technician"])
    core, branch = alerts["core-1"], alerts["br-1"]
    url = "/api/v1/alerts/{}/acknowledge/"
    assert api("viewer").post(url.format(core.pk), {"comment": "x"}).status_code == 403
    assert api("technician").post(url.format(branch.pk), {"comment": "x"}).status_code == 404
    assert api("technician").post(url.format(core.pk), {}).status_code == 400
    resp = api("technician").post(url.format(core.pk), {"comment": "on it"}, format="json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["acknowledged"] and body["comment"] == "on it"
    assert body["acknowledged_by"] == "technician-user" and body["acknowledged_at"]
    assert api("technician").get("/api/v1/alerts/").json()["count"] == 1
    assert api("manager").post(url.format(branch.pk), {"comment": "ok"}).status_code == 200


def test_resolved_alert_cannot_be_acknowledged(api, net, cpu_rule):
    alert = fire(net, cpu_rule)["core-1"]
    evaluate_samples([sample(net["core"], 10, T0 + 60)])
    resp = api("admin").post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"comment": "late"})
    assert resp.status_code == 400 and "state" in resp.json()


HOOK = {
    "name": "ops",
    "kind": "webhook",
    "enabled": True,
    "settings": {"url": "https://hooks.example.net/x", "secret": "s3cr3t-hmac-key"},
}


def test_channel_secrets_are_write_only_and_encrypted(api):
    created = api("admin").post("/api/v1/alerts/channels/", HOOK, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["settings"] == {"url": "https://hooks.example.net/x"}
    assert body["secrets_set"] == ["secret"]
    for role in ("admin", "manager", "viewer"):
        assert "s3cr3t" not in api(role).get("/api/v1/alerts/channels/").content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT settings::text FROM alerts_notificationchannel")
        raw = cursor.fetchone()[0]
    assert "s3cr3t" not in raw and "fernet:" in raw
    # Updating other settings keeps the secret.
    pk = body["id"]
    resp = api("admin").patch(
        f"/api/v1/alerts/channels/{pk}/", {"settings": {"url": "https://h.example.net/y"}},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 200, resp.content
    assert NotificationChannel.objects.get().plain_settings()["secret"] == "s3cr3t-hmac-key"


@pytest.mark.parametrize(
    "kind,conf,field",
    [
        ("webhook", {"url": "ftp://example.net/x"}, "url"),
        ("webhook", {"url": "file:///etc/passwd"}, "url"),
        ("slack", {"webhook_url": "http://hooks.slack.com/x"}, "webhook_url"),
        ("email", {"to": ["not-an-address"]}, "to"),
        ("telegram", {"chat_id": "1"}, "token"),
        ("sms", {"url": "https://sms.example.net/send"}, "to"),
    ],
)
def test_bad_channel_settings_are_400_naming_the_field(api, kind, conf, field):
    resp = api("admin").post(
        "/api/v1/alerts/channels/", {"name": "c", "kind": kind, "settings": conf},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 400 and field in resp.json()["settings"], resp.content


def test_channels_are_written_by_admins_only(api):
    assert api("manager").post("/api/v1/alerts/channels/", HOOK, format="json").status_code == 403
    pk = api("admin").post("/api/v1/alerts/channels/", HOOK, format="json").json()["id"]
    assert api("manager").post(f"/api/v1/alerts/channels/{pk}/test/").status_code == 403


def test_maintenance_windows_api(api, net):
    start = to_datetime(T0)
    body = {"name": "hq works", "devices": [net["core"].pk], "sites": [],
            "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
            "recurrence": "weekly"}  # fmt: skip
    assert api("viewer").post("/api/v1/alerts/maintenance/", body, format="json").status_code == 403
    created = api("manager").post("/api/v1/alerts/maintenance/", body, format="json")
    assert created.status_code == 201, created.content
    for key in ("id", "name", "devices", "sites", "start", "end", "recurrence"):
        assert key in created.json()
    bad = {**body, "end": (start - timedelta(hours=1)).isoformat()}
    resp = api("manager").post("/api/v1/alerts/maintenance/", bad, format="json")
    assert resp.status_code == 400 and "end" in resp.json()
    empty = {**body, "devices": []}
    resp = api("manager").post("/api/v1/alerts/maintenance/", empty, format="json")
    assert resp.status_code == 400 and "devices" in resp.json()


def test_rule_preview_lists_devices_that_would_fire(api, net, cpu_rule):
    evaluate_samples([sample(net["core"], 99, T0), sample(net["branch"], 50, T0)])
    resp = api("viewer").get(f"/api/v1/alerts/rules/{cpu_rule.pk}/preview/")
    assert resp.status_code == 200
    assert [r["device"] for r in resp.json()["would_fire"]] == ["core-1"]
