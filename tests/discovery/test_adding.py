"""Add to monitoring: right devices and templates, names deduplicated, idempotent."""

import pytest

from discovery.adding import add_results
from discovery.choices import AutoAdd, JobState
from discovery.jobs import create_job, job_from_rule, run_job, scan_options
from discovery.models import DiscoveryRule, DiscoveryRuleCredential
from monitoring.models import Device
from tests.discovery.conftest import EXPECTED, SYS_NAMES


@pytest.fixture
def scanned(db, lab, credential, wrong_credential):
    job = create_job(lab.live, credential_ids=[wrong_credential.pk, credential.pk])
    job = run_job(job.pk, scan_options(timeout_s=0.5))
    assert job.state == JobState.DONE, job.error
    return job


def test_add_creates_the_right_devices_with_the_right_templates(scanned, lab, credential):
    report = add_results(scanned.results.select_related("job"), site="lab", poller_group="g1")
    assert len(report.added) == len(lab.live)
    for kind, address in lab.by_kind.items():
        device = Device.objects.get(ip_address=address)
        vendor, device_type, template = EXPECTED[kind]
        assert device.name == SYS_NAMES[kind]
        assert (device.vendor, device.device_type) == (vendor, device_type)
        assert device.snmp_credential_id == credential.pk
        assert (device.site, device.poller_group) == ("lab", "g1")
        templates = set(device.items.values_list("template__name", flat=True))
        assert templates == {template}, kind
    for address in lab.no_snmp_addresses:
        device = Device.objects.get(ip_address=address)
        assert device.name == address and device.snmp_credential is None
        assert device.items.count() == 0  # nothing to poll over SNMP
    assert report.templates_applied["Cisco IOS"] == 2


def test_second_add_is_a_no_op_that_reports_the_existing_devices(scanned):
    results = scanned.results.select_related("job")
    add_results(results)
    devices_before = Device.objects.count()
    items_before = sum(d.items.count() for d in Device.objects.all())
    report = add_results(results)
    assert report.added == []
    assert len(report.already_monitored) == scanned.results.count()
    assert Device.objects.count() == devices_before
    assert sum(d.items.count() for d in Device.objects.all()) == items_before
    assert not scanned.results.filter(device__isnull=True).exists()


def test_a_taken_name_gets_a_suffix(scanned, lab):
    Device.objects.create(name="web-01", ip_address="192.0.2.1")
    Device.objects.create(name="web-01-2", ip_address="192.0.2.2")
    result = scanned.results.get(ip_address=lab.by_kind["linux-server"])
    add_results([result])
    assert Device.objects.get(ip_address=result.ip_address).name == "web-01-3"


def test_a_new_scan_links_results_to_devices_already_monitored(db, lab, credential, scanned):
    add_results(scanned.results.select_related("job"))
    again = run_job(create_job(lab.snmp_addresses[:2], credential_ids=[credential.pk]).pk,
                    scan_options(timeout_s=0.5))  # fmt: skip
    assert all(r.device is not None for r in again.results.all())


def test_rule_with_auto_add_and_template_adds_by_itself(db, lab, credential):
    rule = DiscoveryRule.objects.create(
        name="lab", ranges=lab.snmp_addresses[:3], auto_add=AutoAdd.ADD_AND_TEMPLATE, site="s1"
    )
    DiscoveryRuleCredential.objects.create(rule=rule, credential=credential)
    job = run_job(job_from_rule(rule).pk, scan_options(timeout_s=0.5))
    assert job.state == JobState.DONE
    devices = Device.objects.filter(ip_address__in=lab.snmp_addresses[:3])
    assert devices.count() == 3 and {d.site for d in devices} == {"s1"}
    assert all(d.items.exists() for d in devices)
