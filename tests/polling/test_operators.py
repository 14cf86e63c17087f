"""Poll now (API, admin, command) and test credentials, against snmpd."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from monitoring.models import Device, MonitoringTemplate
from monitoring.templates import apply_template
from tests.polling.conftest import V3, make_credential, make_device
from tests.servers.snmpd import AUTH_PASS, PRIV_PASS


@pytest.fixture
def device(snmpd_server, db):
    cred = make_credential("v2c", community=snmpd_server.community)
    made = make_device("lab-1", snmpd_server.port, cred)
    apply_template(MonitoringTemplate.objects.get(name="Generic SNMP"), [made])
    return made


def test_it_polls_now_through_the_api_and_returns_items_and_samples(api, device):
    response = api("manager").post(f"/api/v1/devices/{device.pk}/poll/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["duration_s"] > 0
    uptime = next(i for i in body["items"] if i["key"] == "sysUpTime")
    assert uptime["oid"] == "1.3.6.1.2.1.1.3.0" and isinstance(uptime["raw"], int)
    assert uptime["computed"] == uptime["raw"] // 100 and uptime["elapsed_ms"] > 0
    assert any(s["name"] == "if_oper_status" for s in body["samples"])


def test_technician_polls_own_devices_only_and_viewer_not_at_all(api, users, device):
    url = f"/api/v1/devices/{device.pk}/poll/"
    assert api("technician").post(url).status_code == 404
    device.assigned_to.add(users["technician"])
    assert api("technician").post(url).status_code == 200
    assert api("viewer").post(url).status_code == 403


def test_credential_test_names_a_wrong_v3_key(api, snmpd_server):
    cred = make_credential(
        "v3-wrong-priv", **V3, username="priv-sha-aes128", auth_protocol="SHA",
        auth_key=AUTH_PASS, priv_protocol="AES-128", priv_key="wrong-priv-key",
    )  # fmt: skip
    cred.port = snmpd_server.port
    cred.save()
    url = f"/api/v1/credentials/{cred.pk}/test/"
    response = api("admin").post(url, {"address": "127.0.0.1"}, format="json")
    assert response.status_code == 200
    assert response.json()["reason"] == "decryption error"
    bad = api("admin").post(url, {"address": "not-an-ip"}, format="json")
    assert bad.status_code == 400 and "address" in bad.json()


def test_credential_test_answers_with_sysname_for_a_good_credential(api, snmpd_server):
    cred = make_credential(
        "v3-ok", **V3, username="priv-sha-aes128", auth_protocol="SHA",
        auth_key=AUTH_PASS, priv_protocol="AES-128", priv_key=PRIV_PASS,
    )  # fmt: skip
    cred.port = snmpd_server.port
    cred.save()
    body = (
        api("manager")
        .post(f"/api/v1/credentials/{cred.pk}/test/", {"address": "127.0.0.1"}, format="json")
        .json()
    )
    assert body["ok"] is True and body["sys_descr"].startswith("Linux")


def test_poll_device_command_prints_oid_raw_computed_and_timing(device, capsys):
    call_command("poll_device", device.name, "--raw")
    out = capsys.readouterr().out
    assert f"{device.name} 127.0.0.1: ok" in out
    assert "1.3.6.1.2.1.1.3.0" in out and " ms  raw=" in out and "computed=" in out
    assert "if_oper_status{" in out


def test_admin_poll_now_action_reports_each_device(device, superuser_client):
    url = reverse("admin:monitoring_device_changelist")
    response = superuser_client.post(
        url, {"action": "poll_now", "_selected_action": [device.pk]}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert response.status_code == 200
    assert len(shown) == 1 and shown[0].startswith("lab-1: ") and "samples" in shown[0], shown
    assert Device.objects.get(pk=device.pk).snmp_reachable is True
