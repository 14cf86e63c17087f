"""Vendor templates against snmpsim replaying the simulated network (monitoring/simnet)."""

import time

import pytest

from monitoring.metrics.samples import SeriesSample
from monitoring.models import Device, DeviceInterface
from monitoring.polling import poll_device
from monitoring.simnet.devices import EXPECTED_RATES
from tests.polling.conftest import sim_device

RATE_TOLERANCE = 0.05
GAP_S = 4.0  # timing error of one read (ms) is a smaller share of a longer gap


def by_name(samples, name: str, **labels) -> list:
    return [
        s
        for s in samples
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]


def one(samples, name: str, **labels) -> float:
    found = by_name(samples, name, **labels)
    assert len(found) == 1, f"{name} {labels}: {found}"
    return found[0].value


def two_polls(device: Device):
    first = poll_device(device.pk)
    assert first.ok, first.error
    time.sleep(GAP_S)
    second = poll_device(device.pk)
    assert second.ok, second.error
    return first, second


def assert_rates(kind: str, samples) -> None:
    for if_name, (in_octets, out_octets) in EXPECTED_RATES[kind].items():
        in_bps = one(samples, "if_in_bps", ifName=if_name)
        out_bps = one(samples, "if_out_bps", ifName=if_name)
        assert in_bps == pytest.approx(in_octets * 8, rel=RATE_TOLERANCE, abs=1), if_name
        assert out_bps == pytest.approx(out_octets * 8, rel=RATE_TOLERANCE, abs=1), if_name


@pytest.mark.django_db
def test_cisco_template_gives_cpu_memory_and_interface_rates(sim_agent):
    device = sim_device(sim_agent, "cisco-ios-router", "Cisco IOS")
    first, second = two_polls(device)
    assert not by_name(first.samples, "if_in_bps")  # one read is not a rate
    assert 9 <= one(second.samples, "cpu_percent") <= 15  # cpmCPUTotal1minRev 12 ± 3
    assert 21 <= one(second.samples, "memory_used_percent") <= 23  # Processor pool 21.8 %
    assert_rates("cisco-ios-router", second.samples)
    assert one(second.samples, "if_oper_status", ifName="Gi0/0/0") == 1.0
    assert one(second.samples, "if_oper_status", ifName="Tu1") == 0.0
    util = one(second.samples, "if_util_in_pct", ifName="Gi0/0/0")
    assert util == pytest.approx(22_500_000 * 8 / 1e9 * 100, rel=RATE_TOLERANCE)
    wan = by_name(second.samples, "if_in_bps", ifName="Gi0/0/0")[0]
    assert wan.labels == {
        "device": device.name,
        "ip": "127.0.0.1",
        "ifName": "Gi0/0/0",
        "ifIndex": "1",
    }
    device.refresh_from_db()
    assert device.sys_name == "edge-rtr-01" and device.sys_object_id == "1.3.6.1.4.1.9.1.2068"
    assert device.snmp_reachable is True and device.last_error == ""
    wan_row = DeviceInterface.objects.get(device=device, if_name="Gi0/0/0")
    assert (wan_row.if_alias, wan_row.if_speed_bps, wan_row.if_index) == ("WAN", 10**9, 1)
    assert not any(s.name.startswith("snmp_sys") for s in second.samples)  # strings: no series


@pytest.mark.django_db
def test_linux_template_gives_cpu_memory_and_interface_rates(sim_agent):
    device = sim_device(sim_agent, "linux-server", "Linux")
    _first, second = two_polls(device)
    assert one(second.samples, "cpu_percent") == 25.0  # 100 - ssCpuIdle 75
    assert 58.5 <= one(second.samples, "memory_used_percent") <= 61.5  # (total-avail)/total
    assert_rates("linux-server", second.samples)


@pytest.mark.django_db
def test_windows_template_gives_cpu_memory_and_interface_rates(sim_agent):
    device = sim_device(sim_agent, "windows-server", "Windows")
    _first, second = two_polls(device)
    assert 12 <= one(second.samples, "cpu_percent") <= 33  # hrProcessorLoad average 22.5 ± 10.5
    assert 51 <= one(second.samples, "memory_used_percent") <= 59  # Physical Memory 72000/131071
    assert_rates("windows-server", second.samples)
    assert {s.labels["ifName"] for s in by_name(second.samples, "if_in_bps")} == {
        "loopback_0",
        "ethernet_32768",
    }
    # Every sample comes with its checked series: the store checks only value and time.
    assert {type(s) for s in second.samples} == {SeriesSample}


@pytest.mark.django_db
def test_agent_without_if_x_table_falls_back_to_32_bit_counters_and_ifdescr(sim_agent):
    device = sim_device(sim_agent, "hp-printer")
    _first, second = two_polls(device)
    assert_rates("hp-printer", second.samples)
