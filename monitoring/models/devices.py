"""Devices: what the NOC monitors, with the state the pollers keep up to date."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from ..choices import DeviceStatus, DeviceType, Source

__all__ = ["Device", "Tag"]

# A poller group names a Celery queue (poll.<group>): keep it to queue-safe characters.
poller_group_validator = RegexValidator(
    r"^[A-Za-z0-9_.-]{1,50}$", "Letters, digits, '.', '_' and '-' only (it names a queue)."
)


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeviceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeviceQuerySet":
        """Technicians see only devices assigned to them; other roles see all."""
        from wardflux.roles import is_technician

        if is_technician(user):
            return self.filter(assigned_to=user)
        return self


class Device(models.Model):
    name = models.CharField(max_length=100, unique=True)
    ip_address = models.GenericIPAddressField()
    hostname = models.CharField(max_length=255, blank=True, default="")
    device_type = models.CharField(
        max_length=20, choices=DeviceType.choices, default=DeviceType.UNKNOWN
    )
    vendor = models.CharField(max_length=64, blank=True, default="")
    model = models.CharField(max_length=100, blank=True, default="")
    site = models.CharField(max_length=100, blank=True, default="", db_index=True)
    poller_group = models.CharField(
        max_length=50, default="default", validators=[poller_group_validator], db_index=True
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    snmp_credential = models.ForeignKey(
        "monitoring.SNMPCredential",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    enabled = models.BooleanField(default=True)
    assigned_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_devices"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="devices")
    # State kept by the pollers: read-only in the API and the admin.
    status = models.CharField(
        max_length=12, choices=DeviceStatus.choices, default=DeviceStatus.UNKNOWN, db_index=True
    )
    status_changed = models.DateTimeField(null=True, blank=True)
    icmp_failures = models.PositiveIntegerField(default=0)
    snmp_reachable = models.BooleanField(null=True, default=None)
    snmp_failures = models.PositiveIntegerField(default=0)
    last_polled = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    sys_name = models.CharField(max_length=255, blank=True, default="")
    sys_descr = models.TextField(blank=True, default="")
    sys_object_id = models.CharField(max_length=255, blank=True, default="")
    uptime_s = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WARDFLUX)
    # The Zabbix bridge: the host this device mirrors, and the operator's switch (hybrid mode)
    # to poll it here instead of importing it from Zabbix.
    zabbix_hostid = models.CharField(max_length=32, blank=True, default="", db_index=True)
    poll_locally = models.BooleanField(
        default=False, help_text="Hybrid mode: poll this Zabbix device here instead of importing"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["site", "name"], name="device_site_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def queue(self) -> str:
        return f"poll.{self.poller_group}"
