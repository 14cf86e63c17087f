"""ICMP socket mode: reported by /api/v1/health and logged once when a worker starts."""

from __future__ import annotations

from monitoring.icmp.sockets import ClearError, probe_socket_mode
from wardflux.health import health_check

__all__ = ["check_icmp", "socket_modes"]


def socket_modes() -> dict[str, str]:
    """{"ipv4": "raw"|"dgram", ...} and, for a family that cannot be used, "<f>_error"."""
    modes: dict[str, str] = {}
    for family in (4, 6):
        try:
            modes[f"ipv{family}"] = str(probe_socket_mode(family))
        except ClearError as err:
            modes[f"ipv{family}_error"] = str(err)
        except OSError as err:  # e.g. IPv6 disabled in this kernel
            modes[f"ipv{family}_error"] = f"{type(err).__name__}: {err}"
    return modes


@health_check("icmp")
def check_icmp() -> dict:
    """Healthy when IPv4 ICMP works in this process (IPv6 is reported beside it)."""
    modes = socket_modes()
    result: dict = {"ok": "ipv4" in modes, "mode": modes.get("ipv4", "none")}
    if "ipv6" in modes:
        result["mode_ipv6"] = modes["ipv6"]
    for family in ("ipv4", "ipv6"):
        if f"{family}_error" in modes:
            result[f"{family}_error"] = modes[f"{family}_error"]
    if not result["ok"]:
        result["error"] = modes["ipv4_error"]
    return result


def describe_socket_modes() -> str:
    modes = socket_modes()
    parts = []
    for family in ("ipv4", "ipv6"):
        if family in modes:
            kind = "raw" if modes[family] == "raw" else "unprivileged (datagram ping socket)"
            parts.append(f"{family}: {kind}")
        else:
            parts.append(f"{family}: unavailable: {modes[f'{family}_error']}")
    return "; ".join(parts)
