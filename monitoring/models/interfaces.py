"""Interfaces as the poller last saw them (IF-MIB, RFC 2863)."""

from django.db import models

__all__ = ["DeviceInterface", "IfStatus"]


class IfStatus(models.IntegerChoices):
    """ifAdminStatus / ifOperStatus values (RFC 2863)."""

    UP = 1, "up"
    DOWN = 2, "down"
    TESTING = 3, "testing"
    UNKNOWN = 4, "unknown"
    DORMANT = 5, "dormant"
    NOT_PRESENT = 6, "notPresent"
    LOWER_LAYER_DOWN = 7, "lowerLayerDown"


class DeviceInterface(models.Model):
    """One interface of a device, identified by its name, not its ifIndex.

    ifIndex may change when a device reboots (a new line card, a re-created
    tunnel); ifName does not, so series are labelled by ifName and this row keeps
    the ifIndex it has now.
    """

    device = models.ForeignKey(
        "monitoring.Device", on_delete=models.CASCADE, related_name="interfaces"
    )
    if_index = models.PositiveIntegerField()
    if_name = models.CharField(max_length=255)
    if_descr = models.CharField(max_length=255, blank=True, default="")
    if_alias = models.CharField(max_length=255, blank=True, default="")
    if_speed_bps = models.BigIntegerField(null=True, blank=True)
    if_admin_status = models.PositiveSmallIntegerField(
        choices=IfStatus.choices, null=True, blank=True
    )
    if_oper_status = models.PositiveSmallIntegerField(
        choices=IfStatus.choices, null=True, blank=True
    )
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["device", "if_index"]
        verbose_name = "interface"
        constraints = [
            models.UniqueConstraint(fields=["device", "if_name"], name="device_interface_name")
        ]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.if_name} ({self.if_index})"
