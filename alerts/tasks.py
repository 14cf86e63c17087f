"""Celery tasks: thin; they load by id, call the domain code and record."""

import time

from celery import shared_task
from django.conf import settings

from . import delivery, engine
from .notifications import TransientError


def backoff_s(retries: int) -> float:
    """Seconds before retry number `retries` + 1: base, doubling, capped."""
    base = settings.ALERTS_RETRY_BASE_S
    return min(settings.ALERTS_RETRY_CAP_S, base * 2**retries)


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_notification(self, alert_id: int, channel_id: int, event: str) -> None:
    retries = self.request.retries
    final = retries >= settings.ALERTS_MAX_RETRIES
    try:
        delivery.deliver(alert_id, channel_id, event, attempt=retries + 1, final=final)
    except TransientError as exc:
        if final:
            return
        raise self.retry(exc=exc, countdown=backoff_s(retries)) from exc


@shared_task(acks_late=True)
def send_notifications(messages: list) -> None:
    """Fan a run's sends out into one send_notification each (each retries on its own)."""
    for alert_id, channel_id, event in messages:
        send_notification.delay(alert_id, channel_id, event)


@shared_task
def evaluate_conditions() -> int:
    return engine.evaluate_conditions(time.time())


@shared_task
def promote_pending() -> int:
    return engine.promote_pending(time.time())
