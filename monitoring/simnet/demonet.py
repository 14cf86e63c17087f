"""The demo network behind `make demo`: one snmpsim agent per loopback address.

snmpsim answers every community it has a file for on every endpoint, so each device gets
its own process serving a single ``public.snmprec`` on its own address (127.77.0.x by
default), as real devices on a subnet do. One of them, the flapper, is stopped and started
again on a bounded cycle so an SNMP-unreachable alert fires and resolves while you watch.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from monitoring.simnet.agents import SimAgent
from monitoring.simnet.generate import write_device

COMMUNITY = "public"
DEFAULT_PREFIX = "127.77.0"
# Unprivileged: `make demo` must not need root for port 161.
DEFAULT_PORT = 1161


@dataclass(frozen=True)
class DemoDevice:
    """One simulated device and how WARD FLUX should know it."""

    name: str
    host: int  # last octet of its loopback address
    kind: str  # a key of monitoring.simnet.devices.DEVICE_KINDS
    template: str
    device_type: str
    vendor: str
    site: str


DEMO_DEVICES = (
    DemoDevice("edge-rtr-01", 10, "cisco-ios-router", "Cisco IOS", "router", "Cisco", "HQ"),
    DemoDevice("access-sw-01", 11, "cisco-catalyst-switch", "Cisco IOS", "switch", "Cisco", "HQ"),
    DemoDevice("border-mx-01", 12, "juniper-mx", "Generic SNMP", "router", "Juniper", "HQ"),
    DemoDevice("web-01", 13, "linux-server", "Linux", "server", "Linux", "HQ"),
    DemoDevice("APPSRV01", 14, "windows-server", "Windows", "server", "Microsoft", "HQ"),
    DemoDevice("fw-branch-01", 15, "fortigate-firewall", "Generic SNMP", "firewall", "Fortinet",
               "Branch"),
    DemoDevice("gw-branch-02", 16, "mikrotik-router", "Generic SNMP", "router", "MikroTik",
               "Branch"),
)  # fmt: skip
# The branch gateway on a flaky line: the device that goes down and comes back.
FLAPPER = "gw-branch-02"


def address_of(device: DemoDevice, prefix: str = DEFAULT_PREFIX) -> str:
    address = f"{prefix}.{device.host}"
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"the demo network lives on loopback, not {address}")
    return address


def is_port_free(addresses: list[str], port: int) -> bool:
    for address in addresses:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind((address, port))
            except OSError:
                return False
    return True


@dataclass
class DemoNetwork:
    """Writes the recordings under ``directory`` and runs one agent per device."""

    directory: Path
    prefix: str = DEFAULT_PREFIX
    port: int = DEFAULT_PORT
    agents: dict[str, SimAgent] = field(default_factory=dict)
    on_change: Callable[[], None] = lambda: None  # called when an agent's pid changes

    def address(self, device: DemoDevice) -> str:
        return address_of(device, self.prefix)

    def write(self) -> None:
        for device in DEMO_DEVICES:
            folder = self.directory / device.name
            write_device(device.kind, folder, community=COMMUNITY)
            self.agents[device.name] = SimAgent(
                folder, [(self.address(device), self.port)], workdir=folder / "run"
            )

    def start(self) -> None:
        if not self.agents:
            self.write()
        addresses = [self.address(d) for d in DEMO_DEVICES]
        if not is_port_free(addresses, self.port):
            raise RuntimeError(
                f"UDP port {self.port} is taken on {self.prefix}.x: is another demo running? "
                "(`python manage.py demo --stop`, or pick --snmp-port / --net)"
            )
        try:
            with ThreadPoolExecutor(len(self.agents)) as pool:
                list(pool.map(lambda a: a.start(probe_community=COMMUNITY), self.agents.values()))
        except BaseException:
            self.stop()
            raise
        finally:
            self.on_change()

    def stop(self) -> None:
        for agent in self.agents.values():
            agent.stop()
        self.on_change()

    def set_up(self, name: str, up: bool) -> None:
        agent = self.agents[name]
        agent.start(probe_community=COMMUNITY) if up else agent.stop()
        self.on_change()

    def pids(self) -> dict[str, int]:
        return {
            name: a.process.pid
            for name, a in self.agents.items()
            if a.process is not None and a.process.poll() is None
        }


class Flapper(threading.Thread):
    """Takes one device's agent down after ``after_s``, up again ``for_s`` later; repeats
    every ``every_s`` for ``cycles`` cycles. Bounded; stops early when ``stop()`` is called."""

    def __init__(
        self,
        network: DemoNetwork,
        name: str,
        after_s: float,
        for_s: float,
        every_s: float,
        cycles: int,
        log: Callable[[str], None] = print,
    ) -> None:
        super().__init__(name="demo-flapper", daemon=True)
        self.network, self.device = network, name
        self.after_s, self.for_s, self.every_s, self.cycles = after_s, for_s, every_s, cycles
        self.log = log
        self._stopping = threading.Event()

    def run(self) -> None:
        wait = self.after_s
        for n in range(1, self.cycles + 1):
            if self._stopping.wait(wait):
                return
            self.log(f"demo: {self.device} goes down ({n}/{self.cycles}) for {self.for_s:.0f}s")
            self.network.set_up(self.device, False)
            if self._stopping.wait(self.for_s):
                return
            self.log(f"demo: {self.device} comes back")
            try:
                self.network.set_up(self.device, True)
            except RuntimeError as exc:  # snmpsim would not start again: say so, stop flapping
                self.log(f"demo: {self.device} did not come back: {exc}")
                return
            wait = self.every_s

    def stop(self) -> None:
        self._stopping.set()
