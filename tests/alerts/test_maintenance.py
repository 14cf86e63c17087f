"""Maintenance windows: one-off and weekly, in local wall-clock time across DST."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.engine import evaluate_samples
from alerts.maintenance import window_covers, window_errors
from alerts.models import Alert, MaintenanceWindow

from .conftest import sample

# Sunday 2026-03-01 02:00-04:00 UTC.
START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


def test_one_off_window_covers_only_its_span():
    assert window_covers(START, END, "none", None, START)
    assert window_covers(START, END, "none", None, END - timedelta(seconds=1))
    assert not window_covers(START, END, "none", None, END)
    assert not window_covers(START, END, "none", None, START + timedelta(days=7))


def test_weekly_window_repeats_every_week_until_its_end_date():
    week = timedelta(days=7)
    assert window_covers(START, END, "weekly", None, START + 3 * week + timedelta(minutes=5))
    assert not window_covers(START, END, "weekly", None, START + 3 * week + timedelta(hours=3))
    assert not window_covers(START, END, "weekly", None, START - week)
    until = START + 2 * week
    assert not window_covers(START, END, "weekly", until, START + 3 * week)


def test_weekly_window_keeps_local_time_across_dst(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    tz = ZoneInfo("Europe/Berlin")
    # 02:30-03:30 local on Saturday 2026-03-21 (CET); two weeks later it is CEST.
    start = datetime(2026, 3, 21, 2, 30, tzinfo=tz)
    end = datetime(2026, 3, 21, 3, 30, tzinfo=tz)
    later = datetime(2026, 4, 4, 2, 45, tzinfo=tz)
    assert window_covers(start, end, "weekly", None, later)
    assert not window_covers(start, end, "weekly", None, later - timedelta(hours=1, minutes=5))


def test_window_errors_name_the_field():
    assert "end" in window_errors(START, START, "none", [])
    assert "end" in window_errors(START, START + timedelta(days=8), "weekly", [])
    assert "sites" in window_errors(START, END, "none", "hq")


@pytest.mark.django_db
def test_weekly_window_on_a_device_suppresses_its_alert(net, cpu_rule):
    window = MaintenanceWindow.objects.create(
        name="Sunday reboot", start=START - timedelta(days=14), end=END - timedelta(days=14),
        recurrence="weekly",
    )  # fmt: skip
    window.devices.add(net["core"])
    at = (START + timedelta(minutes=10)).timestamp()
    evaluate_samples([sample(net["core"], 99, at), sample(net["access"], 99, at)])
    by_device = {a.device.name: a.suppressed for a in Alert.objects.all()}
    assert by_device == {"core-1": "maintenance", "sw-1": ""}
