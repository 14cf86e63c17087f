"""Test credentials before they are saved (API and admin form), against snmpd.

Nothing of the trial may reach the database, and no secret may come back to the caller.
"""

import os

from django.urls import reverse

from monitoring.models import SNMPCredential
from tests.polling.conftest import make_credential
from tests.servers.snmpd import AUTH_PASS

URL = "/api/v1/credentials/test/"
# net-snmp answers sysName with the host's name when its config sets none (ours sets none).
SYS_NAME = os.uname().nodename


def v2c(server, **more) -> dict:
    return {"version": "v2c", "community": server.community, "port": server.port, **more}


def v3_auth(server, key: str) -> dict:
    return {
        "version": "v3", "username": "auth-sha", "security_level": "authNoPriv",
        "auth_protocol": "SHA", "auth_key": key, "port": server.port, "timeout": 1, "retries": 0,
    }  # fmt: skip


# --- API ------------------------------------------------------------------------------------


def test_api_tries_an_unsaved_v2c_credential_and_writes_nothing(api, snmpd_server):
    before = SNMPCredential.objects.count()
    response = api("manager").post(URL, {**v2c(snmpd_server), "address": "127.0.0.1"}, "json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is True and body["sys_name"] == SYS_NAME
    assert body["sys_descr"].startswith("Linux")
    assert SNMPCredential.objects.count() == before
    assert snmpd_server.community not in response.content.decode()


def test_api_names_the_v3_reason_for_a_wrong_auth_key(api, snmpd_server):
    wrong = "wrong-auth-key-1"
    body = {**v3_auth(snmpd_server, wrong), "name": "draft", "address": "127.0.0.1"}
    response = api("admin").post(URL, body, format="json")
    assert response.status_code == 200, response.content
    found = response.json()
    assert found["ok"] is False and found["reason"] == "wrong digest", found
    assert wrong not in response.content.decode()
    good = api("admin").post(URL, {**body, "auth_key": AUTH_PASS}, format="json").json()
    assert good["ok"] is True and good["sys_name"] == SYS_NAME
    assert not SNMPCredential.objects.filter(name="draft").exists()


def test_api_validates_like_a_create(api, db):
    before = SNMPCredential.objects.count()
    short = {"version": "v3", "username": "u", "security_level": "authPriv",
             "auth_protocol": "SHA", "auth_key": "short", "address": "127.0.0.1"}  # fmt: skip
    response = api("admin").post(URL, short, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"auth_key", "priv_protocol", "priv_key"} <= set(errors), errors
    bad = api("admin").post(URL, {"version": "v2c", "community": "c", "port": 70000}, "json")
    assert bad.status_code == 400 and {"port", "address"} <= set(bad.json()), bad.json()
    assert SNMPCredential.objects.count() == before


def test_api_takes_the_name_of_an_existing_credential(api, snmpd_server):
    """Trying an edit of a saved profile under its own name is no unique-name conflict."""
    make_credential("core", community="other")
    body = {**v2c(snmpd_server), "name": "core", "address": "127.0.0.1"}
    response = api("admin").post(URL, body, format="json")
    assert response.status_code == 200 and response.json()["ok"] is True, response.content
    assert SNMPCredential.objects.get(name="core").community == "other"


def test_api_trial_is_for_staff_only(api, snmpd_server):
    body = {**v2c(snmpd_server), "address": "127.0.0.1"}
    assert api("viewer").post(URL, body, format="json").status_code == 403
    assert api("technician").post(URL, body, format="json").status_code == 403
    assert api(None).post(URL, body, format="json").status_code == 401


# --- admin form -----------------------------------------------------------------------------


def form_data(**fields) -> dict:
    base = {
        "name": "draft", "version": "v2c", "community": "", "username": "",
        "security_level": "noAuthNoPriv", "auth_protocol": "", "auth_key": "",
        "priv_protocol": "", "priv_key": "", "context": "", "port": 161, "timeout": 1,
        "retries": 0, "test_address": "127.0.0.1", "_test": "Test before saving",
    }  # fmt: skip
    return {**base, **fields}


def shown(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def test_admin_add_form_tests_without_saving(superuser_client, snmpd_server):
    url = reverse("admin:monitoring_snmpcredential_add")
    page = superuser_client.get(url).content.decode()
    assert 'name="_test"' in page and 'name="test_address"' in page
    data = form_data(community=snmpd_server.community, port=snmpd_server.port)
    response = superuser_client.post(url, data)
    assert response.status_code == 200  # re-rendered, not redirected
    assert shown(response) == [("success", f"Not saved; 127.0.0.1: answers as {SYS_NAME!r}")]
    assert not SNMPCredential.objects.filter(name="draft").exists()
    html = response.content.decode()
    assert 'value="draft"' in html and f'value="{snmpd_server.port}"' in html
    assert snmpd_server.community not in html  # the secret is not echoed into the page


def test_admin_add_form_shows_the_v3_reason(superuser_client, snmpd_server):
    url = reverse("admin:monitoring_snmpcredential_add")
    data = form_data(**{k: str(v) for k, v in v3_auth(snmpd_server, "wrong-auth-key-1").items()})
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    [(level, text)] = shown(response)
    assert level == "error" and "wrong digest" in text, text
    assert "wrong-auth-key-1" not in response.content.decode()
    assert not SNMPCredential.objects.filter(name="draft").exists()


def test_admin_trial_validates_and_needs_an_address(superuser_client, db):
    url = reverse("admin:monitoring_snmpcredential_add")
    response = superuser_client.post(url, form_data(test_address="", community="x"))
    assert response.status_code == 200 and shown(response) == []
    assert "test_address" in response.context["adminform"].form.errors
    data = form_data(version="v3", username="u", security_level="authNoPriv")
    bad = superuser_client.post(url, data)
    assert "auth_key" in bad.context["adminform"].form.errors
    assert not SNMPCredential.objects.exists()


def test_admin_change_form_keeps_stored_secrets_left_blank(superuser_client, snmpd_server):
    cred = make_credential("lab", community=snmpd_server.community, port=snmpd_server.port)
    url = reverse("admin:monitoring_snmpcredential_change", args=[cred.pk])
    # The community is left blank: the stored one is tried.
    response = superuser_client.post(url, form_data(name="lab", port=snmpd_server.port))
    assert response.status_code == 200
    assert shown(response) == [("success", f"Not saved; 127.0.0.1: answers as {SYS_NAME!r}")]
    wrong = superuser_client.post(url, form_data(name="renamed", community="not-the-community"))
    [(level, _text)] = shown(wrong)
    assert level == "error"
    cred.refresh_from_db()
    assert (cred.name, cred.community) == ("lab", snmpd_server.community)
    # Save without _test still saves: the button changed nothing else.
    data = {k: v for k, v in form_data(name="lab2", port=snmpd_server.port).items() if k != "_test"}
    assert superuser_client.post(url, data).status_code == 302
    cred.refresh_from_db()
    assert (cred.name, cred.community) == ("lab2", snmpd_server.community)
