"""Periodic tasks of the metrics store (PeriodicTask rows made by migration 0002)."""

from celery import shared_task
from django.conf import settings


@shared_task(name="metrics.rollup_trends")
def rollup_trends() -> int:
    if settings.METRICS_BACKEND != "sql":
        return 0
    from .sql import rollup_trends as rollup

    return rollup()


@shared_task(name="metrics.apply_retention")
def apply_retention() -> list[int]:
    if settings.METRICS_BACKEND != "sql":
        return [0, 0, 0]  # VictoriaMetrics keeps its own -retentionPeriod
    from .sql import apply_retention as apply

    return list(apply())


@shared_task(name="metrics.replay_spool")
def replay_spool() -> bool:
    from .store import replay_spool as replay

    return replay()
