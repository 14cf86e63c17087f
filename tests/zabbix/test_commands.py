"""zabbix_sync and zabbix_export_devices against the real Zabbix; the health check."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from monitoring.choices import SnmpVersion, Source
from monitoring.models import Device, SNMPCredential
from tests.zabbix.zbx import make_host
from wardflux.health import run_checks


def test_zabbix_sync_prints_a_summary_table(zserver, zapi):
    make_host(zapi, name="cmd-1")
    out = StringIO()
    call_command("zabbix_sync", "--server", "lab", stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].split()[0] == "server" and lines[1].startswith("lab")
    assert lines[1].rstrip().endswith("ok")
    assert Device.objects.filter(name="cmd-1", source=Source.ZABBIX).exists()


def test_zabbix_sync_fails_loudly_for_an_unknown_server(db):
    with pytest.raises(CommandError, match="no Zabbix server named 'nope'"):
        call_command("zabbix_sync", "--server", "nope")


def test_export_creates_snmp_hosts_once_and_the_sync_links_them(zserver, zapi):
    v2 = SNMPCredential.objects.create(
        name="v2", version=SnmpVersion.V2C, community="s3cret", port=1161
    )
    v3 = SNMPCredential.objects.create(
        name="v3",
        version=SnmpVersion.V3,
        username="ops",
        security_level="authPriv",
        auth_protocol="SHA-256",
        auth_key="authkey123",
        priv_protocol="AES-128",
        priv_key="privkey123",
    )
    Device.objects.create(name="sw-1", ip_address="127.0.0.41", snmp_credential=v2)
    Device.objects.create(name="rt/2", ip_address="127.0.0.42", snmp_credential=v3)
    out = StringIO()
    call_command(
        "zabbix_export_devices",
        "--server",
        "lab",
        "--group",
        "WF test",
        stdout=out,
        stderr=StringIO(),
    )
    assert "2 hosts created" in out.getvalue()
    hosts = zapi.host.get(
        output=["host", "name"],
        selectInterfaces="extend",
        selectMacros="extend",
        selectParentTemplates=["host"],
        filter={"name": ["sw-1", "rt/2"]},
    )
    by_name = {h["name"]: h for h in hosts}
    sw = by_name["sw-1"]["interfaces"][0]
    assert (sw["type"], sw["ip"], sw["port"]) == ("2", "127.0.0.41", "1161")
    assert sw["details"]["community"] == "{$SNMP_COMMUNITY}"
    assert by_name["rt/2"]["host"] == "rt_2"
    rt = by_name["rt/2"]["interfaces"][0]["details"]
    assert (rt["version"], rt["securityname"], rt["securitylevel"]) == ("3", "ops", "2")
    assert by_name["sw-1"]["parentTemplates"][0]["host"] == "Generic by SNMP"
    again = StringIO()
    call_command(
        "zabbix_export_devices",
        "--server",
        "lab",
        "--group",
        "WF test",
        stdout=again,
        stderr=StringIO(),
    )
    assert "0 hosts created, 2 existing" in again.getvalue()
    # The sync sees our devices in Zabbix and links them, keeping them ours.
    from zabbix_bridge.sync import sync_server

    summary = sync_server(zserver, write=lambda s: None)
    assert summary["hosts"]["linked"] == 2
    device = Device.objects.get(name="sw-1")
    assert device.source == Source.WARDFLUX and device.zabbix_hostid == sw["hostid"]


def test_health_reports_each_enabled_server(zserver):
    from zabbix_bridge.models import ZabbixServer

    ZabbixServer.objects.create(
        name="gone", url="http://127.0.0.1:1/api_jsonrpc.php", username="u", password="p", timeout=2
    )
    ok, components = run_checks()
    servers = components["zabbix"]["servers"]
    assert servers["lab"]["reachable"] is True and servers["lab"]["version"].startswith("6.0.")
    assert servers["gone"]["reachable"] is False and "unreachable" in servers["gone"]["error"]
    assert servers["lab"]["last_sync_age_s"] is None
    assert components["zabbix"]["ok"] is False
