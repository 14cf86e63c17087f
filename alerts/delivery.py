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


class SendBatch:
    """The on-commit callback that queues a whole run's sends with one broker message.

    One message goes straight to send_notification; more go as one send_notifications
    message that a worker fans out, so the evaluating process pays one broker round trip.
    """

    def __init__(self, messages: list[tuple[int, int, str]]) -> None:
        self.messages = messages

    def __call__(self) -> None:
        from .tasks import send_notification, send_notifications

        if len(self.messages) == 1:
            send_notification.delay(*self.messages[0])
        else:
            send_notifications.delay(self.messages)

    def __repr__(self) -> str:
        return f"<SendBatch of {len(self.messages)} send_notification>"


def enqueue_many(messages: list[tuple[int, int, str]]) -> int:
    """Queue (alert id, channel id, event) sends once the transaction commits."""
    if messages:
        transaction.on_commit(SendBatch(list(messages)))
    return len(messages)


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
