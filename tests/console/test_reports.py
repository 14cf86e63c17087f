"""Availability, incidents and top-N on crafted histories: the figures must be exact."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from console.reports import Period, ReportError, availability_report, parse_period, top_cpu
from monitoring.metrics.samples import Sample
from monitoring.metrics.store import write
from monitoring.models import AvailabilityEvent, Device

T0 = datetime(2025, 3, 1, tzinfo=UTC)
DAY = Period(T0, T0 + timedelta(days=1))
NOW = T0 + timedelta(days=10)


def event(device, frm, to, minutes, reason=""):
    return AvailabilityEvent.objects.create(
        device=device,
        from_state=frm,
        to_state=to,
        at=T0 + timedelta(minutes=minutes),
        reason=reason,
    )


@pytest.fixture
def devices(db):
    make = Device.objects.create
    return {
        "a": make(name="a", ip_address="127.0.1.1", site="HQ", status="up"),
        "b": make(name="b", ip_address="127.0.1.2", site="HQ", status="up"),
        "c": make(name="c", ip_address="127.0.1.3", site="Branch", status="up"),
    }


def test_sla_counts_down_time_inside_the_period_exactly(devices):
    a = devices["a"]
    event(a, "unknown", "up", -60)  # up before the period started
    event(a, "up", "down", 600, "3 of 3 pings lost")  # 10:00
    event(a, "down", "up", 636)  # 36 minutes down
    report = availability_report(Device.objects.filter(pk=a.pk), DAY, now=NOW)
    row = report["devices"][0]
    assert row.down_s == 36 * 60
    assert row.sla_pct == pytest.approx(100 * (1440 - 36) / 1440)  # 97.5 %
    (incident,) = report["incidents"]
    assert incident.duration_s == 2160 and incident.reason == "3 of 3 pings lost"
    assert incident.start == T0 + timedelta(minutes=600) and incident.end is not None


def test_outage_spanning_the_period_start_is_clipped(devices):
    b = devices["b"]
    event(b, "up", "down", -120)  # down since 2 h before the period
    event(b, "down", "up", 144)  # until 02:24
    row = availability_report(Device.objects.filter(pk=b.pk), DAY, now=NOW)["devices"][0]
    assert row.down_s == 144 * 60
    assert row.sla_pct == pytest.approx(90.0)


def test_unknown_time_is_not_measured_and_unreachable_is_downtime(devices):
    c = devices["c"]
    event(c, "unknown", "up", 720)  # first seen at noon: 12 h unknown
    event(c, "up", "unreachable", 1080)  # parent down from 18:00
    event(c, "unreachable", "up", 1152)  # for 72 min
    row = availability_report(Device.objects.filter(pk=c.pk), DAY, now=NOW)["devices"][0]
    assert row.unknown_s == 720 * 60 and row.unreachable_s == 72 * 60
    assert row.sla_pct == pytest.approx(100 * (720 - 72) / 720)  # 90 %


def test_an_ongoing_outage_runs_to_now_and_has_no_end(devices):
    a = devices["a"]
    event(a, "unknown", "up", -10)
    event(a, "up", "down", 1380)  # 23:00, still down
    now = T0 + timedelta(hours=23, minutes=30)
    report = availability_report(Device.objects.filter(pk=a.pk), DAY, now=now)
    row = report["devices"][0]
    assert row.down_s == 1800 and row.up_s == 23 * 3600  # nothing counted after now
    assert report["incidents"][0].end is None


def test_device_without_events_keeps_its_current_status(devices):
    row = availability_report(Device.objects.filter(pk=devices["a"].pk), DAY, now=NOW)["devices"][0]
    assert row.sla_pct == 100.0 and row.incidents == []


def test_site_sla_adds_its_devices_seconds(devices):
    event(devices["a"], "up", "down", 0)
    event(devices["a"], "down", "up", 144)  # 10 % of the day down
    event(devices["b"], "unknown", "up", -5)  # b: whole day up
    report = availability_report(Device.objects.filter(site="HQ"), DAY, now=NOW)
    (hq,) = report["sites"]
    assert hq["devices"] == 2 and hq["incidents"] == 1
    assert hq["sla_pct"] == pytest.approx(95.0)


def test_parse_period_names_the_bad_field():
    with pytest.raises(ReportError) as err:
        parse_period({"period": "1y"})
    assert err.value.field == "period"
    with pytest.raises(ReportError) as err:
        parse_period({"start": "2025-03-02", "end": "2025-03-01"})
    assert err.value.field == "end"
    period = parse_period({"start": "2025-03-01", "end": "2025-03-02"})
    assert period.seconds == 86400


def test_top_cpu_ranks_devices_by_mean_over_the_period(devices):
    start = datetime.now(UTC) - timedelta(hours=2)
    samples = []
    for minute in range(0, 120, 5):
        ts = (start + timedelta(minutes=minute)).timestamp()
        for name, value in (("a", 20.0), ("b", 80.0), ("c", 50.0)):
            labels = {"device": name, "ip": devices[name].ip_address}
            samples.append(Sample("cpu_percent", labels, ts, value))
    write(samples)
    period = Period(start, datetime.now(UTC))
    rows = top_cpu(period, n=2)
    assert [r["device"] for r in rows] == ["b", "c"]
    assert rows[0]["mean_pct"] == pytest.approx(80.0) and rows[0]["peak_pct"] == pytest.approx(80.0)
    assert top_cpu(period, n=5, devices={"a"})[0]["device"] == "a"


def test_availability_csv_download_holds_the_rows(devices, browser_for):
    event(devices["a"], "up", "down", 0)
    event(devices["a"], "down", "up", 144)
    client = browser_for("admin")
    response = client.get("/reports/availability.csv", {"start": "2025-03-01", "end": "2025-03-02"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "wardflux-availability-20250301-20250302.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_name = {r["device"]: r for r in rows}
    assert float(by_name["a"]["sla_pct"]) == pytest.approx(90.0)
    assert float(by_name["a"]["down_s"]) == 14400 * 0.6


@pytest.mark.parametrize("kind", ["sites", "incidents", "top-interfaces", "top-cpu"])
def test_every_csv_download_answers(devices, browser_for, kind):
    event(devices["a"], "up", "down", 0)
    event(devices["a"], "down", "up", 144)
    response = browser_for("viewer").get(
        f"/reports/{kind}.csv", {"start": "2025-03-01", "end": "2025-03-02"}
    )
    assert response.status_code == 200
    if kind in ("sites", "incidents"):
        assert response.content.decode().splitlines()[0].startswith(("site,", "device_id,"))


def test_technician_csv_holds_only_their_devices(devices, browser_for, users):
    devices["b"].assigned_to.add(users["technician"])
    response = browser_for("technician").get("/reports/availability.csv", {"period": "24h"})
    names = {r["device"] for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert names == {"b"}


def test_reports_api_returns_the_same_numbers(devices, api):
    event(devices["a"], "up", "down", 0)
    event(devices["a"], "down", "up", 144)
    response = api("viewer").get(
        "/api/v1/reports/availability/", {"start": "2025-03-01", "end": "2025-03-02"}
    )
    assert response.status_code == 200
    row = next(r for r in response.json()["devices"] if r["device"] == "a")
    assert row["sla_pct"] == pytest.approx(90.0) and row["incidents"] == 1
    assert response.json()["incidents"][0]["duration_s"] == 8640


def test_reports_api_top_and_errors(devices, api):
    assert api("technician").get("/api/v1/reports/top/", {"period": "24h"}).status_code == 200
    bad = api("admin").get("/api/v1/reports/top/", {"n": "0"})
    assert bad.status_code == 400 and "n" in bad.json()
    bad = api("admin").get("/api/v1/reports/availability/", {"start": "yesterday"})
    assert bad.status_code == 400 and "start" in bad.json()
    assert api(None).get("/api/v1/reports/top/").status_code == 401


def test_device_without_history_is_unknown_before_its_status_was_set(devices):
    a = devices["a"]
    Device.objects.filter(pk=a.pk).update(status="down", status_changed=T0 + timedelta(hours=18))
    a.refresh_from_db()
    report = availability_report(Device.objects.filter(pk=a.pk), DAY, now=NOW)
    row = report["devices"][0]
    assert row.unknown_s == 18 * 3600 and row.down_s == 6 * 3600 and row.sla_pct == 0.0
    assert report["incidents"][0].end is not None  # the period ended before now


def test_an_outage_at_the_end_of_a_period_ending_now_is_ongoing(devices):
    a = devices["a"]
    event(a, "up", "down", 0)
    period = parse_period({"period": "24h"}, now=T0 + timedelta(hours=2))
    report = availability_report(Device.objects.filter(pk=a.pk), period, now=NOW)
    assert report["incidents"][0].end is None
