"""check_devices against real ICMP: loopback answers, the netns lab's link goes down and up."""

import time

import pytest

from monitoring.choices import DeviceStatus
from monitoring.icmp import monitor
from monitoring.icmp.monitor import check_devices, dependency_depths
from monitoring.icmp.sweep import ping_one
from monitoring.metrics.samples import validate_sample
from monitoring.models import AvailabilityEvent, Device


def _status(device: Device) -> tuple[str, int]:
    device.refresh_from_db()
    return device.status, device.icmp_failures


def _events(device: Device) -> list[tuple[str, str]]:
    rows = AvailabilityEvent.objects.filter(device=device).order_by("at", "pk")
    return list(rows.values_list("from_state", "to_state"))


def test_it_brings_loopback_devices_up_and_records_the_transition(fast_icmp, make_device):
    devices = [make_device(f"lo{i}", f"127.0.0.{i}") for i in range(1, 4)]
    run = check_devices([d.pk for d in devices])
    assert {c.status for c in run.checks} == {DeviceStatus.UP}
    for device in devices:
        assert _status(device) == (DeviceStatus.UP, 0)
        assert device.status_changed is not None
        assert _events(device) == [(DeviceStatus.UNKNOWN, DeviceStatus.UP)]
    again = check_devices([d.pk for d in devices])
    assert again.transitions == [] and AvailabilityEvent.objects.count() == 3


def test_samples_carry_names_labels_and_loss_per_device(fast_icmp, make_device, netns_lab):
    live = make_device("core-1", "127.0.0.9")
    dead = make_device("dead-1", netns_lab.silent_addresses(1)[0])
    run = check_devices([live.pk, dead.pk])
    for sample in run.samples:
        validate_sample(sample)
    by_device = {}
    for s in run.samples:
        by_device.setdefault(s.labels["device"], {})[(s.name, s.labels.get("stat"))] = s
    got = by_device["core-1"]
    assert set(got) == {
        ("ping_rtt_ms", "min"), ("ping_rtt_ms", "avg"), ("ping_rtt_ms", "max"),
        ("ping_jitter_ms", None), ("ping_loss", None), ("ping_up", None),
    }  # fmt: skip
    assert {s.labels["ip"] for s in got.values()} == {"127.0.0.9"}
    assert got[("ping_loss", None)].value == 0.0 and got[("ping_up", None)].value == 1.0
    rtt = {k[1]: v.value for k, v in got.items() if k[0] == "ping_rtt_ms"}
    assert 0 <= rtt["min"] <= rtt["avg"] <= rtt["max"] < 100
    gone = by_device["dead-1"]
    assert set(gone) == {("ping_loss", None), ("ping_up", None)}  # no RTT without replies
    assert gone[("ping_loss", None)].value == 100.0 and gone[("ping_up", None)].value == 0.0
    assert gone[("ping_up", None)].labels == {"device": "dead-1", "ip": dead.ip_address}
    assert len({s.timestamp for s in run.samples}) == 1  # one batch, one timestamp


def _wait_until_answering(address: str, limit_s: float = 5.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if ping_one(address, timeout_s=0.3) is not None:
            return
    pytest.fail(f"{address} did not answer within {limit_s} s of link_up")


def test_it_goes_down_only_after_two_failed_checks_and_up_after_one_success(
    fast_icmp, make_device, netns_lab
):
    device = make_device("edge", netns_lab.address)
    check_devices([device.pk])
    assert _status(device) == (DeviceStatus.UP, 0)
    netns_lab.link_down()
    try:
        check_devices([device.pk])
        assert _status(device) == (DeviceStatus.UP, 1)  # one lost check is not an outage
        run = check_devices([device.pk])
        assert _status(device) == (DeviceStatus.DOWN, 2)
        assert [c.is_transition for c in run.checks] == [True]
    finally:
        netns_lab.link_up()
    _wait_until_answering(netns_lab.address)
    check_devices([device.pk])
    assert _status(device) == (DeviceStatus.UP, 0)
    assert _events(device) == [
        (DeviceStatus.UNKNOWN, DeviceStatus.UP),
        (DeviceStatus.UP, DeviceStatus.DOWN),
        (DeviceStatus.DOWN, DeviceStatus.UP),
    ]
    down = AvailabilityEvent.objects.get(device=device, to_state=DeviceStatus.DOWN)
    assert "2 consecutive failed checks" in down.reason


def test_child_of_a_down_parent_becomes_unreachable_not_down(fast_icmp, make_device, netns_lab):
    parent_ip, child_ip = netns_lab.silent_addresses(2)
    child = make_device("behind-uplink", child_ip)
    parent = make_device("uplink", parent_ip)
    Device.objects.filter(pk=child.pk).update(parent=parent)
    # The child has the lower id, yet its parent must be judged first (dependency depth).
    assert child.pk < parent.pk
    for _ in range(2):
        check_devices([child.pk, parent.pk])
    assert _status(parent) == (DeviceStatus.DOWN, 2)
    assert _status(child) == (DeviceStatus.UNREACHABLE, 2)
    child_event = AvailabilityEvent.objects.get(device=child)
    assert child_event.to_state == DeviceStatus.UNREACHABLE
    assert "parent uplink is down" in child_event.reason


def test_dependency_depth_follows_parents_and_survives_a_cycle(make_device):
    root = make_device("root", "127.0.0.1")
    mid = make_device("mid", "127.0.0.2", parent=root)
    leaf = make_device("leaf", "127.0.0.3", parent=mid)
    assert dependency_depths([leaf.pk, mid.pk]) == {leaf.pk: 2, mid.pk: 1}
    Device.objects.filter(pk=root.pk).update(parent=leaf)  # a loop made in the admin
    assert set(dependency_depths([leaf.pk])) == {leaf.pk}


def test_a_worker_that_lost_the_race_records_nothing(fast_icmp, make_device):
    device = make_device("raced", "127.0.0.5")
    stale = Device.objects.get(pk=device.pk)  # what a second worker loaded
    check_devices([device.pk])  # the first worker moves the row to up
    result = monitor.sweep_sync(["127.0.0.5"], count=1)["127.0.0.5"]
    check, event = monitor._apply(stale, result, None, stale.created, down_after=2)
    assert check.is_lost_race and not check.is_transition and event is None
    assert _events(device) == [(DeviceStatus.UNKNOWN, DeviceStatus.UP)]


def test_a_failing_store_does_not_stop_availability_store_mocked_not_on_this_branch(
    fast_icmp, make_device, monkeypatch
):
    def refuse(samples):
        raise ConnectionError("store down")

    monkeypatch.setattr(monitor, "write_samples", refuse)
    device = make_device("lo", "127.0.0.1")
    run = check_devices([device.pk])
    assert run.write_error == "ConnectionError: store down"
    assert _status(device) == (DeviceStatus.UP, 0) and run.samples


def test_icmp_rate_pps_setting_paces_the_check(fast_icmp, make_device):
    # 100 devices x 2 echoes at 400 pps cannot take less than ~0.5 s; at the default
    # (100,000 pps) the same check takes a few milliseconds of sending.
    fast_icmp.ICMP_RATE_PPS = 400
    devices = [make_device(f"lo-rate-{i}", f"127.4.0.{i}") for i in range(1, 101)]
    started = time.monotonic()
    run = check_devices([d.pk for d in devices], write=False)
    elapsed = time.monotonic() - started
    assert {c.status for c in run.checks} == {DeviceStatus.UP}
    assert elapsed >= 0.4
