"""Address expansion, the sweep through real sockets, reverse DNS bounds, cancel."""

import asyncio
import threading
import time

import pytest

from discovery.choices import JobState
from discovery.jobs import cancel_job, create_job, run_job, scan_options
from discovery.scanner import RangeError, ScanOptions, expand, scan


def test_ipv4_prefix_skips_network_and_broadcast():
    addresses = expand(["10.0.0.0/24"])
    assert len(addresses) == 254
    assert addresses[0] == "10.0.0.1" and addresses[-1] == "10.0.0.254"


def test_slash_31_and_32_keep_every_address():
    assert expand(["10.0.0.0/31"]) == ["10.0.0.0", "10.0.0.1"]
    assert expand(["10.0.0.7/32"]) == ["10.0.0.7"]
    assert expand(["10.0.0.7"]) == ["10.0.0.7"]


def test_exclusions_and_duplicates_are_removed():
    addresses = expand(["10.0.0.0/29", "10.0.0.3"], exclude=["10.0.0.4/31", "10.0.0.1"])
    assert addresses == ["10.0.0.2", "10.0.0.3", "10.0.0.6"]


def test_ipv6_prefix_keeps_all_addresses():
    assert len(expand(["fd00::/126"])) == 4


def test_slash_15_is_refused_naming_the_limit():
    with pytest.raises(RangeError) as err:
        expand(["10.0.0.0/15"])
    assert err.value.field == "ranges"
    assert "65,536" in err.value.message and "DISCOVERY_MAX_ADDRESSES" in err.value.message


def test_limit_counts_all_ranges_together(settings):
    settings.DISCOVERY_MAX_ADDRESSES = 300
    with pytest.raises(RangeError):
        expand(["10.0.0.0/24", "10.0.1.0/24"])


@pytest.mark.parametrize(
    ("ranges", "exclude", "field"),
    [([], [], "ranges"), (["bogus"], [], "ranges"), (["10.0.0.0/24"], ["x/33"], "exclude"),
     ("10.0.0.0/24", [], "ranges")],
)  # fmt: skip
def test_bad_input_names_the_field(ranges, exclude, field):
    with pytest.raises(RangeError) as err:
        expand(ranges, exclude)
    assert err.value.field == field


def test_sweep_finds_exactly_the_live_ones(db, lab, credential, netns_lab):
    silent = netns_lab.silent_addresses(8)
    job = create_job(lab.live + silent, credential_ids=[credential.pk])
    started = time.monotonic()
    job = run_job(job.pk, scan_options(timeout_s=0.5))
    assert job.state == JobState.DONE, job.error
    assert time.monotonic() - started < 5
    results = {r.ip_address: r for r in job.results.all()}
    assert set(results) == set(lab.live)
    assert (job.total, job.swept, job.alive, job.classified) == (19, 19, 11, 11)
    assert {a for a, r in results.items() if r.snmp} == set(lab.snmp_addresses)
    assert all(r.rtt_ms is not None and r.rtt_ms >= 0 for r in results.values())
    assert job.started_at <= job.finished_at


def test_reverse_dns_fills_names_from_the_resolver(db, lab):
    # Stands in for the DNS server, which is not on loopback here.
    names = {lab.no_snmp_addresses[0]: "host-a.lab.example"}
    job = create_job(lab.no_snmp_addresses)
    job = run_job(job.pk, scan_options(reverse_dns=True), resolver=lambda a: names.get(a, ""))
    got = dict(job.results.values_list("ip_address", "dns_name"))
    assert got[lab.no_snmp_addresses[0]] == "host-a.lab.example"
    assert got[lab.no_snmp_addresses[1]] == ""


def test_slow_reverse_dns_is_cut_off_by_its_timeout(db, lab):
    # A resolver that hangs stands in for an unreachable DNS server.
    release = threading.Event()

    def hanging(address: str) -> str:
        release.wait(10)
        return "too-late.example"

    job = create_job(lab.no_snmp_addresses)
    started = time.monotonic()
    try:
        job = run_job(job.pk, scan_options(reverse_dns=True, dns_timeout_s=0.3), resolver=hanging)
    finally:
        release.set()
    assert time.monotonic() - started < 3
    assert job.state == JobState.DONE
    assert set(job.results.values_list("dns_name", flat=True)) == {""}


def test_progress_is_written_while_the_job_runs(db, netns_lab):
    seen = []
    job = create_job(netns_lab.silent_addresses(4) + ["127.0.0.1"])
    run_job(job.pk, scan_options(timeout_s=1.5), on_progress=seen.append)
    assert seen[-1] == {"total": 5, "swept": 5, "alive": 1, "classified": 1}
    assert any(p["swept"] < 5 for p in seen)  # the live one was counted before the timeout


def test_cancel_stops_a_running_job_within_seconds(db, netns_lab):
    job = create_job(netns_lab.silent_addresses(10))
    cancelled_at = []

    def cancel_once(progress: dict) -> None:
        if not cancelled_at:
            cancelled_at.append(time.monotonic())
            assert cancel_job(job.pk)  # as the API or the admin would, by the database

    job = run_job(job.pk, scan_options(count=3, interval_ms=1000, timeout_s=20),
                  on_progress=cancel_once)  # fmt: skip
    assert job.state == JobState.CANCELLED
    assert time.monotonic() - cancelled_at[0] < 2.0
    assert job.finished_at is not None


def test_cancelled_before_start_never_runs(db):
    job = create_job(["127.0.0.1"])
    assert cancel_job(job.pk)
    assert run_job(job.pk).state == JobState.CANCELLED
    assert not cancel_job(job.pk)


def test_scan_options_take_the_icmp_rate_setting(settings):
    settings.ICMP_RATE_PPS = 1234
    assert scan_options().rate_pps == 1234
    assert scan_options(rate_pps=99).rate_pps == 99


def test_scan_ends_when_every_address_answered_not_at_the_timeout():
    addresses = [f"127.5.0.{i}" for i in range(1, 201)]
    options = ScanOptions(count=1, timeout_s=10, reverse_dns=False)
    started = time.monotonic()
    found = asyncio.run(scan(addresses, [], options=options))
    elapsed = time.monotonic() - started
    assert [h.address for h in found] == addresses
    assert elapsed < 2.0  # the ICMP timeout is 10 s: a fixed wait would show here
