"""Availability history: one row per ICMP state transition of a device.

Reports compute uptime from these rows and the alert engine reads them for "device down";
rows are only ever appended, by the ICMP monitor, under a conditional UPDATE of the device.
"""

from django.db import models

from ..choices import DeviceStatus

__all__ = ["AvailabilityEvent"]


class AvailabilityEvent(models.Model):
    device = models.ForeignKey(
        "monitoring.Device", on_delete=models.CASCADE, related_name="availability_events"
    )
    from_state = models.CharField(max_length=12, choices=DeviceStatus.choices)
    to_state = models.CharField(max_length=12, choices=DeviceStatus.choices)
    at = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["device", "at"], name="availability_device_at")]

    def __str__(self) -> str:
        return (
            f"{self.device_id}: {self.from_state} -> {self.to_state} at {self.at:%Y-%m-%d %H:%M:%S}"
        )
