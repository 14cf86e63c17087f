"""Acknowledging a Zabbix-sourced alert here acknowledges its event in Zabbix.

alerts.actions.acknowledge sends `alert_acknowledged` after commit; we answer with
`event.acknowledge` (acknowledge + add message, the operator's comment). The outcome goes
into the alert's timeline. If Zabbix is down, the ack stays recorded here and the next
sync sends it again (problems.py sees ours acknowledged and Zabbix's not).
"""

from __future__ import annotations

import logging

from django.utils import timezone

from alerts.models import Alert
from monitoring.choices import Source

from .client import ZabbixClient, ZabbixError, client_for
from .models import ZabbixHost

log = logging.getLogger(__name__)

# event.acknowledge `action` bits (Zabbix 6.0 API).
ACTION_ACKNOWLEDGE = 2
ACTION_ADD_MESSAGE = 4
SENT_EVENT = "zabbix_acknowledged"
FAILED_EVENT = "zabbix_ack_failed"
MAX_MESSAGE_LENGTH = 2048  # Zabbix's acknowledges.message column


def ack_params(eventid: str, comment: str) -> dict:
    action = ACTION_ACKNOWLEDGE | (ACTION_ADD_MESSAGE if comment else 0)
    params = {"eventids": [eventid], "action": action}
    if comment:
        params["message"] = comment[:MAX_MESSAGE_LENGTH]
    return params


def was_sent(alert: Alert) -> bool:
    return any(e.get("event") == SENT_EVENT for e in alert.timeline or [])


def acknowledge_in_zabbix(alert: Alert, comment: str, client: ZabbixClient | None = None) -> bool:
    """event.acknowledge for a zabbix alert; True when Zabbix took it. Never raises."""
    if alert.source != Source.ZABBIX or not alert.external_id:
        return False
    link = ZabbixHost.objects.filter(device_id=alert.device_id).select_related("server").first()
    if link is None:
        return False
    try:
        (client or client_for(link.server)).call(
            "event.acknowledge", ack_params(alert.external_id, comment)
        )
        entry, ok = {"event": SENT_EVENT, "server": link.server.name}, True
    except ZabbixError as exc:
        log.warning("Zabbix ack of event %s failed: %s", alert.external_id, exc)
        entry, ok = {"event": FAILED_EVENT, "server": link.server.name, "error": str(exc)}, False
    fresh = Alert.objects.filter(pk=alert.pk).values_list("timeline", flat=True).first() or []
    entry["at"] = timezone.now().isoformat()
    Alert.objects.filter(pk=alert.pk).update(timeline=[*fresh, entry])
    return ok


def on_alert_acknowledged(sender, alert: Alert, comment: str = "", **kwargs) -> None:
    """Receiver of alerts.signals.alert_acknowledged (connected in apps.ready())."""
    acknowledge_in_zabbix(alert, comment)
