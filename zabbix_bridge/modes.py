"""The three modes: who polls a device, and the schedules that follow from the active mode.

zabbix      WARD FLUX polls nothing: its SNMP (`poll:`) and ICMP (`icmp:`) beat tasks are off;
            the bridge's sync tasks (`zabbix-sync:`) are on.
standalone  the bridge is off (its sync tasks disabled); WARD FLUX polls everything.
hybrid      both run; a device mirrored from Zabbix keeps Zabbix as its source unless an
            operator sets `Device.poll_locally`; every other device is polled here.
The switch happens in the same transaction as the profile save, and bumps beat's change
marker, so beat picks it up within one tick.
"""

from django.db import transaction
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from monitoring.choices import ProfileMode, Source
from monitoring.models import MonitoringProfile

LOCAL_POLL_PREFIXES = ("poll:", "icmp:")
BRIDGE_PREFIXES = ("zabbix-sync:",)


def current_mode() -> str:
    return MonitoringProfile.current_mode()


def is_polled_locally(device, mode: str | None = None) -> bool:
    """Whether WARD FLUX polls this device itself (the SNMP engine asks before polling).

    Pass `mode` when asking for many devices, to read the profile once.
    """
    mode = mode or current_mode()
    if mode == ProfileMode.ZABBIX:
        return False
    if mode == ProfileMode.STANDALONE:
        return True
    return device.source != Source.ZABBIX or bool(device.poll_locally)


def is_imported_from_zabbix(device, mode: str | None = None) -> bool:
    """Whether the bridge imports this device's items and history."""
    mode = mode or current_mode()
    if mode == ProfileMode.STANDALONE or not device.zabbix_hostid:
        return False
    return not is_polled_locally(device, mode)


def _set_enabled(prefixes: tuple[str, ...], enabled: bool) -> int:
    from django.db.models import Q

    match = Q()
    for prefix in prefixes:
        match |= Q(name__startswith=prefix)
    return PeriodicTask.objects.filter(match).exclude(enabled=enabled).update(enabled=enabled)


def apply_mode(mode: str) -> dict:
    """Turn schedules on and off for `mode`; returns how many tasks changed per kind.

    Runs in the caller's transaction when there is one (the profile save), so a failed
    save leaves the schedules as they were.
    """
    local_on = mode != ProfileMode.ZABBIX
    bridge_on = mode != ProfileMode.STANDALONE
    with transaction.atomic():
        changed = {
            "local_polling": _set_enabled(LOCAL_POLL_PREFIXES, local_on),
            "bridge_sync": _set_enabled(BRIDGE_PREFIXES, bridge_on),
        }
        if any(changed.values()):
            # update() fires no signals: bump beat's marker ourselves so it reloads.
            PeriodicTasks.update_changed()
    return changed
