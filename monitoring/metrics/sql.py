"""The embedded SQL store: history and per-hour trends in the Django database.

Range reads longer than TRENDS_AFTER_S with a step of an hour or more, and any
read reaching back past history retention, are answered from trends. Aggregation
runs in the database (GROUP BY the step bucket), so a day of 1,000 series moves
1,000 x 1,440 numbers to Python, not the raw rows. Writes are one transaction of
bulk inserts; a sample already stored (same series and time) is kept as it was.
"""

import hashlib
import json
import math
import time
from collections.abc import Collection

from django.conf import settings
from django.db import DatabaseError, DataError, IntegrityError
from django.db.models import Q

from . import results
from .database import connection, transaction  # the METRICS_SQL_DATABASE alias's
from .matchers import LabelMatcher
from .models import MetricSample, MetricSeries, MetricTrend, RollupState
from .samples import CheckedBatch, Sample, series_texts
from .store import (
    DEFAULT_LOOKBACK_S,
    BackendUnavailable,
    BatchRejected,
    MetricsStore,
    check_query,
    check_range,
)

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
TRENDS_AFTER_S = 3 * 86400
INSERT_BATCH = 5000  # rows per INSERT: 15,000 parameters, under SQLite's 32,766
IN_CHUNK = 1000
ORPHAN_BATCH = 1000  # series deleted per transaction by retention
WRITE_ATTEMPTS = 3  # a cached series id deleted meanwhile costs one more

SAMPLES = MetricSample._meta.db_table
TRENDS = MetricTrend._meta.db_table


def series_hash(name: str, labels: dict) -> str:
    canonical = json.dumps([name, sorted(labels.items())], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _bucket(column: str) -> str:
    """SQL for the end of the step a time falls in: ceil(t / step) * step."""
    return f"(({column} + CAST(%s AS BIGINT) - 1) / CAST(%s AS BIGINT)) * CAST(%s AS BIGINT)"


def _in(ids: list[int]) -> str:
    return ",".join(["%s"] * len(ids))


class SQLStore(MetricsStore):
    name = "sql"

    def __init__(self):
        self._ids: dict[str, int] = {}

    def forget_series(self) -> None:
        """Drop the series-id cache (after tables were emptied, e.g. between tests)."""
        self._ids.clear()

    # --- write ------------------------------------------------------------------------
    def write_batch(self, samples: list[Sample], checked: CheckedBatch | None = None) -> None:
        """Insert in one transaction; any database failure becomes BackendUnavailable.

        IntegrityError means a cached series id is gone (retention deleted the series
        as an orphan; on PostgreSQL the deferred foreign key fails at commit, and the
        whole transaction rolled back): forget the ids and insert again, which makes
        the series anew. Still failing after WRITE_ATTEMPTS, or DataError, is the
        batch's content (BatchRejected: the spool sets it aside instead of retrying it
        forever). Anything else (connection refused or lost, server shutting down) is
        an outage: the caller spools the batch and replays it later.
        """
        series = checked.texts if checked is not None else series_texts(samples)
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                self._insert(samples, series)
                return
            except IntegrityError as exc:
                self._ids.clear()
                if attempt == WRITE_ATTEMPTS:
                    raise BatchRejected(f"database refused the batch: {exc}") from exc
            except DataError as exc:
                raise BatchRejected(f"database refused the batch: {exc}") from exc
            except DatabaseError as exc:
                self._drop_connection()
                raise BackendUnavailable(f"database: {exc}") from exc

    def _drop_connection(self) -> None:
        """Close a connection a failure may have broken, so the next write reconnects.

        Inside an outer atomic block (a request or a test transaction) it is the block
        owner's to roll back: closing it there would break that block.
        """
        if connection.in_atomic_block:
            return
        try:
            connection.close()
        except DatabaseError:
            pass  # already dead; close() has reset it all the same

    def _insert(self, samples: list[Sample], series: list[str]) -> None:
        with transaction.atomic():
            ids = self._series_ids(samples, series)
            times = [round(s.timestamp * 1000) for s in samples]
            values = [float(s.value) for s in samples]
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":
                    # Three array literals built by str.join instead of 30,000 placeholders
                    # (or Python lists psycopg dumps item by item): psycopg spent longer
                    # on those than PostgreSQL on the insert. repr() of a float is exact.
                    # Rows go in primary-key order (a Zabbix history page comes in clock
                    # order across hundreds of series): the index fills page by page.
                    cur.execute(
                        f"INSERT INTO {SAMPLES} (series_id, ts_ms, value)"
                        " SELECT s, t, v FROM unnest(%s::bigint[], %s::bigint[], %s::float8[])"
                        " AS u(s, t, v) ORDER BY s, t ON CONFLICT DO NOTHING",
                        [_array(map(str, ids)), _array(map(str, times)), _array(map(repr, values))],
                    )
                else:  # what bulk_create(ignore_conflicts=True) sends, minus the models
                    rows = list(zip(ids, times, values, strict=True))
                    for chunk in _chunks(rows, INSERT_BATCH):
                        values_sql = ",".join(["(%s,%s,%s)"] * len(chunk))
                        cur.execute(
                            f"INSERT INTO {SAMPLES} (series_id, ts_ms, value) VALUES {values_sql}"
                            " ON CONFLICT DO NOTHING",
                            [x for row in chunk for x in row],
                        )
            oldest = min(times)
            lowered = RollupState.objects.filter(
                Q(dirty_from_ms__isnull=True) | Q(dirty_from_ms__gt=oldest), pk=1
            ).update(dirty_from_ms=oldest)
            if not lowered:
                RollupState.objects.get_or_create(pk=1, defaults={"dirty_from_ms": oldest})

    def _series_ids(self, samples: list[Sample], series: list[str]) -> list[int]:
        """Each sample's MetricSeries id, cached by series text (render_series)."""
        cache = self._ids
        missing = {t: s for t, s in zip(series, samples, strict=True) if t not in cache}
        if missing:
            # The same labels in another order are another text but one series (one hash).
            by_hash: dict[str, list[str]] = {}
            for text, s in missing.items():
                by_hash.setdefault(series_hash(s.name, s.labels), []).append(text)
            MetricSeries.objects.bulk_create(
                [
                    MetricSeries(
                        name=missing[texts[0]].name,
                        labels=missing[texts[0]].labels,
                        labels_hash=h,
                        device=missing[texts[0]].labels.get("device", ""),
                    )
                    for h, texts in by_hash.items()
                ],
                batch_size=1000,
                ignore_conflicts=True,
            )
            found = MetricSeries.objects.filter(labels_hash__in=list(by_hash))
            for pk, h in found.values_list("id", "labels_hash"):
                for text in by_hash[h]:
                    cache[text] = pk
        return [cache[t] for t in series]

    # --- read -------------------------------------------------------------------------
    def _match_series(
        self, metric: str, matchers: list[LabelMatcher], devices: Collection[str] | None
    ) -> dict[int, dict]:
        qs = MetricSeries.objects.filter(name=metric)
        for m in matchers:
            if m.label == "device" and m.op == "=":
                qs = qs.filter(device=m.value)
        if devices is not None:
            qs = qs.filter(device__in=list(devices))
        return {
            pk: labels
            for pk, labels in qs.values_list("id", "labels")
            if all(m.matches(labels) for m in matchers)
        }

    def query(self, metric, match=None, at=None, lookback_s=DEFAULT_LOOKBACK_S, devices=None):
        matchers = check_query(metric, match)
        at_ms = int((time.time() if at is None else at) * 1000)
        series = self._match_series(metric, matchers, devices)
        points = []
        for chunk in _chunks(list(series), IN_CHUNK):
            sql = (
                f"SELECT h.series_id, h.value FROM {SAMPLES} h JOIN ("
                f" SELECT series_id, MAX(ts_ms) AS m FROM {SAMPLES}"
                f" WHERE series_id IN ({_in(chunk)}) AND ts_ms > %s AND ts_ms <= %s"
                f" GROUP BY series_id) l ON h.series_id = l.series_id AND h.ts_ms = l.m"
            )
            params = [*chunk, at_ms - int(lookback_s * 1000), at_ms]
            with connection.cursor() as cur:
                cur.execute(sql, params)
                points += [(series[sid], value) for sid, value in cur.fetchall()]
        return results.vector(metric, points, at_ms)

    def range_source(self, start_ms: int, end_ms: int, step_ms: int) -> str:
        """'trends' or 'history': where a range read of these bounds is answered from."""
        history_from = time.time() * 1000 - settings.METRICS_HISTORY_DAYS * DAY_MS
        if start_ms < history_from:
            return "trends"
        if end_ms - start_ms > TRENDS_AFTER_S * 1000 and step_ms >= HOUR_MS:
            return "trends"
        return "history"

    def query_range(self, metric, match, start, end, step, agg="avg", devices=None):
        matchers = check_query(metric, match)
        start_ms, end_ms, step_ms = check_range(start, end, step, agg)
        series = self._match_series(metric, matchers, devices)
        source = self.range_source(start_ms, end_ms, step_ms)
        points: dict[int, list] = {sid: [] for sid in series}
        for chunk in _chunks(list(series), IN_CHUNK):
            sql, params = _range_sql(source, agg, chunk, start_ms - step_ms, end_ms, step_ms)
            with connection.cursor() as cur:
                cur.execute(sql, params)
                for sid, bucket, value in cur.fetchall():
                    points[sid].append((int(bucket), value))
        return results.matrix(metric, [(series[sid], pts) for sid, pts in points.items()])

    def check(self) -> dict:
        with connection.cursor() as cur:
            cur.execute(f"SELECT 1 FROM {SAMPLES} LIMIT 1")
        return {"ok": True, "backend": self.name}


def _range_sql(source: str, agg: str, ids: list[int], lo: int, hi: int, step: int):
    """SQL and parameters for one aggregation over (lo, hi], bucketed by step."""
    if source == "history":
        table, ts, cols = SAMPLES, "ts_ms", {"min": "MIN(value)", "max": "MAX(value)"}
        cols["avg"] = "AVG(value)"
        last_col = "value"
    else:
        table, ts, cols = TRENDS, "hour_ms", {"min": "MIN(value_min)", "max": "MAX(value_max)"}
        cols["avg"] = "SUM(value_avg * count) / SUM(count)"
        last_col = "value_last"
    where = f"series_id IN ({_in(ids)}) AND {ts} > %s AND {ts} <= %s"
    bucket = _bucket(ts)
    if agg != "last":
        sql = (
            f"SELECT series_id, {bucket} AS b, {cols[agg]} FROM {table}"
            f" WHERE {where} GROUP BY series_id, b"
        )
        return sql, [step, step, step, *ids, lo, hi]
    sql = (
        f"SELECT series_id, b, v FROM (SELECT series_id, {bucket} AS b, {last_col} AS v,"
        f" ROW_NUMBER() OVER (PARTITION BY series_id, {bucket} ORDER BY {ts} DESC) AS rn"
        f" FROM {table} WHERE {where}) s WHERE rn = 1"
    )
    return sql, [step, step, step, step, step, step, *ids, lo, hi]


def _array(items) -> str:
    """A PostgreSQL array literal of numbers already formatted as text."""
    return "{" + ",".join(items) + "}"


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rollup_trends(now: float | None = None) -> int:
    """Recompute per-hour trends from the oldest sample written since the last run.

    Returns the number of trend rows written. Safe to run concurrently with writes:
    the dirty mark only moves forward if no writer lowered it meanwhile.
    """
    state, _ = RollupState.objects.get_or_create(pk=1)
    dirty_from = state.dirty_from_ms
    if dirty_from is None:
        return 0
    now_ms = int((time.time() if now is None else now) * 1000)
    first = math.ceil(dirty_from / HOUR_MS) * HOUR_MS
    last = math.ceil(now_ms / HOUR_MS) * HOUR_MS  # the current, partial hour included
    bucket = _bucket("ts_ms")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TRENDS} WHERE hour_ms >= %s AND hour_ms <= %s", [first, last])
        cur.execute(
            f"INSERT INTO {TRENDS} (series_id, hour_ms, value_min, value_avg, value_max,"
            f" value_last, count)"
            f" SELECT series_id, b, MIN(value), AVG(value), MAX(value),"
            f" MAX(CASE WHEN rn = 1 THEN value END), COUNT(*) FROM ("
            f"  SELECT series_id, value, {bucket} AS b, ROW_NUMBER() OVER"
            f"  (PARTITION BY series_id, {bucket} ORDER BY ts_ms DESC) AS rn"
            f"  FROM {SAMPLES} WHERE ts_ms > %s AND ts_ms <= %s) s GROUP BY series_id, b",
            [HOUR_MS] * 6 + [first - HOUR_MS, last],
        )
        written = cur.rowcount
    # Next run starts in the current hour again, unless a writer lowered the mark meanwhile.
    RollupState.objects.filter(pk=1, dirty_from_ms=dirty_from).update(
        dirty_from_ms=last - HOUR_MS + 1
    )
    return written


def apply_retention(now: float | None = None) -> tuple[int, int, int]:
    """Delete history older than METRICS_HISTORY_DAYS, trends older than
    METRICS_TRENDS_DAYS, then the series left with neither; returns the three counts."""
    now_ms = int((time.time() if now is None else now) * 1000)
    with connection.cursor() as cur:
        cur.execute(
            f"DELETE FROM {SAMPLES} WHERE ts_ms < %s",
            [now_ms - settings.METRICS_HISTORY_DAYS * DAY_MS],
        )
        history = cur.rowcount
        cur.execute(
            f"DELETE FROM {TRENDS} WHERE hour_ms < %s",
            [now_ms - settings.METRICS_TRENDS_DAYS * DAY_MS],
        )
        trends = cur.rowcount
    return history, trends, delete_orphan_series()


def _orphan(ref: str) -> str:
    """SQL: the series `ref` (an id column) has no history and no trends."""
    return (
        f"NOT EXISTS (SELECT 1 FROM {SAMPLES} h WHERE h.series_id = {ref})"
        f" AND NOT EXISTS (SELECT 1 FROM {TRENDS} t WHERE t.series_id = {ref})"
    )


def delete_orphan_series(batch: int = ORPHAN_BATCH) -> int:
    """Delete series with neither history nor trends left (a removed interface or
    device, once retention emptied it); returns how many.

    At most `batch` series per short transaction, walking ids upwards, so the table is
    never locked long. The candidates are locked (FOR UPDATE, where the database has
    it), then deleted by a statement that checks again: a writer that committed samples
    for one meanwhile keeps it. A writer whose samples are not committed yet, or a
    process holding a deleted id in its series cache, gets a foreign-key error at
    commit; SQLStore.write_batch then makes the series anew and writes again (or the
    batch is spooled), so no sample is lost.
    """
    table = MetricSeries._meta.db_table
    deleted, after = 0, 0
    while True:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT s.id FROM {table} s WHERE s.id > %s AND {_orphan('s.id')}"
                f" ORDER BY s.id LIMIT %s",
                [after, batch],
            )
            ids = [row[0] for row in cur.fetchall()]
        if not ids:
            return deleted
        after = ids[-1]
        with transaction.atomic(), connection.cursor() as cur:
            if connection.features.has_select_for_update:
                cur.execute(
                    f"SELECT id FROM {table} WHERE id IN ({_in(ids)}) ORDER BY id FOR UPDATE", ids
                )
            cur.execute(
                f"DELETE FROM {table} WHERE id IN ({_in(ids)}) AND {_orphan(f'{table}.id')}", ids
            )
            deleted += cur.rowcount
        if len(ids) < batch:
            return deleted
