"""Discovery API: paths, fields, roles, 400s, and one scan through Celery (eager)."""

import pytest
from django_celery_beat.models import PeriodicTask

from discovery.choices import JobState
from discovery.jobs import create_job, run_job, scan_options
from discovery.models import DiscoveryJob
from monitoring.models import Device
from wardflux.celery import app as celery_app

SCAN = "/api/v1/monitoring/discovery/scan"
JOBS = "/api/v1/discovery/jobs/"
RESULTS = "/api/v1/discovery/results/"
RULES = "/api/v1/discovery/rules/"
JOB_FIELDS = {"id", "state", "total", "swept", "alive", "classified", "started_at",
              "finished_at", "error"}  # fmt: skip
RESULT_FIELDS = {"id", "job", "ip_address", "dns_name", "rtt_ms", "snmp", "credential",
                 "sys_name", "sys_descr", "sys_object_id", "vendor", "device_type", "template",
                 "device"}  # fmt: skip


@pytest.fixture
def eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def done_job(db, lab, credential):
    job = create_job(lab.snmp_addresses[:2] + lab.no_snmp_addresses[:1],
                     credential_ids=[credential.pk])  # fmt: skip
    return run_job(job.pk, scan_options(timeout_s=0.5))


def test_scan_through_the_api_runs_in_celery_and_finds_the_hosts(
    api, lab, credential, eager, django_capture_on_commit_callbacks
):
    body = {"ranges": lab.snmp_addresses[:2], "credentials": [credential.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = api("manager").post(SCAN, body, format="json")
    assert response.status_code == 202, response.data
    assert JOB_FIELDS <= set(response.data)
    assert response.data["state"] == JobState.QUEUED and response.data["total"] == 2
    job = api("manager").get(f"{JOBS}{response.data['id']}/").data
    assert (job["state"], job["swept"], job["alive"], job["classified"]) == ("done", 2, 2, 2)
    results = api("manager").get(RESULTS, {"job": job["id"]}).data["results"]
    assert RESULT_FIELDS <= set(results[0])
    assert {r["vendor"] for r in results} == {"Cisco"}
    assert {r["device_type"] for r in results} == {"router", "switch"}


def test_slash_15_is_refused_with_400_naming_ranges(api):
    response = api("admin").post(SCAN, {"ranges": ["10.0.0.0/15"]}, format="json")
    assert response.status_code == 400
    assert "DISCOVERY_MAX_ADDRESSES" in response.data["ranges"][0]
    assert not DiscoveryJob.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "ranges"), ({"ranges": ["nope"]}, "ranges"),
     ({"ranges": ["10.0.0.1"], "exclude": ["x"]}, "exclude"),
     ({"ranges": ["10.0.0.1"], "credentials": [999999]}, "credentials"),
     ({"rule": 999999}, "rule")],
)  # fmt: skip
def test_bad_scan_request_is_400_naming_the_field(api, body, field):
    response = api("manager").post(SCAN, body, format="json")
    assert response.status_code == 400 and field in response.data


def test_results_filter_by_job_and_add_is_idempotent(api, done_job):
    other = create_job(["127.0.0.1"])
    run_job(other.pk, scan_options(timeout_s=0.5))
    listed = api("manager").get(RESULTS, {"job": done_job.pk}).data["results"]
    assert len(listed) == 3 and {r["job"] for r in listed} == {done_job.pk}
    ids = [r["id"] for r in listed]
    first = api("manager").post(f"{RESULTS}add/", {"results": ids, "site": "hq"}, format="json")
    assert first.status_code == 200 and len(first.data["added"]) == 3
    second = api("manager").post(f"{RESULTS}add/", {"results": ids}, format="json")
    assert second.data["added"] == [] and len(second.data["already_monitored"]) == 3
    assert Device.objects.count() == 3
    monitored = api("manager").get(RESULTS, {"job": done_job.pk, "monitored": "true"}).data
    assert monitored["count"] == 3


def test_cancel_of_a_finished_job_is_409_and_of_a_queued_one_works(api):
    job = create_job(["127.0.0.1"])
    response = api("manager").post(f"{JOBS}{job.pk}/cancel/")
    assert response.status_code == 200 and response.data["state"] == "cancelled"
    again = api("manager").post(f"{JOBS}{job.pk}/cancel/")
    assert again.status_code == 409


def test_cancel_through_the_api_stops_a_running_job(api, netns_lab):
    job = create_job(netns_lab.silent_addresses(6))
    responses = []

    def cancel_via_api(progress: dict) -> None:
        if not responses:
            responses.append(api("manager").post(f"{JOBS}{job.pk}/cancel/"))

    finished = run_job(job.pk, scan_options(count=3, timeout_s=20), on_progress=cancel_via_api)
    assert responses[0].status_code == 200
    assert finished.state == JobState.CANCELLED


def test_rule_crud_keeps_its_beat_schedule(api, credential, wrong_credential):
    body = {"name": "branch", "ranges": ["10.9.0.0/24"], "exclude": ["10.9.0.1"],
            "credentials": [credential.pk, wrong_credential.pk], "interval_minutes": 60,
            "auto_add": "add_and_template", "site": "branch", "poller_group": "branch"}  # fmt: skip
    created = api("manager").post(RULES, body, format="json")
    assert created.status_code == 201, created.data
    rule_id = created.data["id"]
    assert created.data["credentials"] == [credential.pk, wrong_credential.pk]
    task = PeriodicTask.objects.get(name=f"discovery:{rule_id}")
    assert task.queue == "celery" and task.interval.every == 60
    patched = api("manager").patch(f"{RULES}{rule_id}/", {"interval_minutes": None}, format="json")
    assert patched.status_code == 200
    assert not PeriodicTask.objects.filter(name=f"discovery:{rule_id}").exists()
    bad = api("manager").patch(f"{RULES}{rule_id}/", {"ranges": ["10.0.0.0/8"]}, format="json")
    assert bad.status_code == 400 and "ranges" in bad.data
    assert api("manager").delete(f"{RULES}{rule_id}/").status_code == 204


ENDPOINTS = [("get", JOBS), ("get", RESULTS), ("get", RULES), ("post", SCAN),
             ("post", f"{RESULTS}add/"), ("post", RULES)]  # fmt: skip


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(("role", "expected"), [("technician", 403), ("viewer", 403), (None, 401)])
def test_only_admin_and_manager_may_use_discovery(api, method, path, role, expected):
    assert getattr(api(role), method)(path, {}, format="json").status_code == expected


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_admin_and_manager_can_read_jobs_and_cancel(api, role):
    job = create_job(["127.0.0.1"])
    assert api(role).get(JOBS).status_code == 200
    assert api(role).get(f"{JOBS}{job.pk}/").status_code == 200
    assert api(role).post(f"{JOBS}{job.pk}/cancel/").status_code == 200


def test_technician_cannot_cancel(api):
    job = create_job(["127.0.0.1"])
    assert api("technician").post(f"{JOBS}{job.pk}/cancel/").status_code == 403
