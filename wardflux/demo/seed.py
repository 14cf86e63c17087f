"""Seed the demo network into the database: credential, devices, templates, alert rules.

Idempotent: everything is found by name and brought to the wanted state, so running the
demo again neither duplicates devices nor piles up rules. It lives in the project package
(not in monitoring/) because it touches both monitoring and alerts.
"""

from dataclasses import dataclass

from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from alerts.choices import BuiltinCondition, Operator, Severity
from alerts.models import AlertRule
from monitoring.choices import SnmpVersion
from monitoring.models import Device, MonitoringItem, MonitoringTemplate, SNMPCredential, Tag
from monitoring.schedule import sync_devices
from monitoring.simnet.demonet import COMMUNITY, DEMO_DEVICES, DemoNetwork
from monitoring.templates import apply_template

CREDENTIAL_NAME = "demo-public"
TAG = "demo"
EVALUATE_CONDITIONS_TASK = "alerts.tasks.evaluate_conditions"
# Items polled less often than this (sysDescr, sysName: hourly) keep their own interval.
SLOW_ITEM_S = 3600


@dataclass(frozen=True)
class RuleSpec:
    name: str
    metric: str
    severity: str
    operator: str = Operator.GT
    threshold: float = 0.0
    recovery_threshold: float | None = None
    for_evaluations: int = 1


DEMO_RULES = (
    RuleSpec("Demo: device unreachable by SNMP", BuiltinCondition.SNMP_UNREACHABLE, Severity.HIGH),
    RuleSpec("Demo: device down (ICMP)", BuiltinCondition.DEVICE_DOWN, Severity.DISASTER),
    RuleSpec("Demo: CPU above 80%", "cpu_percent", Severity.AVERAGE, threshold=80,
             recovery_threshold=70, for_evaluations=2),
    RuleSpec("Demo: interface input errors", "if_in_errors", Severity.WARNING, threshold=1,
             recovery_threshold=0.1, for_evaluations=2),
)  # fmt: skip


@transaction.atomic
def seed_network(network: DemoNetwork, interval_s: int) -> list[Device]:
    """The demo devices, with their credential, template and a short item interval."""
    credential, _ = SNMPCredential.objects.update_or_create(
        name=CREDENTIAL_NAME,
        defaults={
            "version": SnmpVersion.V2C,
            "community": COMMUNITY,
            "port": network.port,
            "timeout": 1.0,
            "retries": 0,
        },
    )
    tag, _ = Tag.objects.get_or_create(name=TAG)
    devices = []
    for spec in DEMO_DEVICES:
        device, _ = Device.objects.update_or_create(
            name=spec.name,
            defaults={
                "ip_address": network.address(spec),
                "device_type": spec.device_type,
                "vendor": spec.vendor,
                "site": spec.site,
                "poller_group": "default",
                "snmp_credential": credential,
                "enabled": True,
            },
        )
        device.tags.add(tag)
        apply_template(MonitoringTemplate.objects.get(name=spec.template), [device])
        devices.append(device)
    # Graphs fill in minutes instead of hours: one short interval for the demo's items.
    MonitoringItem.objects.filter(device__in=devices, interval__lt=SLOW_ITEM_S).exclude(
        interval=interval_s
    ).update(interval=interval_s)
    sync_devices([d.pk for d in devices])  # update() sends no signals
    return devices


@transaction.atomic
def seed_rules() -> list[AlertRule]:
    rules = []
    for spec in DEMO_RULES:
        rule, _ = AlertRule.objects.update_or_create(
            name=spec.name,
            defaults={
                "metric": spec.metric,
                "operator": spec.operator,
                "threshold": spec.threshold,
                "recovery_threshold": spec.recovery_threshold,
                "for_evaluations": spec.for_evaluations,
                "severity": spec.severity,
                "enabled": True,
            },
        )
        rules.append(rule)
    return rules


def speed_up_conditions(every_s: int) -> int:
    """Evaluate built-in conditions (SNMP unreachable, down) every ``every_s`` seconds.

    The shipped 30 s can miss a short outage entirely: the demo's device is unreachable for
    only a few tens of seconds. Returns the number of beat entries changed.
    """
    every, _ = IntervalSchedule.objects.get_or_create(
        every=every_s, period=IntervalSchedule.SECONDS
    )
    changed = (
        PeriodicTask.objects.filter(task=EVALUATE_CONDITIONS_TASK)
        .exclude(interval=every)
        .update(interval=every)
    )
    if changed:
        PeriodicTasks.update_changed()  # update() sends no signals; beat reloads on this
    return changed
