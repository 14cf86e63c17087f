"""/api/v1/zabbix/servers/: roles, write-only secrets, test and sync against the real Zabbix."""

from tests.servers.zabbix import ADMIN_PASSWORD, ADMIN_USER, free_port
from zabbix_bridge.models import ZabbixServer

URL = "/api/v1/zabbix/servers/"


def body(url: str, **extra) -> dict:
    return {"name": "lab", "url": url, "username": ADMIN_USER, "password": ADMIN_PASSWORD, **extra}


def test_admin_creates_a_server_and_no_secret_comes_back(api, zabbix):
    answer = api("admin").post(URL, body(zabbix.url, api_token=""), format="json")
    assert answer.status_code == 201, answer.data
    listed = api("admin").get(URL).json()["results"][0]
    for secret in ("api_token", "username", "password"):
        assert secret not in listed and secret not in answer.data
    assert listed["has_password"] is True
    stored = ZabbixServer.objects.get()
    assert stored.password == ADMIN_PASSWORD
    assert ADMIN_PASSWORD not in str(answer.content) and ADMIN_PASSWORD not in str(listed)


def test_a_token_and_a_password_together_are_refused_naming_the_field(api, zabbix):
    answer = api("admin").post(URL, body(zabbix.url, api_token="t" * 64), format="json")
    assert answer.status_code == 400
    assert "api_token" in answer.data


def test_no_credentials_are_refused_naming_the_fields(api, zabbix):
    answer = api("admin").post(URL, {"name": "x", "url": zabbix.url}, format="json")
    assert answer.status_code == 400
    assert set(answer.data) == {"username", "password"}


def test_managers_read_but_do_not_write_or_test(api, zabbix):
    server = ZabbixServer.objects.create(**body(zabbix.url))
    assert api("manager").get(URL).status_code == 200
    assert api("manager").post(URL, body(zabbix.url, name="m"), format="json").status_code == 403
    assert api("manager").post(f"{URL}{server.pk}/test/").status_code == 403
    assert api("viewer").get(URL).status_code == 403


def test_test_answers_the_version(api, zabbix):
    server = ZabbixServer.objects.create(**body(zabbix.url))
    answer = api("admin").post(f"{URL}{server.pk}/test/")
    assert answer.status_code == 200
    assert answer.data["version"].startswith("6.0.")
    server.refresh_from_db()
    assert server.version == answer.data["version"]


def test_test_names_unreachable(api, zabbix):
    dead = f"http://127.0.0.1:{free_port()}/api_jsonrpc.php"
    server = ZabbixServer.objects.create(**body(dead, timeout=2))
    answer = api("admin").post(f"{URL}{server.pk}/test/")
    assert answer.status_code == 502
    assert answer.data["error"] == "unreachable"


def test_test_names_bad_credentials(api, zabbix, zapi, clean_zabbix):
    zapi.user.create(
        username="wf-api-bad", passwd="right-password-42", roleid="1", usrgrps=[{"usrgrpid": "7"}]
    )
    server = ZabbixServer.objects.create(**body(zabbix.url, username="wf-api-bad", password="nope"))
    answer = api("admin").post(f"{URL}{server.pk}/test/")
    assert answer.status_code == 502
    assert answer.data["error"] == "bad_credentials"
    assert "Incorrect user name or password" in answer.data["detail"]


def test_test_names_a_blocked_account(api, zabbix, zapi, clean_zabbix):
    zapi.user.create(
        username="wf-api-blocked",
        passwd="right-password-42",
        roleid="1",
        usrgrps=[{"usrgrpid": "9"}],
    )
    server = ZabbixServer.objects.create(
        **body(zabbix.url, username="wf-api-blocked", password="right-password-42")
    )
    answer = api("admin").post(f"{URL}{server.pk}/test/")
    assert answer.data["error"] == "account_blocked"


def test_sync_answers_its_summary(api, zserver, settings):
    answer = api("admin").post(f"{URL}{zserver.pk}/sync/")
    assert answer.status_code == 200, answer.data
    assert answer.data["hosts"]["created"] >= 1
    zserver.refresh_from_db()
    assert zserver.last_sync_at is not None and zserver.last_sync_error == ""
    assert zserver.last_sync_summary["hosts"] == answer.data["hosts"]
