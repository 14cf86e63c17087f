"""Secrets generated once into var/ for the embedded default.

Production must set SECRET_KEY and WARD_ENCRYPTION_KEY in the environment: a key
kept beside the database is no protection if the disk is stolen.
"""

import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger("wardflux.settings")


def _read_or_create(path: Path, make) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    log.warning("generated %s; production must set it in the environment", path.name)
    return value


def local_secret_key(var_dir: Path) -> str:
    return _read_or_create(var_dir / "secret_key", lambda: secrets.token_urlsafe(50))


def local_encryption_key(var_dir: Path) -> str:
    return _read_or_create(var_dir / "encryption_key", lambda: Fernet.generate_key().decode())


class RawEnv:
    """Secrets read from the environment exactly as set.

    django-environ reads a value starting with "$" as the name of another variable to
    read instead; a random SECRET_KEY starts with "$" about once in 50, and a token
    may too. ``str(name)`` without a default refuses an unset or empty variable,
    naming it.
    """

    def str(self, name: str, default: str | None = None) -> str:
        value = os.environ.get(name, "")
        if value:
            return value
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable")
        return default


env_raw = RawEnv()
