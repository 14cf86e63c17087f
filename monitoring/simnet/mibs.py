"""Builders of snmprec records, one per MIB group.

A record is ``oid -> (tag, value)`` as snmpsim reads it (``OID|TAG|VALUE``).
Growing counters use snmpsim's numeric variation: value = initial + rate × t,
t counted from the simulator's start; Counter32 with ``wrap=1`` wraps (at
4294967295, snmpsim's modulus). Gauges swing as initial + scale × sin(rate × t).
"""

import random
from dataclasses import dataclass

Records = dict[str, tuple[str, str]]

SYSTEM = "1.3.6.1.2.1.1"
IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"
HR_STORAGE = "1.3.6.1.2.1.25.2.3.1"
HR_PROCESSOR_LOAD = "1.3.6.1.2.1.25.3.3.1.2"
HR_STORAGE_TYPES = {
    "ram": "1.3.6.1.2.1.25.2.1.2",
    "virtual": "1.3.6.1.2.1.25.2.1.3",
    "disk": "1.3.6.1.2.1.25.2.1.4",
    "other": "1.3.6.1.2.1.25.2.1.1",
}
IF_UP, IF_DOWN = 1, 2  # IF-MIB ifAdminStatus / ifOperStatus (RFC 2863)
PACKET_SIZE_OCTETS = 800  # typical mixed-traffic packet, for packet counter rates


def text(value: str) -> tuple[str, str]:
    """OctetString, hex-encoded (4x) when it holds CR/LF, NUL or non-ASCII."""
    if value.isascii() and value.isprintable() and "|" not in value:
        return ("4", value)
    return ("4x", value.encode().hex())


def integer(value: int) -> tuple[str, str]:
    return ("2", str(value))


def gauge(value: int) -> tuple[str, str]:
    return ("66", str(value))


def num(value: float) -> str:
    """A number as snmpsim's float() reads it, without exponent notation."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0")


def counter32(rate_per_s: float, initial: int) -> tuple[str, str]:
    if not rate_per_s:
        return ("65", str(initial % 2**32))
    return ("65:numeric", f"rate={num(rate_per_s)},initial={initial % 2**32},wrap=1")


def counter64(rate_per_s: float, initial: int) -> tuple[str, str]:
    if not rate_per_s:
        return ("70", str(initial))
    return ("70:numeric", f"rate={num(rate_per_s)},initial={initial}")


def swing(base: float, amplitude: float, rate: float, tag: str = "66") -> tuple[str, str]:
    """A gauge moving as base ± amplitude, one cycle every 2π/rate seconds."""
    return (
        f"{tag}:numeric",
        f"function=sin,rate={num(rate)},scale={num(amplitude)},initial={num(base)}",
    )


def system(descr: str, object_id: str, name: str, uptime_ticks: int, location: str) -> Records:
    return {
        f"{SYSTEM}.1.0": text(descr),
        f"{SYSTEM}.2.0": ("6", object_id),
        f"{SYSTEM}.3.0": ("67:numeric", f"rate=100,initial={uptime_ticks}"),
        f"{SYSTEM}.4.0": text("NOC <noc@example.net>"),
        f"{SYSTEM}.5.0": text(name),
        f"{SYSTEM}.6.0": text(location),
        f"{SYSTEM}.7.0": integer(78),
    }


@dataclass(frozen=True)
class Interface:
    index: int
    name: str
    speed_mbps: int = 1000
    in_octets_per_s: float = 0
    out_octets_per_s: float = 0
    oper_up: bool = True
    admin_up: bool = True
    if_type: int = 6  # ethernetCsmacd
    descr: str = ""
    alias: str = ""
    mtu: int = 1500
    mac: str = ""
    in_octets_initial: int | None = None  # random when None


def interfaces(ifaces: list[Interface], seed: str, has_if_x_table: bool = True) -> Records:
    """IF-MIB ifTable (+ ifXTable); down interfaces keep frozen counters."""
    rnd = random.Random(seed)
    recs: Records = {"1.3.6.1.2.1.2.1.0": integer(len(ifaces))}
    for i in ifaces:
        x = str(i.index)
        moving = i.oper_up
        rate_in = i.in_octets_per_s if moving else 0
        rate_out = i.out_octets_per_s if moving else 0
        octets_in, octets_out = rnd.randrange(10**9, 10**12), rnd.randrange(10**9, 10**12)
        if i.in_octets_initial is not None:
            octets_in = i.in_octets_initial
        pkts_in, pkts_out = octets_in // PACKET_SIZE_OCTETS, octets_out // PACKET_SIZE_OCTETS
        mac = i.mac or f"00005e00{i.index % 256:02x}{rnd.randrange(256):02x}"
        recs |= {
            f"{IF_TABLE}.1.{x}": integer(i.index),
            f"{IF_TABLE}.2.{x}": text(i.descr or i.name),
            f"{IF_TABLE}.3.{x}": integer(i.if_type),
            f"{IF_TABLE}.4.{x}": integer(i.mtu),
            f"{IF_TABLE}.5.{x}": gauge(min(i.speed_mbps * 10**6, 2**32 - 1)),
            f"{IF_TABLE}.6.{x}": ("4x", mac) if i.if_type in (6, 117) else ("4", ""),
            f"{IF_TABLE}.7.{x}": integer(IF_UP if i.admin_up else IF_DOWN),
            f"{IF_TABLE}.8.{x}": integer(IF_UP if i.oper_up else IF_DOWN),
            f"{IF_TABLE}.9.{x}": ("67", str(rnd.randrange(1000, 10**6))),
            f"{IF_TABLE}.10.{x}": counter32(rate_in, octets_in),
            f"{IF_TABLE}.11.{x}": counter32(rate_in / PACKET_SIZE_OCTETS, pkts_in),
            f"{IF_TABLE}.13.{x}": counter32(0, 0),
            f"{IF_TABLE}.14.{x}": counter32(0, rnd.randrange(100)),
            f"{IF_TABLE}.16.{x}": counter32(rate_out, octets_out),
            f"{IF_TABLE}.17.{x}": counter32(rate_out / PACKET_SIZE_OCTETS, pkts_out),
            f"{IF_TABLE}.19.{x}": counter32(0, 0),
            f"{IF_TABLE}.20.{x}": counter32(0, 0),
        }
        if not has_if_x_table:
            continue
        recs |= {
            f"{IF_X_TABLE}.1.{x}": text(i.name),
            f"{IF_X_TABLE}.6.{x}": counter64(rate_in, octets_in),
            f"{IF_X_TABLE}.7.{x}": counter64(rate_in / PACKET_SIZE_OCTETS, pkts_in),
            f"{IF_X_TABLE}.10.{x}": counter64(rate_out, octets_out),
            f"{IF_X_TABLE}.11.{x}": counter64(rate_out / PACKET_SIZE_OCTETS, pkts_out),
            f"{IF_X_TABLE}.15.{x}": gauge(i.speed_mbps),
            f"{IF_X_TABLE}.18.{x}": text(i.alias),
        }
    return recs


@dataclass(frozen=True)
class Storage:
    index: int
    kind: str  # key of HR_STORAGE_TYPES
    descr: str
    unit_bytes: int
    size_units: int
    used: tuple[str, str]  # a fixed integer(...) or a swing(..., tag="2")


def hr_storage(rows: list[Storage]) -> Records:
    recs: Records = {}
    for s in rows:
        x = str(s.index)
        recs |= {
            f"{HR_STORAGE}.1.{x}": integer(s.index),
            f"{HR_STORAGE}.2.{x}": ("6", HR_STORAGE_TYPES[s.kind]),
            f"{HR_STORAGE}.3.{x}": text(s.descr),
            f"{HR_STORAGE}.4.{x}": integer(s.unit_bytes),
            f"{HR_STORAGE}.5.{x}": integer(s.size_units),
            f"{HR_STORAGE}.6.{x}": s.used,
        }
    return recs


def hr_processor_load(loads: dict[int, tuple[float, float]], rate: float = 0.05) -> Records:
    """hrProcessorLoad per hrDeviceIndex: {index: (base %, amplitude %)}."""
    return {
        f"{HR_PROCESSOR_LOAD}.{index}": swing(base, amp, rate, tag="2")
        for index, (base, amp) in loads.items()
    }


def oid_key(oid: str) -> tuple[int, ...]:
    return tuple(int(part) for part in oid.split("."))


def render(records: Records) -> str:
    """snmprec text in numeric OID order (snmpsim binary-searches the file)."""
    lines = [f"{oid}|{tag}|{value}" for oid, (tag, value) in records.items()]
    lines.sort(key=lambda line: oid_key(line.split("|", 1)[0]))
    return "\n".join(lines) + "\n"
