"""The `discover` command and the admin pages and actions."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from discovery.jobs import create_job, run_job, scan_options
from discovery.models import DiscoveryJob, DiscoveryResult
from monitoring.models import Device


def test_discover_prints_a_summary_table_and_adds(db, lab, credential):
    out = StringIO()
    targets = [*lab.snmp_addresses[:2], lab.no_snmp_addresses[0]]
    call_command(
        "discover", *targets, "--credential", credential.name, "--add",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip
    text = out.getvalue()
    assert "edge-rtr-01" in text and "access-sw-01" in text and "Cisco IOS" in text
    assert "3 swept, 3 alive, 2 answered SNMP" in text
    assert "added 3, already monitored 0" in text
    assert Device.objects.filter(ip_address__in=lab.snmp_addresses[:2]).count() == 2
    assert DiscoveryJob.objects.get().state == "done"


def test_discover_refuses_a_slash_15_and_unknown_credentials(db):
    with pytest.raises(CommandError, match="DISCOVERY_MAX_ADDRESSES"):
        call_command("discover", "10.0.0.0/15", stdout=StringIO())
    with pytest.raises(CommandError, match="--credential"):
        call_command("discover", "127.0.0.1", "--credential", "nope", stdout=StringIO())


def test_admin_lists_show_progress_and_filters(admin_client, lab, credential):
    job = run_job(create_job(lab.snmp_addresses[:2], credential_ids=[credential.pk]).pk,
                  scan_options(timeout_s=0.5))  # fmt: skip
    page = admin_client.get("/admin/discovery/discoveryjob/")
    assert page.status_code == 200 and b"<progress" in page.content
    for query in ("device_type__exact=switch", "vendor=Cisco", "monitored=no"):
        page = admin_client.get(f"/admin/discovery/discoveryresult/?{query}")
        assert page.status_code == 200, query
    assert admin_client.get("/admin/discovery/discoveryrule/add/").status_code == 200
    ids = list(job.results.values_list("pk", flat=True))
    response = admin_client.post(
        "/admin/discovery/discoveryresult/",
        {"action": "add_to_monitoring", "_selected_action": ids},
    )
    assert response.status_code == 302
    assert Device.objects.filter(ip_address__in=lab.snmp_addresses[:2]).count() == 2
    assert not DiscoveryResult.objects.filter(device__isnull=True).exists()
