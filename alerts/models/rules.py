"""Alert rules: a condition on a metric (or a built-in), how long it must hold, and who hears."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from monitoring.choices import DeviceType
from monitoring.metrics.samples import METRIC_NAME_RE

from ..choices import BuiltinCondition, Operator, Severity

__all__ = ["AlertRule"]

RAISING = (Operator.GT, Operator.GE)
FALLING = (Operator.LT, Operator.LE)


class AlertRule(models.Model):
    name = models.CharField(max_length=200, unique=True)
    metric = models.CharField(
        max_length=200, help_text="a metric name, or device_down / snmp_unreachable / ..."
    )
    watch_metric = models.CharField(
        max_length=200,
        blank=True,
        default="",
        help_text="no_data only: the metric whose series must keep arriving",
    )
    operator = models.CharField(max_length=2, choices=Operator.choices, default=Operator.GT)
    threshold = models.FloatField(
        default=0, help_text="no_data: seconds without a sample before it counts as missing"
    )
    recovery_threshold = models.FloatField(
        null=True, blank=True, help_text="resolve only past this value (hysteresis)"
    )
    for_seconds = models.PositiveIntegerField(default=0)
    for_evaluations = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="consecutive evaluations"
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    # Scope: every non-empty field must match (any value within a field); all empty = all.
    devices = models.ManyToManyField("monitoring.Device", blank=True, related_name="alert_rules")
    sites = models.JSONField(default=list, blank=True)
    device_types = models.JSONField(default=list, blank=True)
    tags = models.ManyToManyField("monitoring.Tag", blank=True, related_name="alert_rules")
    templates = models.ManyToManyField(
        "monitoring.MonitoringTemplate", blank=True, related_name="alert_rules"
    )
    channels = models.ManyToManyField(
        "alerts.NotificationChannel", blank=True, related_name="rules"
    )
    flap_changes = models.PositiveSmallIntegerField(
        default=6, help_text="more state changes than this within the flap window = flapping"
    )
    flap_window_s = models.PositiveIntegerField(default=900)
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.metric in BuiltinCondition.values

    def clean(self) -> None:
        errors = rule_errors(self)
        if errors:
            raise ValidationError(errors)


def rule_errors(r) -> dict[str, str]:
    """Field-keyed reasons a rule cannot work; empty when valid. Shared by admin and API."""
    errors: dict[str, str] = {}
    if r.metric not in BuiltinCondition.values and not METRIC_NAME_RE.match(r.metric or ""):
        errors["metric"] = "A metric name (Prometheus style) or a built-in condition."
    if r.metric == BuiltinCondition.NO_DATA:
        if not METRIC_NAME_RE.match(r.watch_metric or ""):
            errors["watch_metric"] = "no_data needs the metric name to watch."
        if (r.threshold or 0) <= 0:
            errors["threshold"] = "no_data needs the seconds without data (> 0)."
    rec = r.recovery_threshold
    if rec is not None:
        if r.operator in RAISING and rec > r.threshold:
            errors["recovery_threshold"] = "With > or >= it must not be above the threshold."
        elif r.operator in FALLING and rec < r.threshold:
            errors["recovery_threshold"] = "With < or <= it must not be below the threshold."
        elif r.operator in (Operator.EQ, Operator.NE):
            errors["recovery_threshold"] = "Not used with == or !=; leave it empty."
    if not _is_str_list(r.sites):
        errors["sites"] = "A list of site names."
    if not _is_str_list(r.device_types) or set(r.device_types) - set(DeviceType.values):
        errors["device_types"] = f"A list of device types from {', '.join(DeviceType.values)}."
    return errors


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
