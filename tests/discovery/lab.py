"""Simulated devices for discovery: one snmpsim agent per loopback address.

snmpsim answers every community it has a file for on every endpoint, so one process per
address (each with a single ``public.snmprec``) is what makes 127.x.y.10 a Cisco router and
127.x.y.11 a switch, as real devices on a subnet are. Agents start in parallel (~2 s).
"""

from __future__ import annotations

import random
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from monitoring.simnet.agents import SimAgent
from monitoring.simnet.generate import write_device

COMMUNITY = "public"
PORT_ATTEMPTS = 20


def _udp_port_free_on_all(addresses: list[str], port: int) -> bool:
    sockets = []
    try:
        for address in addresses:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sockets.append(sock)
            sock.bind((address, port))
        return True
    except OSError:
        return False
    finally:
        for sock in sockets:
            sock.close()


def free_common_port(addresses: list[str]) -> int:
    for _ in range(PORT_ATTEMPTS):
        port = random.randrange(20_000, 60_000)
        if _udp_port_free_on_all(addresses, port):
            return port
    raise RuntimeError(f"no UDP port free on all of {addresses}")


@dataclass
class SimLab:
    """``devices``: address -> kind. ``port``: the SNMP port every agent listens on."""

    devices: dict[str, str]
    port: int = 0
    agents: list[SimAgent] = field(default_factory=list)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wf-disc-lab-")))

    def start(self) -> SimLab:
        addresses = list(self.devices)
        self.port = self.port or free_common_port(addresses)
        for address, kind in self.devices.items():
            directory = self.workdir / address
            write_device(kind, directory, community=COMMUNITY)
            self.agents.append(SimAgent(directory, [(address, self.port)]))
        try:
            with ThreadPoolExecutor(min(16, len(self.agents))) as pool:
                list(pool.map(lambda a: a.start(probe_community=COMMUNITY), self.agents))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for agent in self.agents:
            agent.stop()


def random_block(first_octet_2: int = 21) -> str:
    """A random 127.<first_octet_2>.x prefix, so parallel runs rarely share addresses."""
    return f"127.{first_octet_2}.{random.randrange(1, 255)}"
