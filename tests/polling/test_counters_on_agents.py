"""Counter wrap, agent restart and ifIndex renumbering, each on an agent that really does it."""

import shutil
import time

import pytest

from monitoring.models import DeviceInterface
from monitoring.polling import poll_device
from monitoring.simnet.agents import SimAgent
from monitoring.simnet.devices import WRAP32_IN_OCTETS_PER_S
from monitoring.simnet.generate import write_device
from tests.polling.conftest import COLUMN, add_items, sim_device
from tests.servers.ports import LOOPBACK, free_udp_port

IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10"
IF_OUT_OCTETS = "1.3.6.1.2.1.2.2.1.16"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"
THIRTY_TWO_BIT_ITEMS = [
    ("ifName", IF_NAME, COLUMN),
    ("ifHighSpeed", IF_HIGH_SPEED, COLUMN),
    ("ifInOctets", IF_IN_OCTETS, COLUMN),
    ("ifOutOctets", IF_OUT_OCTETS, COLUMN),
]
MAX_TRIES = 6


def raw_in_octets(result) -> int:
    return next(i["raw"]["1"] for i in result.items if i["key"] == "ifInOctets")


def in_bps(result) -> list[float]:
    return [s.value for s in result.samples if s.name == "if_in_bps"]


@pytest.mark.django_db
def test_counter32_wrap_gives_positive_rate(sim_agent):
    """ifInOctets grows 1e9 octets/s and wraps 2**32 every ~4.3 s; poll until one wraps."""
    device = sim_device(sim_agent, "wrap32", template=None)
    add_items(device, THIRTY_TWO_BIT_ITEMS)
    previous = poll_device(device.pk)
    for _ in range(MAX_TRIES):
        time.sleep(1.2)
        current = poll_device(device.pk)
        if raw_in_octets(current) < raw_in_octets(previous):
            break
        previous = current
    else:
        pytest.fail("the counter never wrapped between two polls")
    (rate,) = in_bps(current)
    assert rate == pytest.approx(WRAP32_IN_OCTETS_PER_S * 8, rel=0.05)


@pytest.fixture
def own_agent(tmp_path):
    """An snmpsim of our own, which the test restarts (a reboot) and re-records."""
    agent = SimAgent(tmp_path, [(LOOPBACK, free_udp_port())])
    yield agent
    agent.stop()
    shutil.rmtree(agent.workdir, ignore_errors=True)


@pytest.mark.django_db
def test_agent_restart_gives_no_sample_not_a_spike(own_agent, tmp_path):
    write_device("linux-server", tmp_path)
    own_agent.start(probe_community="linux-server")
    device = sim_device(own_agent, "linux-server", template=None)
    add_items(device, THIRTY_TWO_BIT_ITEMS)  # 32-bit: without reset detection, a huge "wrap"
    poll_device(device.pk)
    time.sleep(1.5)
    assert in_bps(poll_device(device.pk))  # rates flow before the reboot
    own_agent.restart()  # counters and sysUpTime start again from their initial values
    after = poll_device(device.pk)
    assert after.ok, after.error
    assert in_bps(after) == []
    assert after.counts.get("reset", 0) >= 3 and "over_speed" not in after.counts
    time.sleep(1.5)
    assert len(in_bps(poll_device(device.pk))) == 3  # and rates again from the next poll


@pytest.mark.django_db
def test_ifindex_renumbering_keeps_the_interface_and_its_series(own_agent, tmp_path):
    write_device("cisco-ios-router", tmp_path, community="edge")
    own_agent.start(probe_community="edge")
    device = sim_device(own_agent, "cisco-ios-router")
    device.snmp_credential.community = "edge"
    device.snmp_credential.save()
    before = poll_device(device.pk)
    assert before.ok, before.error
    rows_before = {
        i.if_name: (i.pk, i.if_index) for i in DeviceInterface.objects.filter(device=device)
    }
    assert rows_before["Gi0/0/0"][1] == 1
    write_device("ifindex-renumbered", tmp_path, community="edge")  # same names, new ifIndex
    own_agent.restart()
    after = poll_device(device.pk)
    assert after.ok, after.error
    rows_after = {
        i.if_name: (i.pk, i.if_index) for i in DeviceInterface.objects.filter(device=device)
    }
    assert set(rows_after) == set(rows_before)
    assert rows_after["Gi0/0/0"][0] == rows_before["Gi0/0/0"][0]  # same row
    assert rows_after["Gi0/0/0"][1] != 1  # with its new ifIndex
    oper = {
        s.labels["ifName"]: s.labels["ifIndex"] for s in after.samples if s.name == "if_oper_status"
    }
    assert oper["Gi0/0/0"] == str(rows_after["Gi0/0/0"][1])
    assert set(oper) == set(rows_before)  # the same series names as before the reload
