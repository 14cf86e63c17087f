"""Our SNMP errors. Nothing outside monitoring.snmp sees gufo-snmp's exceptions."""

from enum import StrEnum


class AuthFailure(StrEnum):
    """Why an SNMPv3 request was refused (RFC 3414 usmStats counters)."""

    UNKNOWN_ENGINE_ID = "unknown engine ID"  # usmStatsUnknownEngineIDs
    UNKNOWN_USER_NAME = "unknown user name"  # usmStatsUnknownUserNames
    WRONG_DIGEST = "wrong digest"  # usmStatsWrongDigests: wrong auth key or protocol
    DECRYPTION_ERROR = "decryption error"  # usmStatsDecryptionErrors: wrong priv key/protocol
    NOT_IN_TIME_WINDOW = "not in time window"  # usmStatsNotInTimeWindows
    UNSUPPORTED_SECURITY_LEVEL = "unsupported security level"  # usmStatsUnsupportedSecLevels
    UNKNOWN = "authentication failed"  # the agent refused us, reason not established


class SnmpError(Exception):
    """Base of every error raised by monitoring.snmp."""


class SnmpTimeout(SnmpError):
    """No answer after all retries."""


class SnmpAuthError(SnmpError):
    def __init__(self, reason: AuthFailure, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"SNMPv3 {reason.value}" + (f": {detail}" if detail else ""))


class SnmpNoSuchObject(SnmpError):
    """noSuchObject / noSuchInstance (v2c, v3) or noSuchName (v1)."""

    def __init__(self, oid: str) -> None:
        self.oid = oid
        super().__init__(f"no such object: {oid}")


class SnmpTooBig(SnmpError):
    """The request or its answer does not fit in one message; ask for less."""


class SnmpProtocolError(SnmpError):
    """A message we could not encode or decode."""


class SnmpConfigError(SnmpError, ValueError):
    """The target asks for something we cannot do."""


class SnmpUnknownContext(SnmpError):
    """The agent does not serve this SNMPv3 context (or not to this user)."""

    def __init__(self, context: str, detail: str = "") -> None:
        self.context = context
        super().__init__(
            f"SNMPv3 context {context!r} is unknown to the agent"
            + (f": {detail}" if detail else "")
        )
