"""Celery tasks: thin. They take ids and call jobs.py; they run on the default `celery` queue
(CELERY_TASK_DEFAULT_QUEUE), so a worker started without -Q runs them."""

from celery import shared_task

from .choices import JobState
from .jobs import job_from_rule, run_job
from .models import DiscoveryRule


@shared_task(acks_late=False)
def run_discovery_job(job_id: int) -> str:
    # acks_late off: a scan killed mid-way is not re-run by surprise on another worker.
    return run_job(job_id).state


@shared_task(acks_late=False)
def run_discovery_rule(rule_id: int) -> str:
    rule = DiscoveryRule.objects.filter(pk=rule_id, enabled=True).first()
    if rule is None:
        return JobState.CANCELLED
    return run_job(job_from_rule(rule).pk).state
