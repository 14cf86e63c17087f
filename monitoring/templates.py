"""Applying templates to devices."""

from collections.abc import Iterable

from django.db import transaction

from .models import Device, MonitoringItem, MonitoringTemplate
from .schedule import deferred_sync

ITEM_FIELDS = ("name", "oid", "value_type", "units", "interval", "enabled")


@transaction.atomic
def apply_template(template: MonitoringTemplate, devices: Iterable[Device]) -> dict[str, int]:
    """Create or update each device's items from the template. Idempotent.

    Returns counts of items created, updated and left unchanged.
    """
    with deferred_sync():  # each device's schedule once, at the end, not per item
        return _apply(template, devices)


def _apply(template: MonitoringTemplate, devices: Iterable[Device]) -> dict[str, int]:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    template_items = list(template.items.all())
    for device in devices:
        existing = {i.key: i for i in device.items.all()}
        for ti in template_items:
            wanted = {f: getattr(ti, f) for f in ITEM_FIELDS}
            item = existing.get(ti.key)
            if item is None:
                MonitoringItem.objects.create(
                    device=device, template=template, key=ti.key, **wanted
                )
                counts["created"] += 1
            elif (
                any(getattr(item, f) != v for f, v in wanted.items())
                or item.template_id != template.pk
            ):
                for f, v in wanted.items():
                    setattr(item, f, v)
                item.template = template
                item.save()
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts
