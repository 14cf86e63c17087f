"""Where and how to reach one SNMP agent: address, version, community or v3 user.

SnmpTarget is checked when it is made (SnmpConfigError names the bad field) and never
prints its keys or community. ``gufo_user()`` is the v3 user as gufo-snmp takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import gufo.snmp as gufo

from monitoring.snmp.errors import SnmpConfigError

# What a request returns: see monitoring.snmp.client for which SNMP type becomes which.
Value = None | str | bytes | int | float
VarBind = tuple[str, Value]

_AUTH_KEYS = {
    "MD5": gufo.Md5Key,
    "SHA": gufo.Sha1Key,
    "SHA-224": gufo.Sha224Key,
    "SHA-256": gufo.Sha256Key,
    "SHA-384": gufo.Sha384Key,
    "SHA-512": gufo.Sha512Key,
}
_PRIV_KEYS = {
    "DES": gufo.DesKey,
    "AES-128": gufo.Aes128Key,
    "AES-192": gufo.Aes192Key,
    "AES-256": gufo.Aes256Key,
}
GUFO_VERSIONS = {"v1": gufo.SnmpVersion.v1, "v2c": gufo.SnmpVersion.v2c, "v3": gufo.SnmpVersion.v3}


@dataclass(frozen=True)
class SnmpTarget:
    address: str
    port: int = 161
    version: Literal["v1", "v2c", "v3"] = "v2c"
    community: str = "public"
    username: str = ""
    security_level: Literal["noAuthNoPriv", "authNoPriv", "authPriv"] = "noAuthNoPriv"
    auth_protocol: str | None = None  # MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
    auth_key: str = ""
    priv_protocol: str | None = None  # DES, AES-128, AES-192, AES-256
    priv_key: str = ""
    timeout_s: float = 2.0
    retries: int = 1
    context_name: str = ""  # v3 only; non-empty: every request goes over pysnmp (contexts.py)

    def __post_init__(self) -> None:
        if self.version not in GUFO_VERSIONS:
            raise SnmpConfigError(f"unknown SNMP version {self.version!r}")
        if self.version != "v3":
            return
        needs_auth = self.security_level in ("authNoPriv", "authPriv")
        if needs_auth and self.auth_protocol not in _AUTH_KEYS:
            raise SnmpConfigError(f"unknown auth protocol {self.auth_protocol!r}")
        if self.security_level == "authPriv" and self.priv_protocol not in _PRIV_KEYS:
            raise SnmpConfigError(f"unknown priv protocol {self.priv_protocol!r}")

    @property
    def uses_context(self) -> bool:
        """A v3 context name: requests go over pysnmp (contexts are v3 only; v1/v2c
        targets ignore the field)."""
        return self.version == "v3" and bool(self.context_name)

    @property
    def key(self) -> tuple[str, int]:
        return (self.address, self.port)

    def gufo_user(self) -> gufo.User:
        auth = priv = None
        if self.security_level in ("authNoPriv", "authPriv"):
            auth = _AUTH_KEYS[self.auth_protocol](self.auth_key.encode())
        if self.security_level == "authPriv":
            priv = _PRIV_KEYS[self.priv_protocol](self.priv_key.encode())
        return gufo.User(self.username, auth_key=auth, priv_key=priv)

    def __repr__(self) -> str:  # never print keys or communities
        return f"SnmpTarget({self.address}:{self.port} {self.version})"
