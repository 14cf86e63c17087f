"""Getting notifications out: enqueue after commit, send one attempt, record every attempt."""

import logging
from functools import partial

from django.db import transaction

from wardflux.selfmetrics import observe_notification

from .choices import AttemptOutcome
from .models import Alert, NotificationAttempt, NotificationChannel
from .notifications import PermanentError, TransientError, notify

log = logging.getLogger(__name__)


def channel_ids_for(alert_id: int) -> list[int]:
    return list(
        NotificationChannel.objects.filter(rules__alerts=alert_id, enabled=True)
        .distinct()
        .values_list("pk", flat=True)
    )


def enqueue(alert_id: int, event: str, channel_ids: list[int] | None = None) -> int:
    """Queue one send per channel of the alert's rule, once the transaction commits."""
    from .tasks import send_notification

    ids = channel_ids_for(alert_id) if channel_ids is None else channel_ids
    for channel_id in ids:
        transaction.on_commit(partial(send_notification.delay, alert_id, channel_id, event))
    return len(ids)


def record_suppressed(
    alert_id: int, event: str, reason: str, channel_ids: list[int] | None = None
) -> None:
    ids = channel_ids_for(alert_id) if channel_ids is None else channel_ids
    NotificationAttempt.objects.bulk_create(
        NotificationAttempt(
            alert_id=alert_id,
            channel_id=cid,
            event=event,
            attempt=0,
            outcome=AttemptOutcome.SUPPRESSED,
            error=f"suppressed: {reason}",
        )
        for cid in ids
    )


def deliver(alert_id: int, channel_id: int, event: str, attempt: int, final: bool) -> None:
    """Send once and record the outcome. Raises TransientError when a retry should follow."""
    alert = Alert.objects.select_related("rule", "device").filter(pk=alert_id).first()
    channel = NotificationChannel.objects.filter(pk=channel_id, enabled=True).first()
    if alert is None or channel is None:
        return  # deleted or disabled since it was queued: nothing to send
    outcome, error = AttemptOutcome.SENT, ""
    try:
        notify(channel, alert, event)
    except TransientError as exc:
        outcome = AttemptOutcome.FAILED if final else AttemptOutcome.RETRYING
        error = str(exc)
        _record(alert_id, channel_id, event, attempt, outcome, error)
        log.warning("alert %s via channel %s attempt %s: %s", alert_id, channel_id, attempt, error)
        raise
    except PermanentError as exc:
        outcome, error = AttemptOutcome.FAILED, str(exc)
        log.warning("alert %s via channel %s gave up: %s", alert_id, channel_id, error)
    _record(alert_id, channel_id, event, attempt, outcome, error)


def _record(alert_id, channel_id, event, attempt, outcome, error) -> None:
    observe_notification(channel_id, str(outcome))
    NotificationAttempt.objects.create(
        alert_id=alert_id,
        channel_id=channel_id,
        event=event,
        attempt=attempt,
        outcome=outcome,
        error=error[:2000],
    )
