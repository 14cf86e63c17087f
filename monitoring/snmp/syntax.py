"""SNMP syntax of well-known columns.

gufo-snmp 0.13 decodes values to plain Python types and drops the ASN.1 tag:
INTEGER, Counter32, Gauge32, TimeTicks and Counter64 all arrive as ``int``,
OCTET STRING as ``bytes``, OBJECT IDENTIFIER and IpAddress both as ``str``,
Opaque float as ``float``. A caller that must know Counter32 from Counter64
(to pick the wrap modulus) looks the column up here. The table holds the
columns we poll; unknown OIDs give None.
"""

from enum import StrEnum


class Syntax(StrEnum):
    INTEGER = "Integer32"
    OCTET_STRING = "OctetString"
    OBJECT_ID = "ObjectIdentifier"
    IP_ADDRESS = "IpAddress"
    COUNTER32 = "Counter32"
    GAUGE32 = "Gauge32"
    TIMETICKS = "TimeTicks"
    COUNTER64 = "Counter64"


IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"

KNOWN_SYNTAX: dict[str, Syntax] = {
    "1.3.6.1.2.1.1.1": Syntax.OCTET_STRING,  # sysDescr
    "1.3.6.1.2.1.1.2": Syntax.OBJECT_ID,  # sysObjectID
    "1.3.6.1.2.1.1.3": Syntax.TIMETICKS,  # sysUpTime
    "1.3.6.1.2.1.1.4": Syntax.OCTET_STRING,
    "1.3.6.1.2.1.1.5": Syntax.OCTET_STRING,
    "1.3.6.1.2.1.1.6": Syntax.OCTET_STRING,
    f"{IF_TABLE}.1": Syntax.INTEGER,  # ifIndex
    f"{IF_TABLE}.2": Syntax.OCTET_STRING,  # ifDescr
    f"{IF_TABLE}.3": Syntax.INTEGER,  # ifType
    f"{IF_TABLE}.4": Syntax.INTEGER,  # ifMtu
    f"{IF_TABLE}.5": Syntax.GAUGE32,  # ifSpeed, bit/s
    f"{IF_TABLE}.6": Syntax.OCTET_STRING,  # ifPhysAddress
    f"{IF_TABLE}.7": Syntax.INTEGER,  # ifAdminStatus
    f"{IF_TABLE}.8": Syntax.INTEGER,  # ifOperStatus
    f"{IF_TABLE}.9": Syntax.TIMETICKS,  # ifLastChange
    **{f"{IF_TABLE}.{c}": Syntax.COUNTER32 for c in range(10, 21)},  # ifInOctets..ifOutErrors
    f"{IF_TABLE}.21": Syntax.GAUGE32,  # ifOutQLen
    f"{IF_X_TABLE}.1": Syntax.OCTET_STRING,  # ifName
    **{f"{IF_X_TABLE}.{c}": Syntax.COUNTER32 for c in range(2, 6)},  # ifIn/OutMulticast/Broadcast
    **{f"{IF_X_TABLE}.{c}": Syntax.COUNTER64 for c in range(6, 14)},  # ifHC*
    f"{IF_X_TABLE}.15": Syntax.GAUGE32,  # ifHighSpeed, Mbit/s
    f"{IF_X_TABLE}.18": Syntax.OCTET_STRING,  # ifAlias
    "1.3.6.1.2.1.25.1.1": Syntax.TIMETICKS,  # hrSystemUptime
    "1.3.6.1.2.1.25.3.3.1.2": Syntax.INTEGER,  # hrProcessorLoad, percent
    "1.3.6.1.2.1.25.2.3.1.4": Syntax.INTEGER,  # hrStorageAllocationUnits
    "1.3.6.1.2.1.25.2.3.1.5": Syntax.INTEGER,  # hrStorageSize
    "1.3.6.1.2.1.25.2.3.1.6": Syntax.INTEGER,  # hrStorageUsed
    "1.3.6.1.4.1.2021.4.5": Syntax.INTEGER,  # memTotalReal, kB
    "1.3.6.1.4.1.2021.4.6": Syntax.INTEGER,  # memAvailReal, kB
    **{f"1.3.6.1.4.1.2021.11.{c}": Syntax.COUNTER32 for c in range(50, 66)},  # ssCpuRaw*, ssIO*
    "1.3.6.1.4.1.9.9.109.1.1.1.1.8": Syntax.GAUGE32,  # cpmCPUTotal5minRev
    "1.3.6.1.4.1.9.9.48.1.1.1.5": Syntax.GAUGE32,  # ciscoMemoryPoolUsed
    "1.3.6.1.4.1.9.9.48.1.1.1.6": Syntax.GAUGE32,  # ciscoMemoryPoolFree
    "1.3.6.1.4.1.12356.101.4.1.3": Syntax.GAUGE32,  # fgSysCpuUsage
    "1.3.6.1.4.1.12356.101.4.1.4": Syntax.GAUGE32,  # fgSysMemUsage
}

COUNTER_MODULUS = {Syntax.COUNTER32: 2**32, Syntax.COUNTER64: 2**64}


def syntax_of(oid: str) -> Syntax | None:
    """Syntax of an instance OID by its longest known column prefix."""
    parts = oid.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        found = KNOWN_SYNTAX.get(".".join(parts[:cut]))
        if found is not None:
            return found
    return None


def counter_modulus(oid: str) -> int | None:
    """2**32 or 2**64 for a known counter column, else None."""
    syntax = syntax_of(oid)
    return COUNTER_MODULUS.get(syntax) if syntax else None
