"""The metrics API on both back ends: shapes, roles, the 400s, the push import."""

import time

import pytest

from monitoring.metrics.samples import Sample
from monitoring.models import Device

T0 = int(time.time()) // 600 * 600 - 3600


@pytest.fixture
def devices(users):
    r1 = Device.objects.create(name="R1", ip_address="10.0.0.1")
    Device.objects.create(name="R2", ip_address="10.0.0.2")
    r1.assigned_to.add(users["technician"])
    return r1


@pytest.fixture
def written(backend, metric, devices):
    samples = [
        Sample(metric, {"device": d, "ip": ip, "ifName": f"Gi0/{i}"}, T0 + k * 30, float(k))
        for d, ip in (("R1", "10.0.0.1"), ("R2", "10.0.0.2"))
        for i in (1, 2)
        for k in range(20)
    ]
    backend.store.write(samples)
    backend.settle()
    return samples


def get(api, role, path, **params):
    return api(role).get(f"/api/v1/metrics/{path}", params)


def test_query_answers_in_prometheus_vector_shape(api, written, metric):
    resp = get(api, "viewer", "query", metric=metric, device="R2", ifName="Gi0/1", time=T0 + 600)
    assert resp.status_code == 200, resp.content
    assert resp.json() == {
        "status": "success",
        "data": {
            "resultType": "vector",
            "result": [
                {
                    "metric": {
                        "__name__": metric,
                        "device": "R2",
                        "ifName": "Gi0/1",
                        "ip": "10.0.0.2",
                    },
                    "value": [T0 + 600, "19"],
                }
            ],
        },
    }


def test_query_range_answers_in_prometheus_matrix_shape(api, written, metric):
    resp = get(
        api,
        "manager",
        "query_range",
        metric=metric,
        device="~R.*",
        ifName="Gi0/2",
        start=T0,
        end=T0 + 600,
        step="5m",
        agg="max",
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "success" and body["data"]["resultType"] == "matrix"
    assert [s["metric"]["device"] for s in body["data"]["result"]] == ["R1", "R2"]
    assert body["data"]["result"][0]["values"] == [[T0, "0"], [T0 + 300, "10"], [T0 + 600, "19"]]


def test_a_technician_sees_only_the_series_of_their_devices(api, written, metric):
    q = get(api, "technician", "query", metric=metric, time=T0 + 600)
    r = get(api, "technician", "query_range", metric=metric, start=T0, end=T0 + 600, step=60)
    assert {s["metric"]["device"] for s in q.json()["data"]["result"]} == {"R1"}
    assert {s["metric"]["device"] for s in r.json()["data"]["result"]} == {"R1"}
    asked = get(api, "technician", "query", metric=metric, device="R2", time=T0 + 600)
    assert asked.json()["data"]["result"] == []


def test_anonymous_callers_get_401(api, backend, metric):
    assert get(api, None, "query", metric=metric).status_code == 401


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"start": T0 + 60, "end": T0, "step": "60"}, "end"),
        ({"start": T0, "end": T0 + 30 * 86400, "step": "60s"}, "step"),
        ({"start": T0, "end": T0 + 600, "step": "5x"}, "step"),
        ({"start": T0, "end": T0 + 600, "step": ""}, "step"),
        ({"start": "yesterday", "end": T0, "step": "1m"}, "start"),
        ({"start": T0, "end": T0 + 600, "step": "1m", "agg": "p99"}, "agg"),
        ({"start": T0, "end": T0 + 600, "step": "1m", "device": "~(R"}, "device"),
        ({"start": T0, "end": T0 + 600, "step": "1m", "metric": "no-dashes"}, "metric"),
    ],
)
def test_bad_range_parameters_get_400_naming_the_parameter(api, backend, metric, params, parameter):
    resp = get(api, "viewer", "query_range", **{"metric": metric, **params})
    assert resp.status_code == 400, resp.content
    assert resp.json()["status"] == "error"
    assert resp.json()["parameter"] == parameter
    assert parameter in resp.json()["error"]


def test_promql_passes_through_on_victoriametrics_and_is_refused_on_sql(
    api, written, backend, metric
):
    resp = get(api, "technician", "promql", query=f"max by (device) ({metric})", time=T0 + 600)
    if backend.name == "sql":
        assert resp.status_code == 400
        assert "victoriametrics" in resp.json()["error"]
        return
    assert resp.status_code == 200, resp.content
    result = resp.json()["data"]["result"]
    assert [(s["metric"], s["value"][1]) for s in result] == [({"device": "R1"}, "19")]
    ranged = get(api, "admin", "promql", query=metric, start=T0, end=T0 + 600, step="5m")
    assert ranged.json()["data"]["resultType"] == "matrix"
    assert len(ranged.json()["data"]["result"]) == 4


def push(api, role, text):
    return api(role).post("/api/v1/metrics/import", text, content_type="text/plain")


def test_import_writes_pushed_samples_with_the_device_ip(api, backend, devices, metric):
    text = (
        f"# TYPE {metric} gauge\n"
        f'{metric}{{device="R1",probe="dns"}} 12.5 {T0 * 1000}\n'
        f'{metric}{{device="R2",probe="dns"}} 7 {(T0 + 60) * 1000}\n'
    )
    resp = push(api, "manager", text)
    assert resp.status_code == 200, resp.content
    assert resp.json()["data"] == {"samples": 2}
    backend.settle()
    found = backend.store.query(metric, {}, at=T0 + 120)
    assert [(s["metric"]["device"], s["metric"]["ip"], s["value"][1]) for s in found] == [
        ("R1", "10.0.0.1", "12.5"),
        ("R2", "10.0.0.2", "7"),
    ]


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ("{metric} 1 2 3", "value"),
        ('{metric}{{device="R1" 1', "column"),
        ('{metric}{{device="R1"}} abc', "not a number"),
        ("{metric} 5", "no device label"),
        ('{metric}{{device="NOPE"}} 5', "not a known device"),
        ('{metric}{{device="R1",__x="y"}} 5', "reserved"),
    ],
)
def test_a_bad_import_line_gets_400_naming_it_and_nothing_is_written(
    api, backend, devices, metric, bad_line, reason
):
    text = f'{metric}{{device="R1"}} 1 {T0 * 1000}\n\n' + bad_line.format(metric=metric) + "\n"
    resp = push(api, "admin", text)
    assert resp.status_code == 400, resp.content
    assert resp.json()["line"] == 3
    assert "line 3" in resp.json()["error"] and reason in resp.json()["error"]
    backend.settle()
    assert backend.store.query(metric, {}, at=T0 + 60) == []


@pytest.mark.parametrize("role", ["technician", "viewer"])
def test_only_admins_and_managers_may_import(api, backend, devices, metric, role):
    resp = push(api, role, f'{metric}{{device="R1"}} 1\n')
    assert resp.status_code == 403


def test_health_reports_the_metrics_store_and_its_spool(api, backend):
    resp = api(None).get("/api/v1/health")
    component = resp.json()["components"]["metrics"]
    assert component["ok"] is True
    assert component["backend"] == backend.name
    assert (component["spool_batches"], component["spool_bytes"]) == (0, 0)
