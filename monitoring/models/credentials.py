"""SNMP credential profiles, shared by many devices; secrets encrypted at rest."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from wardflux.crypto import EncryptedTextField

from ..choices import AuthProtocol, PrivProtocol, SecurityLevel, SnmpVersion

__all__ = ["SNMPCredential"]

# RFC 3414 section 11.2: pass phrases shorter than 8 octets are refused by agents.
MIN_V3_KEY_LENGTH = 8


class SNMPCredential(models.Model):
    name = models.CharField(max_length=100, unique=True)
    version = models.CharField(max_length=3, choices=SnmpVersion.choices, default=SnmpVersion.V2C)
    community = EncryptedTextField(blank=True, default="")
    username = models.CharField(max_length=64, blank=True, default="")
    security_level = models.CharField(
        max_length=12, choices=SecurityLevel.choices, default=SecurityLevel.NO_AUTH_NO_PRIV
    )
    auth_protocol = models.CharField(max_length=8, choices=AuthProtocol.choices, blank=True)
    auth_key = EncryptedTextField(blank=True, default="")
    priv_protocol = models.CharField(max_length=8, choices=PrivProtocol.choices, blank=True)
    priv_key = EncryptedTextField(blank=True, default="")
    context = models.CharField(max_length=64, blank=True, default="")
    port = models.PositiveIntegerField(
        default=161, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    timeout = models.FloatField(
        default=2.0,
        help_text="seconds per request",
        validators=[MinValueValidator(0.1), MaxValueValidator(60)],
    )
    retries = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(10)])
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "SNMP credential"

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    def clean(self) -> None:
        errors = credential_errors(self)
        if errors:
            raise ValidationError(errors)


def credential_errors(c) -> dict[str, str]:
    """Field-keyed reasons why a combination of settings cannot work. Empty when valid."""
    errors: dict[str, str] = {}
    if c.version in (SnmpVersion.V1, SnmpVersion.V2C):
        if not c.community:
            errors["community"] = f"SNMP {c.version} needs a community."
        return errors
    if not c.username:
        errors["username"] = "SNMPv3 needs a username."
    needs_auth = c.security_level in (SecurityLevel.AUTH_NO_PRIV, SecurityLevel.AUTH_PRIV)
    if needs_auth:
        if not c.auth_protocol:
            errors["auth_protocol"] = f"{c.security_level} needs an auth protocol."
        if len(c.auth_key or "") < MIN_V3_KEY_LENGTH:
            errors["auth_key"] = (
                f"{c.security_level} needs an auth key of at least {MIN_V3_KEY_LENGTH} characters."
            )
    if c.security_level == SecurityLevel.AUTH_PRIV:
        if not c.priv_protocol:
            errors["priv_protocol"] = "authPriv needs a privacy protocol."
        if len(c.priv_key or "") < MIN_V3_KEY_LENGTH:
            errors["priv_key"] = (
                f"authPriv needs a privacy key of at least {MIN_V3_KEY_LENGTH} characters."
            )
    return errors
