"""Notification channels: where alerts go. Secret settings are Fernet tokens at rest."""

from django.db import models

from wardflux.crypto import PREFIX, decrypt, encrypt

from ..choices import ChannelKind

__all__ = ["SECRET_KEYS", "NotificationChannel"]

# Settings keys whose values are secrets: encrypted at rest, never returned or logged.
# A Slack or Teams incoming-webhook URL is itself the credential.
SECRET_KEYS = frozenset({"secret", "token", "password", "api_key", "webhook_url"})


class NotificationChannel(models.Model):
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    settings = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def set_settings(self, plain: dict) -> None:
        """Store `plain`, encrypting secret keys.

        A secret left out or empty keeps the stored one (clients never see it to send it
        back); an explicit null removes it.
        """
        stored = dict(self.settings or {})
        merged = {k: v for k, v in stored.items() if k in SECRET_KEYS and v}
        for key, value in plain.items():
            if key not in SECRET_KEYS:
                merged[key] = value
            elif value is None:
                merged.pop(key, None)
            elif value != "":
                merged[key] = encrypt(str(value))
        self.settings = merged

    def plain_settings(self) -> dict:
        """Settings with secrets decrypted: for transports only, never for output."""
        out = {}
        for key, value in (self.settings or {}).items():
            if key in SECRET_KEYS and isinstance(value, str) and value.startswith(PREFIX):
                out[key] = decrypt(value)
            else:
                out[key] = value
        return out

    def public_settings(self) -> dict:
        return {k: v for k, v in (self.settings or {}).items() if k not in SECRET_KEYS}

    def secrets_set(self) -> list[str]:
        return sorted(k for k, v in (self.settings or {}).items() if k in SECRET_KEYS and v)
