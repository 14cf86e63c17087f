"""Which devices a rule applies to, and how a rule becomes state-machine parameters."""

import hashlib
import json
from dataclasses import dataclass, field

from django.db.models import Q

from monitoring.models import Device, MonitoringItem

from . import bulk  # noqa: F401 - registers the any_in lookup used below
from .choices import BuiltinCondition, Operator
from .models import AlertRule
from .state import Params

# Labels that name the device itself; the rest (ifName, ...) tell series of one device apart.
DEVICE_LABELS = ("device", "ip")
IF_OPER_STATUS = "if_oper_status"
IF_ADMIN_STATUS = "if_admin_status"
BOOLEAN_CONDITIONS = (
    BuiltinCondition.DEVICE_DOWN,
    BuiltinCondition.SNMP_UNREACHABLE,
    BuiltinCondition.INTERFACE_DOWN,
)


def load_rules() -> list[AlertRule]:
    # devices/tags/templates: every rule's scope is read; channels: whom a transition notifies.
    return list(
        AlertRule.objects.filter(enabled=True).prefetch_related(
            "devices", "tags", "templates", "channels"
        )
    )


def scope_q(rule: AlertRule) -> Q | None:
    """A filter on Device for the rule's scope, or None when the rule covers all devices."""
    q = Q()
    device_ids = [d.pk for d in rule.devices.all()]
    tag_ids = [t.pk for t in rule.tags.all()]
    template_ids = [t.pk for t in rule.templates.all()]
    if device_ids:
        q &= Q(pk__in=device_ids)
    if rule.sites:
        q &= Q(site__in=rule.sites)
    if rule.device_types:
        q &= Q(device_type__in=rule.device_types)
    if tag_ids:
        q &= Q(tags__in=tag_ids)
    if template_ids:
        q &= Q(items__template__in=template_ids)
    return q if q.children else None


@dataclass(frozen=True, slots=True)
class RuleScope:
    """A rule's scope as sets, so a batch checks devices in memory."""

    device_ids: frozenset = frozenset()
    sites: frozenset = frozenset()
    device_types: frozenset = frozenset()
    tag_ids: frozenset = frozenset()
    template_ids: frozenset = frozenset()

    @classmethod
    def of(cls, rule: AlertRule) -> "RuleScope":
        # devices/tags/templates are prefetched by load_rules.
        return cls(
            frozenset(d.pk for d in rule.devices.all()),
            frozenset(rule.sites or ()),
            frozenset(rule.device_types or ()),
            frozenset(t.pk for t in rule.tags.all()),
            frozenset(t.pk for t in rule.templates.all()),
        )

    def covers(self, d: "DeviceFacts") -> bool:
        return (
            (not self.device_ids or d.pk in self.device_ids)
            and (not self.sites or d.site in self.sites)
            and (not self.device_types or d.device_type in self.device_types)
            and (not self.tag_ids or not self.tag_ids.isdisjoint(d.tag_ids))
            and (not self.template_ids or not self.template_ids.isdisjoint(d.template_ids))
        )


@dataclass(slots=True)
class DeviceFacts:
    pk: int
    site: str
    device_type: str
    parent_id: int | None
    tag_ids: set = field(default_factory=set)
    template_ids: set = field(default_factory=set)


def device_facts(names, scopes: list[RuleScope]) -> dict[str, DeviceFacts]:
    """Enabled devices by name (all of them when ``names`` is None), with tags and
    templates only when some scope needs them."""
    devices = Device.objects.filter(enabled=True)
    if names is not None:
        devices = devices.filter(name__any_in=list(names))
    rows = devices.values_list("name", "pk", "site", "device_type", "parent_id")
    facts = {name: DeviceFacts(pk, site, dtype, parent) for name, pk, site, dtype, parent in rows}
    by_pk = {f.pk: f for f in facts.values()}
    # For all devices, read whole tables rather than send 10,000 ids back.
    some = {"device_id__any_in": list(by_pk)} if names is not None else {}
    if by_pk and any(s.tag_ids for s in scopes):
        through = Device.tags.through.objects.filter(**some)
        for device_id, tag_id in through.values_list("device_id", "tag_id"):
            if device_id in by_pk:
                by_pk[device_id].tag_ids.add(tag_id)
    if by_pk and any(s.template_ids for s in scopes):
        items = MonitoringItem.objects.filter(template__isnull=False, **some)
        for device_id, template_id in items.values_list("device_id", "template_id").distinct():
            if device_id in by_pk:
                by_pk[device_id].template_ids.add(template_id)
    return facts


def scoped_devices(rule: AlertRule):
    qs = Device.objects.filter(enabled=True)
    q = scope_q(rule)
    return qs.filter(q).distinct() if q is not None else qs


def params_for(rule: AlertRule) -> Params:
    common = {
        "for_seconds": rule.for_seconds,
        "for_evaluations": max(1, rule.for_evaluations),
        "flap_changes": rule.flap_changes,
        "flap_window_s": rule.flap_window_s,
    }
    if rule.metric in BOOLEAN_CONDITIONS:
        # Observed as 1 (condition true) or 0.
        return Params(operator=Operator.GE, threshold=1.0, **common)
    if rule.metric == BuiltinCondition.NO_DATA:
        # Observed as the seconds since the series was last seen.
        return Params(operator=Operator.GT, threshold=rule.threshold, **common)
    return Params(
        operator=rule.operator,
        threshold=rule.threshold,
        recovery_threshold=rule.recovery_threshold,
        **common,
    )


def sample_metric(rule: AlertRule) -> str | None:
    """The metric name whose samples feed this rule; None for conditions read elsewhere."""
    if rule.metric == BuiltinCondition.INTERFACE_DOWN:
        return IF_OPER_STATUS
    if rule.metric in BuiltinCondition.values:
        return None
    return rule.metric


def series_labels(labels: dict) -> dict:
    return {k: v for k, v in labels.items() if k not in DEVICE_LABELS}


def labels_key(labels: dict) -> str:
    if not labels:
        return ""
    canonical = json.dumps(labels, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()
