"""Pure translations from Zabbix API objects to our fields (no I/O: unit-testable)."""

import re

from monitoring.choices import DeviceStatus

# Zabbix item value types (API item.value_type): only numeric ones become metrics.
VALUE_TYPE_FLOAT = 0
VALUE_TYPE_UNSIGNED = 3
NUMERIC_VALUE_TYPES = (VALUE_TYPE_FLOAT, VALUE_TYPE_UNSIGNED)

HOST_STATUS_MONITORED = "0"
INTERFACE_AGENT = "1"
# interface.available: 0 unknown, 1 available, 2 unavailable.
AVAILABILITY = {"1": DeviceStatus.UP, "2": DeviceStatus.DOWN}
NO_IP = "0.0.0.0"  # a host whose interfaces give no address (DNS-only, or none at all)
REMOVED_ERROR = "removed from Zabbix"

_INVALID_METRIC_CHARS = re.compile(r"[^a-zA-Z0-9_:]+")
_TIME_SUFFIX_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def metric_name(key: str) -> str:
    """`zabbix_` + the item key made a valid Prometheus name: system.cpu.load[all,avg1] ->
    zabbix_system_cpu_load_all_avg1."""
    return "zabbix_" + _INVALID_METRIC_CHARS.sub("_", key).strip("_")


def main_interface(interfaces: list[dict]) -> dict | None:
    """The main interface, the agent's first (Zabbix marks one main per type)."""
    mains = [i for i in interfaces if str(i.get("main")) == "1"] or interfaces
    mains.sort(key=lambda i: (i.get("type") != INTERFACE_AGENT, int(i.get("type", 9))))
    return mains[0] if mains else None


def host_fields(host: dict, groups_key: str) -> dict:
    """Device fields from a host.get row (with interfaces and groups selected)."""
    interface = main_interface(host.get("interfaces") or [])
    groups = host.get(groups_key) or []
    ip = (interface or {}).get("ip") or NO_IP
    status = AVAILABILITY.get(str((interface or {}).get("available")), DeviceStatus.UNKNOWN)
    return {
        "name": (host.get("name") or host["host"])[:100],
        "hostname": host["host"][:255],
        "ip_address": ip,
        "enabled": str(host.get("status")) == HOST_STATUS_MONITORED,
        "site": groups[0]["name"][:100] if groups else "",
        "status": status,
    }


def interval_s(delay: str) -> int:
    """Zabbix delay ("30s", "1m", "3600", "1m;wd1-5h9-18") in seconds, clamped to 10..86400."""
    first = str(delay or "60").split(";")[0].strip()
    match = re.fullmatch(r"(\d+)([smhdw]?)", first)
    seconds = int(match.group(1)) * _TIME_SUFFIX_S.get(match.group(2) or "s", 1) if match else 60
    return min(max(seconds, 10), 86400)


def parse_version(version: str) -> tuple[int, int]:
    major, minor, *_ = (version.split(".") + ["0", "0"])[:3]
    return int(major), int(minor)


def groups_param(version: str) -> tuple[str, str]:
    """(host.get parameter, result key) for host groups: renamed in 6.2, the old removed in 7.0."""
    if parse_version(version) >= (6, 2):
        return "selectHostGroups", "hostgroups"
    return "selectGroups", "groups"
