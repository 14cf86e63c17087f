"""Discovery rules (what to scan), jobs (one scan) and results (one live address each)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from monitoring.choices import DeviceType
from monitoring.models.devices import poller_group_validator

from .choices import AutoAdd, JobState

__all__ = ["DiscoveryJob", "DiscoveryResult", "DiscoveryRule", "DiscoveryRuleCredential"]


def _list_of_strings(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("A list of CIDRs or addresses.")


class DiscoveryRule(models.Model):
    name = models.CharField(max_length=100, unique=True)
    ranges = models.JSONField(default=list, validators=[_list_of_strings], help_text="CIDRs")
    exclude = models.JSONField(
        default=list, blank=True, validators=[_list_of_strings], help_text="CIDRs or addresses"
    )
    credentials = models.ManyToManyField(
        "monitoring.SNMPCredential",
        through="DiscoveryRuleCredential",
        blank=True,
        related_name="discovery_rules",
    )
    # Minutes between scheduled runs; empty: run only on demand (PeriodicTask discovery:<id>).
    interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    auto_add = models.CharField(max_length=20, choices=AutoAdd.choices, default=AutoAdd.OFF)
    site = models.CharField(max_length=100, blank=True, default="")
    poller_group = models.CharField(
        max_length=50, default="default", validators=[poller_group_validator]
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .scanner import RangeError, expand

        try:
            expand(self.ranges, self.exclude)
        except RangeError as err:
            raise ValidationError({err.field: err.message}) from err

    def credential_ids(self) -> list[int]:
        """Credential ids in the order they are tried."""
        links = self.credential_links.order_by("position", "pk")
        return list(links.values_list("credential_id", flat=True))


class DiscoveryRuleCredential(models.Model):
    """A rule's credential with its place in the order of trial."""

    rule = models.ForeignKey(
        DiscoveryRule, on_delete=models.CASCADE, related_name="credential_links"
    )
    credential = models.ForeignKey(
        "monitoring.SNMPCredential", on_delete=models.CASCADE, related_name="discovery_links"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rule", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "credential"], name="rule_credential_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule} #{self.position}: {self.credential}"


class DiscoveryJob(models.Model):
    rule = models.ForeignKey(
        DiscoveryRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # What was asked, frozen at creation so later rule edits do not change a past job.
    ranges = models.JSONField(default=list)
    exclude = models.JSONField(default=list, blank=True)
    credential_ids = models.JSONField(default=list, blank=True)
    auto_add = models.CharField(max_length=20, choices=AutoAdd.choices, default=AutoAdd.OFF)
    site = models.CharField(max_length=100, blank=True, default="")
    poller_group = models.CharField(
        max_length=50, default="default", validators=[poller_group_validator]
    )
    state = models.CharField(
        max_length=10, choices=JobState.choices, default=JobState.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(default=0)
    swept = models.PositiveIntegerField(default=0)
    alive = models.PositiveIntegerField(default=0)
    classified = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discovery_jobs",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        what = self.rule.name if self.rule_id else ", ".join(self.ranges[:3])
        return f"#{self.pk} {what} ({self.state})"

    @property
    def progress_pct(self) -> float:
        return 100.0 * self.swept / self.total if self.total else 0.0


class DiscoveryResult(models.Model):
    job = models.ForeignKey(DiscoveryJob, on_delete=models.CASCADE, related_name="results")
    ip_address = models.GenericIPAddressField()
    dns_name = models.CharField(max_length=255, blank=True, default="")
    rtt_ms = models.FloatField(null=True, blank=True)
    snmp = models.BooleanField(default=False)
    credential = models.ForeignKey(
        "monitoring.SNMPCredential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discovery_results",
    )
    sys_name = models.CharField(max_length=255, blank=True, default="")
    sys_descr = models.TextField(blank=True, default="")
    sys_object_id = models.CharField(max_length=255, blank=True, default="")
    vendor = models.CharField(max_length=64, blank=True, default="", db_index=True)
    device_type = models.CharField(
        max_length=20, choices=DeviceType.choices, default=DeviceType.UNKNOWN, db_index=True
    )
    template = models.CharField(max_length=100, blank=True, default="", help_text="suggested")
    device = models.ForeignKey(
        "monitoring.Device",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="discovery_results",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["job", "ip_address"], name="result_job_ip_unique")
        ]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.sys_name or self.dns_name}".strip()
