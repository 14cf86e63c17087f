"""Maintenance windows: alerts on covered devices are recorded but not sent."""

from django.core.exceptions import ValidationError
from django.db import models

from ..choices import Recurrence

__all__ = ["MaintenanceWindow"]


class MaintenanceWindow(models.Model):
    name = models.CharField(max_length=200)
    devices = models.ManyToManyField(
        "monitoring.Device", blank=True, related_name="maintenance_windows"
    )
    sites = models.JSONField(default=list, blank=True)
    start = models.DateTimeField(help_text="first (or only) occurrence starts")
    end = models.DateTimeField(help_text="first (or only) occurrence ends")
    recurrence = models.CharField(
        max_length=10, choices=Recurrence.choices, default=Recurrence.NONE
    )
    until = models.DateTimeField(null=True, blank=True, help_text="weekly: no occurrence after")
    comment = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from ..maintenance import window_errors

        errors = window_errors(self.start, self.end, self.recurrence, self.sites)
        if errors:
            raise ValidationError(errors)
