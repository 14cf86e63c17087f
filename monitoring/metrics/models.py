"""Tables of the embedded SQL metrics store.

A series (name + labels) is stored once in MetricSeries; history and trend rows
carry only its id, a timestamp in integer milliseconds and values, so a row is a
few dozen bytes. Both keyed by (series, time): the primary key is the index that
serves range reads, and a replayed batch cannot insert a sample twice.
"""

from django.db import models

__all__ = ["MetricSample", "MetricSeries", "MetricTrend", "RollupState"]


class MetricSeries(models.Model):
    name = models.CharField(max_length=200, db_index=True)
    labels = models.JSONField(default=dict)
    # sha256 of name and sorted labels: the identity of the series.
    labels_hash = models.CharField(max_length=64, unique=True)
    # Copied out of labels: technicians are limited by it, and most reads match on it.
    device = models.CharField(max_length=255, blank=True, default="", db_index=True)

    class Meta:
        verbose_name_plural = "metric series"

    def __str__(self) -> str:
        inner = ",".join(f'{k}="{v}"' for k, v in sorted(self.labels.items()))
        return f"{self.name}{{{inner}}}"


class MetricSample(models.Model):
    """One raw sample (history), kept METRICS_HISTORY_DAYS."""

    pk = models.CompositePrimaryKey("series_id", "ts_ms")
    series = models.ForeignKey(MetricSeries, on_delete=models.CASCADE, related_name="samples")
    ts_ms = models.BigIntegerField()
    value = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["ts_ms"], name="metric_sample_ts")]

    def __str__(self) -> str:
        return f"{self.series_id}@{self.ts_ms}={self.value}"


class MetricTrend(models.Model):
    """One hour of one series, kept METRICS_TRENDS_DAYS.

    `hour_ms` is the hour's END: the row summarises samples with
    hour_ms - 1h < ts <= hour_ms, the same half-open side as a query_range step
    (t - step, t], so trend answers equal history answers for whole-hour steps.
    """

    pk = models.CompositePrimaryKey("series_id", "hour_ms")
    series = models.ForeignKey(MetricSeries, on_delete=models.CASCADE, related_name="trends")
    hour_ms = models.BigIntegerField()
    value_min = models.FloatField()
    value_avg = models.FloatField()
    value_max = models.FloatField()
    value_last = models.FloatField()
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["hour_ms"], name="metric_trend_hour")]

    def __str__(self) -> str:
        return f"{self.series_id}@{self.hour_ms} avg={self.value_avg} n={self.count}"


class RollupState(models.Model):
    """One row: the oldest sample time written since the last rollup.

    Writes lower it (conditional UPDATE, so concurrent writers never raise it);
    rollup recomputes every hour from there, so replayed old samples reach trends.
    """

    dirty_from_ms = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollup from {self.dirty_from_ms}"
