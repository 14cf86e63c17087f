"""Polls against net-snmp's snmpd (v2c, v3), a dead port, and SNMP-unreachable with backoff."""

import socket
import time

import pytest

from monitoring.models import MonitoringTemplate
from monitoring.polling import poll_device, poll_many
from monitoring.templates import apply_template
from tests.polling.conftest import V3, make_credential, make_device
from tests.servers.snmpd import AUTH_PASS, PRIV_PASS


def generic(device):
    apply_template(MonitoringTemplate.objects.get(name="Generic SNMP"), [device])
    return device


def names(result) -> set[str]:
    return {s.name for s in result.samples}


@pytest.mark.django_db
def test_v2c_poll_of_snmpd_gives_samples(snmpd_server):
    cred = make_credential("v2c", community=snmpd_server.community)
    device = generic(make_device("snmpd-v2c", snmpd_server.port, cred))
    first = poll_device(device.pk)
    assert first.ok, first.error
    assert {"sys_uptime_seconds", "if_oper_status", "snmp_poll_ok"} <= names(first)
    time.sleep(1.1)
    second = poll_device(device.pk)
    assert {"if_in_bps", "if_out_bps", "if_in_errors"} <= names(second)
    device.refresh_from_db()
    assert device.sys_descr.startswith("Linux") and device.snmp_reachable is True
    assert device.interfaces.filter(if_name="lo").exists()


@pytest.mark.django_db
def test_poll_now_rates_against_the_last_scheduled_poll_and_batches_keep_per_device_state(
    snmpd_server,
):
    cred = make_credential("v2c", community=snmpd_server.community)
    devices = [generic(make_device(f"snmpd-batch{n}", snmpd_server.port, cred)) for n in range(3)]
    interval = devices[0].items.get(key="ifHCInOctets").interval
    scheduled = poll_many([d.pk for d in devices], interval)
    assert all(r.ok for r in scheduled) and not any("if_in_bps" in names(r) for r in scheduled)
    time.sleep(1.1)
    now = poll_device(devices[0].pk)  # poll-now: no earlier poll-now, the scheduled one counts
    assert {"if_in_bps", "if_in_errors"} <= names(now)
    again = poll_many([d.pk for d in devices], interval)
    assert all("if_in_bps" in names(r) for r in again)


@pytest.mark.django_db
def test_v3_authpriv_poll_of_snmpd_gives_samples(snmpd_server):
    cred = make_credential(
        "v3", **V3, username="priv-sha-aes128", auth_protocol="SHA", auth_key=AUTH_PASS,
        priv_protocol="AES-128", priv_key=PRIV_PASS,
    )  # fmt: skip
    device = generic(make_device("snmpd-v3", snmpd_server.port, cred))
    result = poll_device(device.pk)
    assert result.ok, result.error
    assert {"sys_uptime_seconds", "if_oper_status"} <= names(result)


@pytest.mark.django_db
def test_v3_wrong_auth_key_is_stored_as_wrong_digest(snmpd_server):
    cred = make_credential(
        "v3-bad", **V3, username="priv-sha-aes128", auth_protocol="SHA",
        auth_key="not-the-key", priv_protocol="AES-128", priv_key=PRIV_PASS,
    )  # fmt: skip
    device = generic(make_device("snmpd-v3-bad", snmpd_server.port, cred))
    result = poll_device(device.pk)
    assert not result.ok
    device.refresh_from_db()
    assert "wrong digest" in device.last_error


@pytest.fixture
def silent_port():
    """A loopback UDP port that receives and never answers: a dead agent (a closed port
    would answer at once with ICMP port unreachable)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.mark.django_db
def test_dead_device_does_not_hold_up_live_ones(snmpd_server, silent_port):
    live = []
    for n in range(3):
        cred = make_credential(f"live{n}", community=snmpd_server.community)
        live.append(generic(make_device(f"live{n}", snmpd_server.port, cred)))
    dead_cred = make_credential("dead", community="x", timeout=1.5, retries=1)
    dead = generic(make_device("dead", silent_port, dead_cred))
    started = time.monotonic()
    results = {r.device: r for r in poll_many([d.pk for d in [dead, *live]])}
    wall = time.monotonic() - started
    assert not results["dead"].ok and "no answer in 1.5s" in results["dead"].error
    assert results["dead"].duration_s >= 2.9  # two tries of 1.5 s, then given up
    for device in live:
        assert results[device.name].ok
        assert results[device.name].duration_s < 1.5  # done long before the dead one
    assert wall < 6  # one dead timeout, not one per PDU or per device


@pytest.mark.django_db
def test_device_turns_unreachable_after_two_failures_and_is_backed_off(silent_port):
    cred = make_credential("nobody", community="x", timeout=0.3, retries=0)
    device = generic(make_device("nobody", silent_port, cred))
    poll_device(device.pk, 60)
    device.refresh_from_db()
    assert device.snmp_failures == 1 and device.snmp_reachable is None
    assert "no answer in 0.3s" in device.last_error
    poll_device(device.pk, 60)
    device.refresh_from_db()
    assert device.snmp_failures == 2 and device.snmp_reachable is False
    skipped = poll_device(device.pk, 60)  # the next interval's poll is skipped
    assert skipped.skipped == "backed off"
    forced = poll_device(device.pk, 60, force=True)  # "poll now" still tries
    assert not forced.skipped and not forced.ok
