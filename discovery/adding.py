"""Turn discovery results into monitored devices. Idempotent: an IP is never added twice."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from monitoring.models import Device, MonitoringTemplate
from monitoring.templates import apply_template

from .models import DiscoveryResult

__all__ = ["AddReport", "add_results", "device_name"]

NAME_MAX = 100  # Device.name max_length
_UNSAFE = re.compile(r"[^\w.@+-]+")


@dataclass
class AddReport:
    added: list[Device] = field(default_factory=list)
    already_monitored: list[tuple[DiscoveryResult, Device]] = field(default_factory=list)
    templates_applied: dict[str, int] = field(default_factory=dict)  # template -> devices

    def as_dict(self) -> dict:
        return {
            "added": [{"id": d.pk, "name": d.name, "ip_address": d.ip_address} for d in self.added],
            "already_monitored": [
                {"result": r.pk, "device": d.pk, "name": d.name, "ip_address": d.ip_address}
                for r, d in self.already_monitored
            ],
            "templates_applied": self.templates_applied,
        }


def _base_name(result: DiscoveryResult) -> str:
    for candidate in (result.sys_name, result.dns_name, result.ip_address):
        cleaned = _UNSAFE.sub("-", (candidate or "").strip()).strip("-")
        if cleaned:
            return cleaned[:NAME_MAX]
    return str(result.ip_address)


def device_name(result: DiscoveryResult, taken: set[str]) -> str:
    """sysName, else the reverse DNS name, else the IP; "-2", "-3"... when taken."""
    base = _base_name(result)
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f"-{n}"
        name = base[: NAME_MAX - len(suffix)] + suffix
    taken.add(name.lower())
    return name


@transaction.atomic
def add_results(
    results: Iterable[DiscoveryResult],
    *,
    site: str | None = None,
    poller_group: str | None = None,
    apply_templates: bool = True,
) -> AddReport:
    """Create a device per result whose IP is not monitored yet; report the others.

    ``site`` / ``poller_group`` None: take the job's. Each result gets its device linked.
    """
    report = AddReport()
    results = list(results)
    ips = {str(r.ip_address) for r in results}
    # Lock the matching devices so two concurrent adds of the same IP cannot both create.
    existing: dict[str, Device] = {}
    for device in Device.objects.select_for_update().filter(ip_address__in=ips).order_by("pk"):
        existing.setdefault(device.ip_address, device)
    taken = {n.lower() for n in Device.objects.values_list("name", flat=True)}
    templates = {t.name: t for t in MonitoringTemplate.objects.all()}
    to_template: dict[str, list[Device]] = {}
    for result in results:
        device = existing.get(str(result.ip_address))
        if device is not None:
            report.already_monitored.append((result, device))
            if result.device_id != device.pk:
                DiscoveryResult.objects.filter(pk=result.pk).update(device=device)
            continue
        job = result.job
        device = Device.objects.create(
            name=device_name(result, taken),
            ip_address=result.ip_address,
            hostname=result.dns_name,
            device_type=result.device_type,
            vendor=result.vendor,
            site=job.site if site is None else site,
            poller_group=(job.poller_group if poller_group is None else poller_group) or "default",
            snmp_credential_id=result.credential_id,
            sys_name=result.sys_name,
            sys_descr=result.sys_descr,
            sys_object_id=result.sys_object_id,
        )
        existing[device.ip_address] = device
        DiscoveryResult.objects.filter(pk=result.pk).update(device=device)
        result.device = device
        report.added.append(device)
        if apply_templates and result.snmp and result.template in templates:
            to_template.setdefault(result.template, []).append(device)
    for name, devices in to_template.items():
        apply_template(templates[name], devices)
        report.templates_applied[name] = len(devices)
    return report
