"""Which devices a rule applies to, and how a rule becomes state-machine parameters."""

import hashlib
import json

from django.db.models import Q

from monitoring.models import Device

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
    # devices/tags/templates: scope_q reads them for every rule with a scope.
    return list(
        AlertRule.objects.filter(enabled=True).prefetch_related("devices", "tags", "templates")
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


def in_scope(rule: AlertRule, device_ids) -> set[int] | None:
    """The subset of `device_ids` the rule covers; None means all of them."""
    q = scope_q(rule)
    if q is None:
        return None
    return set(
        Device.objects.filter(pk__in=list(device_ids)).filter(q).values_list("pk", flat=True)
    )


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
