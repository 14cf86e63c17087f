"""Receivers that push device state changes and new or changed problems to open boards."""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from alerts.models import Alert
from monitoring.models import Device

from . import live

_WATCHED_ALERT_FIELDS = {"state", "acknowledged", "severity", "suppressed"}


@receiver(post_init, sender=Device)
def remember_status(sender, instance: Device, **kwargs) -> None:
    # __dict__: never load a deferred status just to remember it.
    instance._console_status = instance.__dict__.get("status")


@receiver(post_save, sender=Device)
def device_saved(sender, instance: Device, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    was = getattr(instance, "_console_status", None)
    if created or was != instance.status:
        live.publish(live.device_message(instance, was or ""))
    instance._console_status = instance.status


@receiver(post_save, sender=Alert)
def alert_saved(sender, instance: Alert, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    fields = kwargs.get("update_fields")
    if created or fields is None or _WATCHED_ALERT_FIELDS & set(fields):
        live.publish(live.alert_message(instance, created))
