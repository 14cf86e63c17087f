"""Real agents for the polling tests: snmpsim serving the simulated network, net-snmp snmpd."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from monitoring.choices import SecurityLevel, SnmpVersion, ValueType
from monitoring.models import Device, MonitoringItem, MonitoringTemplate, SNMPCredential
from monitoring.simnet.agents import SimAgent
from monitoring.simnet.generate import write_device
from monitoring.templates import apply_template
from tests.servers.ports import LOOPBACK, free_udp_port
from tests.servers.snmpd import start_snmpd, stop_snmpd

SIM_KINDS = ["cisco-ios-router", "linux-server", "windows-server", "wrap32", "hp-printer"]


@pytest.fixture(autouse=True)
def counter_cache(db):
    """The embedded default's database cache holds counter state and poll locks."""
    call_command("createcachetable", verbosity=0)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("snmprec")
    for kind in SIM_KINDS:
        write_device(kind, directory)
    return directory


@pytest.fixture(scope="session")
def sim_agent(sim_dir):
    """One snmpsim serving every kind (community = kind), for the whole session."""
    agent = SimAgent(sim_dir, [(LOOPBACK, free_udp_port())])
    agent.start(probe_community="linux-server")
    yield agent
    agent.stop()


@pytest.fixture(scope="session")
def snmpd_server():
    server = start_snmpd()
    yield server
    stop_snmpd(server)


def make_credential(name: str, **fields) -> SNMPCredential:
    defaults = {"version": SnmpVersion.V2C, "timeout": 1.0, "retries": 0}
    return SNMPCredential.objects.create(name=name, **{**defaults, **fields})


def make_device(name: str, port: int, credential: SNMPCredential, **fields) -> Device:
    credential.port = port
    credential.save()
    return Device.objects.create(
        name=name, ip_address=LOOPBACK, snmp_credential=credential, **fields
    )


def sim_device(agent: SimAgent, kind: str, template: str | None = "Generic SNMP") -> Device:
    port = agent.endpoints[0][1]
    cred = make_credential(f"sim-{kind}", community=kind)
    device = make_device(f"sim-{kind}", port, cred)
    if template:
        apply_template(MonitoringTemplate.objects.get(name=template), [device])
    return device


def add_items(device: Device, rows: list[tuple[str, str, str]], interval: int = 60) -> None:
    for key, oid, value_type in rows:
        MonitoringItem.objects.create(
            device=device, key=key, name=key, oid=oid, value_type=value_type, interval=interval
        )


V3 = {"version": SnmpVersion.V3, "security_level": SecurityLevel.AUTH_PRIV}
COLUMN = ValueType.TABLE_COLUMN
