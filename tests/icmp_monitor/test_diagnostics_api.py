"""POST /api/v1/diagnostics/{ping,traceroute,mtr}/ with real ICMP on loopback and the lab."""

import pytest

from monitoring.models import Device

PING = "/api/v1/diagnostics/ping/"
TRACE = "/api/v1/diagnostics/traceroute/"
MTR = "/api/v1/diagnostics/mtr/"


@pytest.fixture
def devices(users):
    mine = Device.objects.create(name="tech-box", ip_address="127.0.0.7")
    mine.assigned_to.add(users["technician"])
    other = Device.objects.create(name="not-mine", ip_address="127.0.0.8")
    return mine, other


def test_ping_loopback_returns_one_reply_per_request(api):
    answer = api("admin").post(PING, {"address": "127.0.0.1", "count": 3, "interval_ms": 20})
    assert answer.status_code == 200, answer.data
    data = answer.json()
    assert (data["sent"], data["received"], data["loss_pct"]) == (3, 3, 0.0)
    assert len(data["replies"]) == 3
    assert all(r["address"] == "127.0.0.1" and r["rtt_ms"] >= 0 for r in data["replies"])
    assert data["min_ms"] <= data["avg_ms"] <= data["max_ms"]
    assert data["target"] == {"query": "127.0.0.1", "address": "127.0.0.1", "family": 4}


def test_a_hostname_is_resolved_once_and_the_address_shown(api):
    answer = api("manager").post(PING, {"address": "localhost", "count": 1})
    assert answer.status_code == 200, answer.data
    assert answer.json()["target"]["query"] == "localhost"
    assert answer.json()["target"]["address"] in {"127.0.0.1", "::1"}


def test_technician_pings_own_device_by_id_or_address(api, devices):
    mine, _ = devices
    by_id = api("technician").post(PING, {"device": mine.pk, "count": 1})
    assert by_id.status_code == 200, by_id.data
    assert by_id.json()["device"] == mine.pk and by_id.json()["received"] == 1
    by_address = api("technician").post(PING, {"address": "127.0.0.7", "count": 1})
    assert by_address.status_code == 200 and by_address.json()["device"] == mine.pk


def test_technician_gets_404_for_other_devices(api, devices):
    _, other = devices
    assert api("technician").post(PING, {"device": other.pk}).status_code == 404
    assert api("technician").post(PING, {"address": "127.0.0.8"}).status_code == 404
    assert api("technician").post(TRACE, {"device": other.pk}).status_code == 404


def test_viewer_is_refused_and_anonymous_must_log_in(api, devices):
    assert api("viewer").post(PING, {"address": "127.0.0.1"}).status_code == 403
    assert api(None).post(PING, {"address": "127.0.0.1"}).status_code == 401
    assert api(None).post(MTR, {"address": "127.0.0.1"}).status_code == 401


# No unresolvable hostnames here: resolving one would send a DNS query off loopback.
@pytest.mark.parametrize("bad", ["not an address!", "a;rm -rf /", "224.0.0.1", "0.0.0.0", ""])
def test_bad_address_is_400_naming_address(api, bad):
    answer = api("admin").post(PING, {"address": bad})
    assert answer.status_code == 400 and "address" in answer.json()


@pytest.mark.parametrize(
    "body",
    [
        {"count": 1000},  # above the hard cap
        {"count": 0},
        {"count": 100, "interval_ms": 1000},  # 99 s: longer than one request may run
    ],
)
def test_count_out_of_bounds_is_400_naming_count(api, body):
    answer = api("admin").post(PING, {"address": "127.0.0.1", **body})
    assert answer.status_code == 400 and "count" in answer.json()


def test_other_bounds_name_their_field(api):
    assert "size" in api("admin").post(PING, {"address": "::1", "size": 70000}).json()
    assert "max_hops" in api("admin").post(TRACE, {"address": "::1", "max_hops": 31}).json()
    assert "cycles" in api("admin").post(MTR, {"address": "::1", "cycles": 1000}).json()
    neither = api("admin").post(PING, {})
    assert neither.status_code == 400 and "address" in neither.json()


def test_traceroute_to_the_far_host_lists_each_hop(api, netns_lab):
    body = {"address": netns_lab.far_address, "count": 2, "max_hops": 5, "timeout_ms": 1000}
    answer = api("admin").post(TRACE, body)
    assert answer.status_code == 200, answer.data
    data = answer.json()
    assert data["is_complete"]
    assert [h["address"] for h in data["hops"]] == [netns_lab.address, netns_lab.far_address]
    assert [h["ttl"] for h in data["hops"]] == [1, 2]
    for hop in data["hops"]:
        assert len(hop["rtts_ms"]) == 2 and all(r is not None for r in hop["rtts_ms"])
    assert data["hops"][-1]["is_destination"]


def test_mtr_reports_per_hop_loss_and_rtts(api):
    body = {"address": "127.0.0.1", "cycles": 3, "interval_ms": 100, "max_hops": 5}
    answer = api("admin").post(MTR, body)
    assert answer.status_code == 200, answer.data
    (hop,) = answer.json()["hops"]
    assert (hop["address"], hop["sent"], hop["received"], hop["loss_pct"]) == ("127.0.0.1", 3, 3, 0)
    assert hop["best_ms"] <= hop["avg_ms"] <= hop["worst_ms"]
