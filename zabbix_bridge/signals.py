"""Receivers: the mode switch follows profile saves; each server keeps its beat task."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from monitoring.models import MonitoringProfile

from .models import ZabbixServer
from .modes import apply_mode, current_mode
from .schedule import ensure_sync_task, remove_sync_task


@receiver(post_save, sender=MonitoringProfile, dispatch_uid="zabbix_bridge_profile_saved")
@receiver(post_delete, sender=MonitoringProfile, dispatch_uid="zabbix_bridge_profile_deleted")
def profile_changed(sender, instance, raw=False, **kwargs) -> None:
    # Runs inside MonitoringProfile.save()'s transaction: the schedules switch with the mode.
    if raw:
        return
    apply_mode(current_mode())


@receiver(post_save, sender=ZabbixServer, dispatch_uid="zabbix_bridge_server_saved")
def server_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    ensure_sync_task(instance)


@receiver(post_delete, sender=ZabbixServer, dispatch_uid="zabbix_bridge_server_deleted")
def server_deleted(sender, instance, **kwargs) -> None:
    remove_sync_task(instance.pk)
