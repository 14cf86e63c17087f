"""Polls and credential trials with an SNMPv3 context, against snmpd proxying a context.

snmpd serves context "ctxA" by proxying it to snmpsim's "linux-server" device
(``proxy -Cn ctxA``), so a device polled with that context must look like the simulated
server (sysName web-01, interfaces lo/eth0/eth1 at the simulated speeds), not this host.
"""

import os

import pytest

from monitoring.models import MonitoringTemplate
from monitoring.polling import poll_device
from monitoring.simnet.devices import DEVICE_KINDS
from monitoring.templates import apply_template
from tests.polling.conftest import make_credential, make_device
from tests.servers.snmpd import AUTH_PASS, proxied_context, start_snmpd, stop_snmpd

CONTEXT = "ctxA"
PROXIED = DEVICE_KINDS["linux-server"]
URL = "/api/v1/credentials/test/"


@pytest.fixture(scope="module")
def proxy_snmpd(sim_agent):
    sim_port = sim_agent.endpoints[0][1]
    server = start_snmpd(
        extra_lines=proxied_context(CONTEXT, sim_port, "linux-server", (("auth-sha", "auth"),))
    )
    yield server
    stop_snmpd(server)


def auth_sha(**more) -> dict:
    return {
        "version": "v3", "username": "auth-sha", "security_level": "authNoPriv",
        "auth_protocol": "SHA", "auth_key": AUTH_PASS, "timeout": 1, "retries": 0, **more,
    }  # fmt: skip


@pytest.mark.django_db
def test_poll_with_a_context_gives_the_proxied_agent(proxy_snmpd):
    cred = make_credential("ctx", **auth_sha(context=CONTEXT))
    device = make_device("via-ctx", proxy_snmpd.port, cred)
    apply_template(MonitoringTemplate.objects.get(name="Generic SNMP"), [device])
    result = poll_device(device.pk)
    assert result.ok, result.error
    assert {"sys_uptime_seconds", "if_oper_status", "snmp_poll_ok"} <= {
        s.name for s in result.samples
    }
    device.refresh_from_db()
    assert device.sys_descr == PROXIED.sys_descr
    assert device.snmp_reachable is True
    speeds = dict(device.interfaces.values_list("if_name", "if_speed_bps"))
    assert speeds == {i.name: i.speed_mbps * 1_000_000 for i in PROXIED.interfaces}, speeds
    statuses = [s for s in result.samples if s.name == "if_oper_status"]
    assert {s.labels["ifName"] for s in statuses} == {"lo", "eth0", "eth1"}


@pytest.mark.django_db
def test_poll_without_the_context_gives_the_agent_itself(proxy_snmpd):
    cred = make_credential("no-ctx", **auth_sha())
    device = make_device("no-ctx", proxy_snmpd.port, cred)
    apply_template(MonitoringTemplate.objects.get(name="Generic SNMP"), [device])
    result = poll_device(device.pk)
    assert result.ok, result.error
    device.refresh_from_db()
    assert device.sys_descr != PROXIED.sys_descr and os.uname().nodename in device.sys_descr


def test_credential_trial_api_with_a_context(api, proxy_snmpd):
    body = {**auth_sha(context=CONTEXT), "port": proxy_snmpd.port, "address": "127.0.0.1"}
    found = api("admin").post(URL, body, format="json").json()
    assert found["ok"] is True and found["sys_name"] == PROXIED.sys_name, found
    unknown = api("admin").post(URL, {**body, "context": "vlan-999"}, format="json").json()
    assert unknown["ok"] is False and "'vlan-999'" in unknown["error"], unknown
    wrong = api("admin").post(URL, {**body, "auth_key": "wrong-auth-key-1"}, format="json")
    assert wrong.json()["reason"] == "wrong digest", wrong.json()
