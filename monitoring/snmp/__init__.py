"""SNMP for WARD FLUX: one small async client over gufo-snmp."""

from monitoring.snmp.adaptive import MaxRepetitions
from monitoring.snmp.client import SnmpSession, run
from monitoring.snmp.errors import (
    AuthFailure,
    SnmpAuthError,
    SnmpConfigError,
    SnmpError,
    SnmpNoSuchObject,
    SnmpProtocolError,
    SnmpTimeout,
    SnmpTooBig,
    SnmpUnknownContext,
)
from monitoring.snmp.syntax import Syntax, counter_modulus, syntax_of
from monitoring.snmp.target import SnmpTarget, Value, VarBind

__all__ = [
    "AuthFailure",
    "MaxRepetitions",
    "SnmpAuthError",
    "SnmpConfigError",
    "SnmpError",
    "SnmpNoSuchObject",
    "SnmpProtocolError",
    "SnmpSession",
    "SnmpTarget",
    "SnmpTimeout",
    "SnmpTooBig",
    "SnmpUnknownContext",
    "Syntax",
    "Value",
    "VarBind",
    "counter_modulus",
    "run",
    "syntax_of",
]
