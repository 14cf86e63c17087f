"""The live board's messages: what changed, sent to every open board over the channel layer.

publish() is called from signals after the transaction commits. Writers that bypass
signals (the ICMP monitor's conditional UPDATEs, bulk inserts, other processes on the
in-memory layer) are caught by board_fingerprint(), which each open socket re-reads every
CONSOLE_WATCH_INTERVAL_S seconds.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Count, Max, Q

from alerts.choices import OPEN_STATES
from alerts.models import Alert
from monitoring.models import Device

log = logging.getLogger(__name__)

GROUP = "console.board"
EVENT_TYPE = "board.event"  # handled by BoardConsumer.board_event


def send_now(data: dict) -> None:
    """Send one message to every open board; a down channel layer only logs."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(GROUP, {"type": EVENT_TYPE, "data": data})
    except Exception as exc:  # noqa: BLE001 - the board falls back to polling; saves go on
        log.warning("console: live board message not sent: %s", exc)


def publish(data: dict) -> None:
    """Send once the current transaction commits (never news of a rolled-back change)."""
    transaction.on_commit(lambda: send_now(data))


def device_message(device: Device, was: str) -> dict:
    return {
        "kind": "device",
        "device_id": device.pk,
        "name": device.name,
        "status": device.status,
        "was": was,
    }


def alert_message(alert: Alert, created: bool) -> dict:
    from .board import alert_label

    return {
        "kind": "problem",
        "created": created,
        "alert_id": alert.pk,
        "device_id": alert.device_id,
        "device": alert.device.name,
        "severity": alert.severity,
        "state": alert.state,
        "title": alert_label(alert),
    }


def board_fingerprint() -> str:
    """Changes whenever a device's status or an open problem changes, whoever wrote it."""
    d = Device.objects.aggregate(
        n=Count("pk"),
        changed=Max("status_changed"),
        down=Count("pk", filter=~Q(status="up")),
        updated=Max("updated"),
    )
    a = Alert.objects.aggregate(
        last=Max("pk"),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        fired=Max("fired_at"),
        resolved=Max("resolved_at"),
        acked=Max("acknowledged_at"),
    )
    return repr((sorted(d.items()), sorted(a.items())))
