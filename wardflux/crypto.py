"""Secrets at rest: Fernet tokens through MultiFernet.

WARD_ENCRYPTION_KEY holds one or more comma-separated keys, newest first. Every key
can decrypt; only the first encrypts, so `rotate_encryption_key` re-saves each secret
under the newest key, after which the old keys can be dropped from the setting.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def fernet() -> MultiFernet:
    return _fernet(settings.WARD_ENCRYPTION_KEY)


def encrypt(plain: str) -> str:
    return PREFIX + fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    try:
        return fernet().decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: no key in WARD_ENCRYPTION_KEY matches") from exc


def rotate(token: str) -> str:
    """The same secret under the newest key."""
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    return PREFIX + fernet().rotate(token[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """A text field whose database column holds only Fernet tokens.

    Python code sees the plain value; the empty string stays empty (no secret set).
    """

    def from_db_value(self, value, expression, connection):
        if not value:
            return value or ""
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(value)


def encrypted_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
