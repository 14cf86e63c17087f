"""The client against the real Zabbix 6.0: version, both logins, and each error kind."""

import pytest

from tests.servers.zabbix import ADMIN_PASSWORD, ADMIN_USER, free_port
from zabbix_bridge.client import (
    ZabbixAccountBlocked,
    ZabbixApiError,
    ZabbixAuthError,
    ZabbixClient,
    ZabbixUnreachable,
    client_for,
)

DISABLED_GROUP = "9"  # "Disabled" user group from data.sql: users_status = disabled
ZABBIX_ADMINS_GROUP = "7"
USER_ROLE = "1"


def make_user(zapi, username: str, group: str = ZABBIX_ADMINS_GROUP) -> None:
    zapi.user.create(
        username=username,
        passwd="right-password-42",
        roleid=USER_ROLE,
        usrgrps=[{"usrgrpid": group}],
    )


def test_it_detects_the_version_without_logging_in(zabbix):
    assert ZabbixClient(zabbix.url).version.startswith("6.0.")


def test_it_logs_in_with_a_password_and_gets_hosts(zabbix):
    client = ZabbixClient(zabbix.url, username=ADMIN_USER, password=ADMIN_PASSWORD).connect()
    hosts = client.get("host", {"output": ["host"]})
    assert "Zabbix server" in [h["host"] for h in hosts]


def test_it_logs_in_with_an_api_token(zabbix, zapi, clean_zabbix):
    tokenid = zapi.token.create(name="wf-test-token", userid="1")["tokenids"][0]
    token = zapi.token.generate(tokenid)[0]["token"]
    try:
        client = ZabbixClient(zabbix.url, token=token).connect()
        assert client.get("hostgroup", {"output": ["name"], "limit": 1})
    finally:
        zapi.token.delete(tokenid)


def test_a_wrong_token_is_a_bad_credentials_error(zabbix):
    with pytest.raises(ZabbixAuthError) as caught:
        ZabbixClient(zabbix.url, token="0" * 64).connect()
    assert not isinstance(caught.value, ZabbixAccountBlocked)


def test_a_wrong_password_is_a_bad_credentials_error_with_the_servers_words(
    zabbix, zapi, clean_zabbix
):
    # Not Admin: five failures would lock Admin out of the rest of the suite for 30 s.
    make_user(zapi, "wf-wrongpass")
    with pytest.raises(ZabbixAuthError) as caught:
        ZabbixClient(zabbix.url, username="wf-wrongpass", password="wrong").connect()
    assert "Incorrect user name or password" in str(caught.value)
    assert not isinstance(caught.value, ZabbixAccountBlocked)


def test_a_user_in_a_disabled_group_is_account_blocked(zabbix, zapi, clean_zabbix):
    make_user(zapi, "wf-disabled", group=DISABLED_GROUP)
    with pytest.raises(ZabbixAccountBlocked) as caught:
        ZabbixClient(zabbix.url, username="wf-disabled", password="right-password-42").connect()
    assert "No permissions for system access" in str(caught.value)


def test_a_dead_port_is_unreachable(zabbix):
    url = f"http://127.0.0.1:{free_port()}/api_jsonrpc.php"
    with pytest.raises(ZabbixUnreachable, match="unreachable"):
        _ = ZabbixClient(url, timeout=2).version


def test_an_api_error_carries_the_servers_message(zabbix):
    client = ZabbixClient(zabbix.url, username=ADMIN_USER, password=ADMIN_PASSWORD)
    with pytest.raises(ZabbixApiError) as caught:
        client.call("host.create", {"host": "no group"})
    assert caught.value.server_message
    assert "Invalid params" in caught.value.server_message


def test_pages_by_id_cover_every_host_once(zabbix, zapi, clean_zabbix):
    from tests.zabbix.zbx import make_host

    made = {make_host(zapi, items=())["hostid"] for _ in range(5)}
    client = ZabbixClient(zabbix.url, username=ADMIN_USER, password=ADMIN_PASSWORD)
    pages = list(client.iter_by_ids("host", "hostid", {"output": ["hostid"]}, page_size=2))
    ids = [h["hostid"] for page in pages for h in page]
    assert made <= set(ids) and len(ids) == len(set(ids))
    assert max(len(p) for p in pages) == 2


def test_one_client_per_server_until_the_server_changes(db, zabbix):
    from zabbix_bridge.models import ZabbixServer

    server = ZabbixServer.objects.create(name="c", url=zabbix.url, username="u", password="p")
    assert client_for(server) is client_for(server)
    first = client_for(server)
    server.timeout = 5
    server.save()
    assert client_for(server) is not first
