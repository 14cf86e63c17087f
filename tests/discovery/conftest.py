"""Discovery fixtures: simulated devices on loopback, silent addresses in a netns lab."""

from collections.abc import Iterator

import pytest

from monitoring.models import SNMPCredential
from tests.discovery.lab import COMMUNITY, SimLab, random_block
from tests.servers.netns import netns_lab  # noqa: F401 - fixture

# The recordings a discovery must tell apart, one per address (.10 - .17).
KINDS = [
    "cisco-ios-router",
    "cisco-catalyst-switch",
    "juniper-mx",
    "mikrotik-router",
    "linux-server",
    "windows-server",
    "hp-printer",
    "fortigate-firewall",
]
# kind -> (vendor, device type, template) the classifier must name.
EXPECTED = {
    "cisco-ios-router": ("Cisco", "router", "Cisco IOS"),
    "cisco-catalyst-switch": ("Cisco", "switch", "Cisco IOS"),
    "juniper-mx": ("Juniper", "router", "Generic SNMP"),
    "mikrotik-router": ("MikroTik", "router", "Generic SNMP"),
    "linux-server": ("Linux", "server", "Linux"),
    "windows-server": ("Microsoft", "server", "Windows"),
    "hp-printer": ("HP", "printer", "Generic SNMP"),
    "fortigate-firewall": ("Fortinet", "firewall", "Generic SNMP"),
}
SYS_NAMES = {
    "cisco-ios-router": "edge-rtr-01",
    "cisco-catalyst-switch": "access-sw-01",
    "juniper-mx": "border-mx-01",
    "mikrotik-router": "gw-branch-02",
    "linux-server": "web-01",
    "windows-server": "APPSRV01",
    "hp-printer": "NPI3A5C21",
    "fortigate-firewall": "fw-branch-01",
}


class Lab:
    def __init__(self, sim: SimLab, block: str) -> None:
        self.sim = sim
        self.block = block
        self.by_kind = {kind: address for address, kind in sim.devices.items()}
        self.snmp_addresses = list(sim.devices)
        self.no_snmp_addresses = [f"{block}.{n}" for n in (20, 21, 22)]  # ping, no agent

    @property
    def live(self) -> list[str]:
        return self.snmp_addresses + self.no_snmp_addresses

    @property
    def port(self) -> int:
        return self.sim.port


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    block = random_block()
    sim = SimLab({f"{block}.{10 + i}": kind for i, kind in enumerate(KINDS)})
    try:
        sim.start()  # raises with snmpsim's log if an agent cannot start
    except Exception as err:
        pytest.fail(f"simulated agents did not start: {err}", pytrace=False)
    yield Lab(sim, block)
    sim.stop()


@pytest.fixture(autouse=True)
def _no_dns_leaves_loopback(settings) -> None:
    # The resolver here is a non-loopback server: tests inject their own resolver.
    settings.DISCOVERY_REVERSE_DNS = False
    # The shared `users` fixture hashes four passwords per test: a fast hasher keeps it cheap.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def credential(db, lab) -> SNMPCredential:
    return SNMPCredential.objects.create(
        name="lab-public", community=COMMUNITY, port=lab.port, timeout=1.0, retries=0
    )


@pytest.fixture
def wrong_credential(db, lab) -> SNMPCredential:
    return SNMPCredential.objects.create(
        name="lab-wrong", community="not-the-community", port=lab.port, timeout=0.3, retries=0
    )
