"""The four templates WARD FLUX ships, loaded by a data migration.

Each row: key (the MIB object's name), display name, OID, value type, units, interval s.
Table columns are given without an index: the poller walks them with GETBULK.
"""

from .choices import ValueType as V

# fmt: off
SYSTEM = [
    ("sysDescr", "System description", "1.3.6.1.2.1.1.1.0", V.STRING, "", 3600),  # SNMPv2-MIB::sysDescr
    ("sysObjectID", "System object ID", "1.3.6.1.2.1.1.2.0", V.STRING, "", 3600),  # SNMPv2-MIB::sysObjectID
    ("sysUpTime", "Uptime", "1.3.6.1.2.1.1.3.0", V.GAUGE, "s", 60),  # SNMPv2-MIB::sysUpTime (TimeTicks)
    ("sysName", "System name", "1.3.6.1.2.1.1.5.0", V.STRING, "", 3600),  # SNMPv2-MIB::sysName
]

INTERFACES = [
    ("ifDescr", "Interface description", "1.3.6.1.2.1.2.2.1.2", V.TABLE_COLUMN, "", 60),  # IF-MIB::ifDescr
    ("ifSpeed", "Interface speed", "1.3.6.1.2.1.2.2.1.5", V.TABLE_COLUMN, "bps", 60),  # IF-MIB::ifSpeed
    ("ifAdminStatus", "Admin status", "1.3.6.1.2.1.2.2.1.7", V.TABLE_COLUMN, "", 60),  # IF-MIB::ifAdminStatus
    ("ifOperStatus", "Operational status", "1.3.6.1.2.1.2.2.1.8", V.TABLE_COLUMN, "", 60),  # IF-MIB::ifOperStatus
    ("ifInOctets", "Octets in (32-bit)", "1.3.6.1.2.1.2.2.1.10", V.TABLE_COLUMN, "bps", 60),  # IF-MIB::ifInOctets
    ("ifInDiscards", "Discards in", "1.3.6.1.2.1.2.2.1.13", V.TABLE_COLUMN, "/s", 60),  # IF-MIB::ifInDiscards
    ("ifInErrors", "Errors in", "1.3.6.1.2.1.2.2.1.14", V.TABLE_COLUMN, "/s", 60),  # IF-MIB::ifInErrors
    ("ifOutOctets", "Octets out (32-bit)", "1.3.6.1.2.1.2.2.1.16", V.TABLE_COLUMN, "bps", 60),  # IF-MIB::ifOutOctets
    ("ifOutDiscards", "Discards out", "1.3.6.1.2.1.2.2.1.19", V.TABLE_COLUMN, "/s", 60),  # IF-MIB::ifOutDiscards
    ("ifOutErrors", "Errors out", "1.3.6.1.2.1.2.2.1.20", V.TABLE_COLUMN, "/s", 60),  # IF-MIB::ifOutErrors
    ("ifName", "Interface name", "1.3.6.1.2.1.31.1.1.1.1", V.TABLE_COLUMN, "", 60),  # IF-MIB::ifName
    ("ifHCInOctets", "Octets in (64-bit)", "1.3.6.1.2.1.31.1.1.1.6", V.TABLE_COLUMN, "bps", 60),  # IF-MIB::ifHCInOctets
    ("ifHCOutOctets", "Octets out (64-bit)", "1.3.6.1.2.1.31.1.1.1.10", V.TABLE_COLUMN, "bps", 60),  # IF-MIB::ifHCOutOctets
    ("ifHighSpeed", "Interface speed", "1.3.6.1.2.1.31.1.1.1.15", V.TABLE_COLUMN, "Mbps", 60),  # IF-MIB::ifHighSpeed
    ("ifAlias", "Interface alias", "1.3.6.1.2.1.31.1.1.1.18", V.TABLE_COLUMN, "", 60),  # IF-MIB::ifAlias
    ("ifCounterDiscontinuityTime", "Counter discontinuity", "1.3.6.1.2.1.31.1.1.1.19", V.TABLE_COLUMN, "", 60),  # IF-MIB::ifCounterDiscontinuityTime
]

HOST_RESOURCES = [
    ("hrSystemProcesses", "Processes", "1.3.6.1.2.1.25.1.6.0", V.GAUGE, "", 60),  # HOST-RESOURCES-MIB::hrSystemProcesses
    ("hrStorageDescr", "Storage description", "1.3.6.1.2.1.25.2.3.1.3", V.TABLE_COLUMN, "", 300),  # HOST-RESOURCES-MIB::hrStorageDescr
    ("hrStorageAllocationUnits", "Storage unit", "1.3.6.1.2.1.25.2.3.1.4", V.TABLE_COLUMN, "B", 300),  # HOST-RESOURCES-MIB::hrStorageAllocationUnits
    ("hrStorageSize", "Storage size", "1.3.6.1.2.1.25.2.3.1.5", V.TABLE_COLUMN, "", 300),  # HOST-RESOURCES-MIB::hrStorageSize
    ("hrStorageUsed", "Storage used", "1.3.6.1.2.1.25.2.3.1.6", V.TABLE_COLUMN, "", 300),  # HOST-RESOURCES-MIB::hrStorageUsed
    ("hrProcessorLoad", "Processor load", "1.3.6.1.2.1.25.3.3.1.2", V.TABLE_COLUMN, "%", 60),  # HOST-RESOURCES-MIB::hrProcessorLoad
]

CISCO_IOS = [
    ("cpmCPUTotal5secRev", "CPU 5 s", "1.3.6.1.4.1.9.9.109.1.1.1.1.6", V.TABLE_COLUMN, "%", 60),  # CISCO-PROCESS-MIB::cpmCPUTotal5secRev
    ("cpmCPUTotal1minRev", "CPU 1 min", "1.3.6.1.4.1.9.9.109.1.1.1.1.7", V.TABLE_COLUMN, "%", 60),  # CISCO-PROCESS-MIB::cpmCPUTotal1minRev
    ("cpmCPUTotal5minRev", "CPU 5 min", "1.3.6.1.4.1.9.9.109.1.1.1.1.8", V.TABLE_COLUMN, "%", 60),  # CISCO-PROCESS-MIB::cpmCPUTotal5minRev
    ("ciscoMemoryPoolName", "Memory pool", "1.3.6.1.4.1.9.9.48.1.1.1.2", V.TABLE_COLUMN, "", 300),  # CISCO-MEMORY-POOL-MIB::ciscoMemoryPoolName
    ("ciscoMemoryPoolUsed", "Memory pool used", "1.3.6.1.4.1.9.9.48.1.1.1.5", V.TABLE_COLUMN, "B", 60),  # CISCO-MEMORY-POOL-MIB::ciscoMemoryPoolUsed
    ("ciscoMemoryPoolFree", "Memory pool free", "1.3.6.1.4.1.9.9.48.1.1.1.6", V.TABLE_COLUMN, "B", 60),  # CISCO-MEMORY-POOL-MIB::ciscoMemoryPoolFree
]

LINUX = [
    ("memTotalReal", "Memory total", "1.3.6.1.4.1.2021.4.5.0", V.GAUGE, "kB", 60),  # UCD-SNMP-MIB::memTotalReal
    ("memAvailReal", "Memory available", "1.3.6.1.4.1.2021.4.6.0", V.GAUGE, "kB", 60),  # UCD-SNMP-MIB::memAvailReal
    ("memBuffer", "Memory buffers", "1.3.6.1.4.1.2021.4.14.0", V.GAUGE, "kB", 60),  # UCD-SNMP-MIB::memBuffer
    ("memCached", "Memory cached", "1.3.6.1.4.1.2021.4.15.0", V.GAUGE, "kB", 60),  # UCD-SNMP-MIB::memCached
    ("laLoad", "Load average", "1.3.6.1.4.1.2021.10.1.3", V.TABLE_COLUMN, "", 60),  # UCD-SNMP-MIB::laLoad (1, 5, 15 min)
    ("ssCpuUser", "CPU user", "1.3.6.1.4.1.2021.11.9.0", V.GAUGE, "%", 60),  # UCD-SNMP-MIB::ssCpuUser
    ("ssCpuSystem", "CPU system", "1.3.6.1.4.1.2021.11.10.0", V.GAUGE, "%", 60),  # UCD-SNMP-MIB::ssCpuSystem
    ("ssCpuIdle", "CPU idle", "1.3.6.1.4.1.2021.11.11.0", V.GAUGE, "%", 60),  # UCD-SNMP-MIB::ssCpuIdle
]


DEFAULT_TEMPLATES = {
    "Generic SNMP": (
        "SNMPv2-MIB system group, IF-MIB interfaces, HOST-RESOURCES-MIB.",
        SYSTEM + INTERFACES + HOST_RESOURCES,
    ),
    "Cisco IOS": (
        "Generic SNMP plus CISCO-PROCESS-MIB CPU and CISCO-MEMORY-POOL-MIB.",
        SYSTEM + INTERFACES + CISCO_IOS,
    ),
    "Linux": (
        "Generic SNMP plus UCD-SNMP-MIB CPU, memory and load; HOST-RESOURCES storage.",
        SYSTEM + INTERFACES + HOST_RESOURCES + LINUX,
    ),
    "Windows": (
        "Generic SNMP plus HOST-RESOURCES processor load and storage.",
        SYSTEM + INTERFACES + HOST_RESOURCES,
    ),
}

# fmt: on


def load_default_templates(template_model, item_model) -> None:
    """Create or update the shipped templates (used by the migration, so models are passed in)."""
    for name, (description, rows) in DEFAULT_TEMPLATES.items():
        template, _ = template_model.objects.update_or_create(
            name=name, defaults={"description": description}
        )
        for key, item_name, oid, value_type, units, interval in rows:
            item_model.objects.update_or_create(
                template=template,
                key=key,
                defaults={
                    "name": item_name,
                    "oid": oid,
                    "value_type": value_type,
                    "units": units,
                    "interval": interval,
                },
            )
