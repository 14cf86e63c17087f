"""What the e2e tests do to the product's database, run inside a Django subprocess
(``python -m tests.e2e.djrun FUNC JSON``) against the database the workers use.

Saves go through the ORM, as the admin's would, so signals keep beat's rows in step.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.utils import timezone

from monitoring.choices import SnmpVersion, ValueType
from monitoring.models import Device, MonitoringItem, SNMPCredential

# Two gauges snmpd and snmpsim both answer; sysUpTime adds sys_uptime_seconds.
ITEMS = [
    ("sysUpTime", "1.3.6.1.2.1.1.3.0", ValueType.GAUGE),
    ("ifNumber", "1.3.6.1.2.1.2.1.0", ValueType.GAUGE),
]


def add_devices(devices: list[dict]) -> dict[str, int]:
    """Each: name, port, community, group, interval; optional ip, timeout_s, retries."""
    ids = {}
    for d in devices:
        cred = SNMPCredential.objects.create(
            name=f"cred-{d['name']}",
            version=SnmpVersion.V2C,
            community=d["community"],
            port=d["port"],
            timeout=d.get("timeout_s", 1.0),
            retries=d.get("retries", 0),
        )
        device = Device.objects.create(
            name=d["name"],
            ip_address=d.get("ip", "127.0.0.1"),
            snmp_credential=cred,
            poller_group=d["group"],
        )
        for key, oid, value_type in ITEMS:
            MonitoringItem.objects.create(
                device=device, key=key, name=key, oid=oid, value_type=value_type,
                interval=d["interval"],
            )  # fmt: skip
        ids[d["name"]] = device.pk
    return ids


def move_to_group(device_id: int, group: str) -> str:
    """As the admin's change form does: load, set, save (the signal re-routes beat's task)."""
    device = Device.objects.get(pk=device_id)
    device.poller_group = group
    device.full_clean()
    device.save()
    return device.queue


def add_user(username: str, password: str, role: str) -> int:
    user = User.objects.create_user(username, password=password, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user.pk


def poll_tasks() -> dict[str, str]:
    from django_celery_beat.models import PeriodicTask

    rows = PeriodicTask.objects.filter(name__startswith="poll:").values_list("name", "queue")
    return dict(rows)


def clear_cache() -> bool:
    cache.clear()
    return True


def now() -> str:
    return timezone.now().isoformat()
