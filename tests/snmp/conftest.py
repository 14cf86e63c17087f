"""Session-wide SNMP servers: a real net-snmp snmpd and snmpsim with our simnet files."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitoring.simnet.agents import SimAgent
from monitoring.simnet.generate import write_all
from tests.servers.ports import LOOPBACK, free_udp_port
from tests.servers.snmpd import SnmpdServer, start_snmpd, stop_snmpd


@pytest.fixture(scope="session")
def snmpd() -> Iterator[SnmpdServer]:
    server = start_snmpd()  # raises with the reason (and snmpd's log) if it cannot start
    yield server
    stop_snmpd(server)


@pytest.fixture(scope="session")
def simnet_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("simnet")
    write_all(directory)
    return directory


@pytest.fixture(scope="session")
def simnet(simnet_dir: Path) -> Iterator[SimAgent]:
    agent = SimAgent(simnet_dir, [(LOOPBACK, free_udp_port())]).start()
    yield agent
    agent.stop()
