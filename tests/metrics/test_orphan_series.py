"""Retention deletes series left with neither history nor trends, and a writer holding a
deleted series' id in its cache still stores its samples (private PostgreSQL, real commits:
the deferred foreign key fails only at commit, which a test transaction never reaches)."""

import re
import threading
import time

from django.db import connections
from django.test.utils import CaptureQueriesContext

from monitoring.metrics.models import MetricSample, MetricSeries
from monitoring.metrics.samples import Sample
from monitoring.metrics.spool import Spool
from monitoring.metrics.sql import apply_retention, delete_orphan_series, rollup_trends
from monitoring.metrics.store import get_store

DAY = 86400
NOW = int(time.time()) // DAY * DAY


def devices(metric: str) -> set[str]:
    return set(MetricSeries.objects.filter(name=metric).values_list("device", flat=True))


def test_retention_deletes_series_with_neither_samples_nor_trends(metrics_db, metric, settings):
    settings.METRICS_HISTORY_DAYS = 2
    settings.METRICS_TRENDS_DAYS = 5
    get_store().write(
        [
            Sample(metric, {"device": "gone"}, NOW - 10 * DAY, 1.0),  # both expire
            Sample(metric, {"device": "trend-only"}, NOW - 3 * DAY, 2.0),  # its trend stays
            Sample(metric, {"device": "kept"}, NOW - 60, 3.0),
        ]
    )
    rollup_trends(now=NOW)
    assert MetricSeries.objects.using(metrics_db.alias).filter(name=metric).count() == 3
    assert apply_retention(now=NOW) == (2, 1, 1)
    assert devices(metric) == {"trend-only", "kept"}
    assert apply_retention(now=NOW) == (0, 0, 0)


def test_orphans_are_deleted_in_bounded_batches(metrics_db, metric):
    get_store().write(
        [Sample(metric, {"device": f"D{i:02}"}, NOW - 60, float(i)) for i in range(25)]
    )
    with connections[metrics_db.alias].cursor() as cur:
        # Every third series loses its samples: orphans interleaved with kept series.
        cur.execute(
            "DELETE FROM metrics_metricsample WHERE series_id IN"
            " (SELECT id FROM metrics_metricseries WHERE name = %s AND"
            "  CAST(SUBSTRING(device FROM 2) AS INT) %% 3 = 0)",
            [metric],
        )
    with CaptureQueriesContext(connections[metrics_db.alias]) as queries:
        assert delete_orphan_series(batch=2) == 9  # D00, D03, ..., D24
    assert devices(metric) == {f"D{i:02}" for i in range(25) if i % 3}
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 5  # 2 + 2 + 2 + 2 + 1, one short transaction each
    assert all(len(re.search(r"IN \(([^)]*)\)", q).group(1).split(",")) <= 2 for q in deletes)


def test_a_cached_id_of_a_deleted_series_does_not_lose_samples(metrics_db, metric, settings):
    settings.METRICS_HISTORY_DAYS = 2
    store = get_store()
    store.write([Sample(metric, {"device": "R1"}, NOW - 10 * DAY, 1.0)])
    (old_id,) = MetricSeries.objects.filter(name=metric).values_list("id", flat=True)
    assert old_id in store._ids.values()  # the writer remembers it...
    assert apply_retention(now=NOW)[2] == 1  # ...and retention deletes it

    store.write([Sample(metric, {"device": "R1"}, NOW - 60, 2.0)])

    assert Spool(metrics_db.spool_dir, 10**9).is_empty()  # written, not spooled
    series = MetricSeries.objects.get(name=metric)
    assert series.id != old_id and series.labels == {"device": "R1"}
    assert list(series.samples.values_list("ts_ms", "value")) == [((NOW - 60) * 1000, 2.0)]


def test_retention_racing_writers_loses_no_sample(metrics_db, metric, settings):
    """Retention empties and deletes 300 series while a writer, whose cache holds their
    ids, writes new samples for them: both run at once in their own connections, over
    several rounds. Every new sample is stored, by the writer itself (nothing spooled)."""
    settings.METRICS_HISTORY_DAYS = 2
    store = get_store()
    written: list[tuple[str, int]] = []
    hits = 0
    for round_ in range(4):
        names = [f"R{round_}D{i:03}" for i in range(300)]  # each round, 300 new series
        store.write([Sample(metric, {"device": d}, NOW - 10 * DAY, 0.0) for d in names])
        start = threading.Barrier(2)
        deleted: list[int] = []

        def retention(start=start, deleted=deleted):
            try:
                start.wait()
                deleted.append(apply_retention(now=NOW)[2])
            finally:
                connections.close_all()

        thread = threading.Thread(target=retention)
        thread.start()
        start.wait()
        deadline = time.monotonic() + 30
        for n in range(3000):  # batches of 10 series round the 300 while retention runs
            if not thread.is_alive() or time.monotonic() > deadline:
                break
            ts = NOW - 3600 + round_ * 1000 + n // 30
            batch = names[n % 30 * 10 : n % 30 * 10 + 10]
            store.write([Sample(metric, {"device": d}, ts, 1.0) for d in batch])
            written += [(d, ts * 1000) for d in batch]
        thread.join(60)
        assert not thread.is_alive()
        hits += deleted[0]
    assert hits, "retention never deleted a series the writer held: no race took place"
    assert Spool(metrics_db.spool_dir, 10**9).is_empty()  # the writer stored every batch
    stored = set(
        MetricSample.objects.using(metrics_db.alias)
        .filter(series__name=metric, ts_ms__gte=(NOW - 2 * DAY) * 1000)
        .values_list("series__device", "ts_ms")
    )
    assert stored == set(written)
