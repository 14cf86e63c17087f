"""Receivers that keep beat's schedule in step with items and devices.

They run in the transaction of the edit (a rolled-back edit leaves beat's rows as
they were) and skip fixture loads (``raw``). Bulk paths use schedule.deferred_sync().
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import schedule
from .models import Device, MonitoringItem, MonitoringProfile


@receiver(post_save, sender=MonitoringItem, dispatch_uid="schedule_item_saved")
def item_saved(sender, instance: MonitoringItem, raw: bool = False, **kwargs) -> None:
    if not raw:
        schedule.request_sync(instance.device_id)


@receiver(post_delete, sender=MonitoringItem, dispatch_uid="schedule_item_deleted")
def item_deleted(sender, instance: MonitoringItem, origin=None, **kwargs) -> None:
    if isinstance(origin, Device) or getattr(origin, "model", None) is Device:
        return  # the device's own post_delete removes its tasks once
    schedule.request_sync(instance.device_id)


@receiver(post_save, sender=Device, dispatch_uid="schedule_device_saved")
def device_saved(sender, instance: Device, raw: bool = False, **kwargs) -> None:
    # enabled, poller_group, credential or source may have changed: the diff is cheap.
    if not raw:
        schedule.request_sync(instance.pk)


@receiver(post_delete, sender=Device, dispatch_uid="schedule_device_deleted")
def device_deleted(sender, instance: Device, **kwargs) -> None:
    schedule.request_sync(instance.pk)


@receiver(post_save, sender=MonitoringProfile, dispatch_uid="schedule_profile_saved")
def profile_saved(sender, instance: MonitoringProfile, raw: bool = False, **kwargs) -> None:
    # Switching to or from zabbix mode adds or removes every device's polls.
    if not raw:
        schedule.sync_all()
