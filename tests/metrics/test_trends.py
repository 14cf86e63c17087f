"""SQL store: hourly trends, long ranges answered from them, retention."""

import time

import pytest

from monitoring.metrics.models import MetricSample, MetricTrend
from monitoring.metrics.samples import Sample
from monitoring.metrics.sql import HOUR_MS, apply_retention, rollup_trends

from .test_contract import expected_range

DAY = 86400
NOW = int(time.time()) // DAY * DAY  # today, midnight UTC
WEEK_START = NOW - 7 * DAY


def week_of_samples(metric: str) -> list[Sample]:
    out = []
    for device in ("R1", "R2"):
        for i in range(7 * DAY // 300):  # every 5 minutes
            ts = WEEK_START + 150 + i * 300
            value = ((i * 37) % 101) / 3 + (10 if device == "R2" else 0)
            out.append(Sample(metric, {"device": device, "ip": "10.0.0.1"}, ts, value))
    return out


@pytest.fixture
def sql_store(db, settings, tmp_path):
    """Trends belong to the SQL store only."""
    from monitoring.metrics.store import get_store

    settings.METRICS_BACKEND = "sql"
    settings.METRICS_SPOOL_DIR = tmp_path / "spool"
    store = get_store()
    store.forget_series()
    return store


@pytest.mark.parametrize("agg", ["avg", "min", "max", "last"])
@pytest.mark.parametrize("step", [3600, DAY])
def test_a_week_long_range_comes_from_trends_and_matches_a_direct_computation(
    sql_store, metric, agg, step
):
    samples = week_of_samples(metric)
    sql_store.write(samples)
    assert rollup_trends(now=NOW) == 2 * 7 * 24
    start, end = WEEK_START + step, NOW
    assert sql_store.range_source(start * 1000, end * 1000, step * 1000) == "trends"
    # With the raw history gone only trends can answer.
    MetricSample.objects.filter(series__name=metric).delete()
    result = sql_store.query_range(metric, {"device": "R2"}, start, end, step, agg=agg)
    got = [(t, float(v)) for t, v in result[0]["values"]]
    want = expected_range(samples, "R2", start, end, step, agg)
    assert [t for t, _ in got] == [t for t, _ in want]
    assert [v for _, v in got] == pytest.approx([v for _, v in want])


def test_samples_arriving_late_are_rolled_into_their_old_hour(sql_store, metric):
    sql_store.write([Sample(metric, {"device": "R1"}, NOW - 30, 1.0)])
    rollup_trends(now=NOW)
    # A spooled batch replayed an hour later, with its original (older) timestamp:
    sql_store.write([Sample(metric, {"device": "R1"}, NOW - 60, 5.0)])
    rollup_trends(now=NOW + 3600)
    trend = MetricTrend.objects.get(series__name=metric, hour_ms=NOW * 1000)
    assert (trend.count, trend.value_min, trend.value_max, trend.value_last) == (2, 1.0, 5.0, 1.0)
    assert trend.value_avg == pytest.approx(3.0)


def test_retention_drops_old_history_and_older_trends(sql_store, metric, settings):
    settings.METRICS_HISTORY_DAYS = 2
    settings.METRICS_TRENDS_DAYS = 5
    sql_store.write(week_of_samples(metric))
    rollup_trends(now=NOW)
    apply_retention(now=NOW)
    oldest_sample = MetricSample.objects.filter(series__name=metric).order_by("ts_ms").first()
    oldest_trend = MetricTrend.objects.filter(series__name=metric).order_by("hour_ms").first()
    assert oldest_sample.ts_ms >= (NOW - 2 * DAY) * 1000
    assert oldest_trend.hour_ms >= (NOW - 5 * DAY) * 1000
    assert oldest_trend.hour_ms < (NOW - 5 * DAY) * 1000 + 2 * HOUR_MS
