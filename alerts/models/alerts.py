"""Alerts (one row per problem, kept with its timeline) and the engine's per-series memory."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from monitoring.choices import Source

from ..choices import (
    OPEN_STATES,
    AlertState,
    AttemptOutcome,
    NotificationEvent,
    Severity,
    SuppressedReason,
)

__all__ = ["Alert", "AlertSeries", "NotificationAttempt", "SeriesLastSeen"]


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AlertQuerySet":
        """Technicians see alerts on the devices assigned to them; other roles see all."""
        from wardflux.roles import is_technician

        if is_technician(user):
            return self.filter(device__assigned_to=user)
        return self

    def open(self) -> "AlertQuerySet":
        return self.filter(state__in=OPEN_STATES)


class Alert(models.Model):
    # Null for problems mirrored from Zabbix, which have no WARD FLUX rule.
    rule = models.ForeignKey(
        "alerts.AlertRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    device = models.ForeignKey("monitoring.Device", on_delete=models.CASCADE, related_name="alerts")
    title = models.CharField(max_length=255, blank=True, default="")
    labels = models.JSONField(default=dict, blank=True)
    labels_key = models.CharField(max_length=40, default="", help_text="hash of labels")
    state = models.CharField(max_length=10, choices=AlertState.choices, db_index=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WARDFLUX)
    external_id = models.CharField(max_length=64, blank=True, default="", help_text="Zabbix event")
    value = models.FloatField(null=True, blank=True, help_text="the value that fired")
    last_value = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(db_index=True)
    fired_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    suppressed = models.CharField(
        max_length=12, choices=SuppressedReason.choices, blank=True, default=""
    )
    flapping = models.BooleanField(default=False)
    notified_firing = models.BooleanField(default=False)
    acknowledged = models.BooleanField(default=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acknowledged_alerts",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    timeline = models.JSONField(default=list, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "device", "labels_key"],
                condition=Q(state__in=OPEN_STATES),
                name="alert_one_open_per_series",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="alert_external_id_unique",
            ),
        ]
        indexes = [models.Index(fields=["device", "state"], name="alert_device_state")]

    def __str__(self) -> str:
        rule = self.rule.name if self.rule_id else self.title
        return f"{rule} on {self.device} ({self.state})"


class AlertSeries(models.Model):
    """What the state machine remembers per (rule, device, labels) between evaluations.

    A row exists only once the series has left the OK state; `last_ts` (Unix seconds of
    the newest sample evaluated) makes re-evaluation of old samples a no-op.
    """

    rule = models.ForeignKey("alerts.AlertRule", on_delete=models.CASCADE, related_name="series")
    device = models.ForeignKey(
        "monitoring.Device", on_delete=models.CASCADE, related_name="alert_series"
    )
    labels_key = models.CharField(max_length=40, default="")
    labels = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, default="ok")
    last_ts = models.FloatField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    pending_since = models.FloatField(null=True, blank=True)
    evaluations = models.PositiveIntegerField(default=0)
    flips = models.JSONField(default=list, blank=True)
    flapping = models.BooleanField(default=False)
    recovered_since = models.FloatField(null=True, blank=True)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "device", "labels_key"], name="alert_series_unique"
            )
        ]
        verbose_name_plural = "alert series"

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.device_id}/{self.labels_key or '-'}: {self.state}"


class SeriesLastSeen(models.Model):
    """When a metric was last seen for a device: what no_data rules compare with now."""

    metric = models.CharField(max_length=200)
    device = models.ForeignKey(
        "monitoring.Device", on_delete=models.CASCADE, related_name="metric_last_seen"
    )
    last_ts = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["metric", "device"], name="series_last_seen_unique")
        ]

    def __str__(self) -> str:
        return f"{self.metric} on {self.device_id} at {self.last_ts}"


class NotificationAttempt(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    channel = models.ForeignKey(
        "alerts.NotificationChannel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attempts",
    )
    event = models.CharField(max_length=10, choices=NotificationEvent.choices)
    attempt = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event} #{self.attempt} via {self.channel}: {self.outcome}"
