"""Zabbix servers the bridge mirrors; credentials encrypted at rest and never shown."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from wardflux.crypto import EncryptedTextField

__all__ = ["ZabbixHost", "ZabbixServer"]


class ZabbixServer(models.Model):
    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        max_length=500, help_text="The API URL, e.g. https://zabbix.example.com/api_jsonrpc.php"
    )
    # Either an API token (Zabbix 5.4+) or a user and password; all three write-only.
    api_token = EncryptedTextField(blank=True, default="")
    username = EncryptedTextField(blank=True, default="")
    password = EncryptedTextField(blank=True, default="")
    verify_tls = models.BooleanField(default=True)
    timeout = models.PositiveIntegerField(
        default=10,
        help_text="seconds per API call",
        validators=[MinValueValidator(1), MaxValueValidator(300)],
    )
    sync_interval = models.PositiveIntegerField(
        default=60,
        help_text="seconds",
        validators=[MinValueValidator(10), MaxValueValidator(86400)],
    )
    enabled = models.BooleanField(default=True)
    # Kept by the sync: read-only in the API and the admin.
    version = models.CharField(max_length=32, blank=True, default="")
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_sync_error = models.TextField(blank=True, default="")
    last_sync_summary = models.JSONField(default=dict, blank=True)
    # History is fetched in (history_until_s, now]; Unix seconds of the last completed fetch.
    history_until_s = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Zabbix server"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = server_errors(self)
        if errors:
            raise ValidationError(errors)


def server_errors(s) -> dict[str, str]:
    """Field-keyed reasons why the credentials cannot work. Empty when valid."""
    if s.api_token and (s.username or s.password):
        return {"api_token": "Give an API token or a username and password, not both."}
    if s.api_token:
        return {}
    errors = {}
    if not s.username:
        errors["username"] = "Give an API token, or a username and password."
    if not s.password:
        errors["password"] = "Give an API token, or a username and password."
    return errors


class ZabbixHost(models.Model):
    """Which device mirrors which host of which server (host ids are per server)."""

    server = models.ForeignKey(ZabbixServer, on_delete=models.CASCADE, related_name="hosts")
    device = models.OneToOneField(
        "monitoring.Device", on_delete=models.CASCADE, related_name="zabbix_host"
    )
    hostid = models.CharField(max_length=32)
    # Set when the host disappeared from Zabbix: the device is kept (its history stays
    # readable) but disabled, with last_error "removed from Zabbix".
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["server", "hostid"]
        constraints = [
            models.UniqueConstraint(fields=["server", "hostid"], name="zabbix_host_unique")
        ]

    def __str__(self) -> str:
        return f"{self.server}:{self.hostid}"
