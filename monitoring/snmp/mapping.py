"""Item keys (MIB object names) to metrics. Pure: no Django, no I/O.

``interpret`` turns one poll's raw answers into gauges, counter reads (rated in
``rate_samples`` against the previous reads), interface rows and device strings.
Metric names are the product's contract (see DESIGN.md, Metrics).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitoring.metrics.samples import LabelSet, Sample, label_set
from monitoring.snmp.syntax import counter_modulus
from monitoring.snmp.values import (
    COUNTER32_MODULUS,
    COUNTER64_MODULUS,
    CounterState,
    Outcome,
    counter_rate,
    modulus_for,
    percent,
)

SYS_UPTIME_OID = "1.3.6.1.2.1.1.3.0"
TICKS_PER_S = 100
IF_UP = 1
# Strings go to the device row, not to time series.
DEVICE_STRINGS = {"sysDescr": "sys_descr", "sysName": "sys_name", "sysObjectID": "sys_object_id"}
# (metric, scale, checked against the speed); HC columns win over their 32-bit twins.
IF_COUNTERS: dict[str, tuple[str, int, bool]] = {
    "ifHCInOctets": ("if_in_bps", 8, True),
    "ifInOctets": ("if_in_bps", 8, True),
    "ifHCOutOctets": ("if_out_bps", 8, True),
    "ifOutOctets": ("if_out_bps", 8, True),
    "ifInErrors": ("if_in_errors", 1, False),
    "ifOutErrors": ("if_out_errors", 1, False),
    "ifInDiscards": ("if_in_discards", 1, False),
    "ifOutDiscards": ("if_out_discards", 1, False),
}
HC_TWIN = {"ifInOctets": "ifHCInOctets", "ifOutOctets": "ifHCOutOctets"}
IF_ATTRIBUTES = {"ifName", "ifDescr", "ifAlias", "ifAdminStatus", "ifOperStatus", "ifSpeed"}
IF_ATTRIBUTES |= {"ifHighSpeed"}
UTIL_METRICS = {"if_in_bps": "if_util_in_pct", "if_out_bps": "if_util_out_pct"}
PHYSICAL_MEMORY = "physical memory"  # hrStorageDescr of RAM (Windows and net-snmp)
_NOT_METRIC = re.compile(r"[^a-zA-Z0-9_:]")


@dataclass(frozen=True, slots=True)
class ItemSpec:
    """A device item as the poller needs it: plain data, safe to pass to asyncio."""

    key: str
    oid: str
    value_type: str  # monitoring.choices.ValueType values
    item_id: int | None = None

    @property
    def is_column(self) -> bool:
        return self.value_type == "table_column"


@dataclass
class CounterRead:
    name: str  # the counter's identity within the device (cache key part)
    current: CounterState
    modulus: int
    metric: str
    labels: LabelSet  # the device's or the interface's
    scale: int = 1
    max_rate: int | None = None
    item_key: str = ""
    index: str = ""


@dataclass
class Interpreted:
    samples: list[Sample] = field(default_factory=list)
    counters: list[CounterRead] = field(default_factory=list)
    interfaces: list[dict] = field(default_factory=list)
    device_fields: dict[str, object] = field(default_factory=dict)
    computed: dict[str, object] = field(default_factory=dict)  # item key -> shown value


def decode_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").replace("\x00", "").strip()
    return "" if value is None else str(value).strip()


def metric_name(key: str) -> str:
    return "snmp_" + _NOT_METRIC.sub("_", key)


def _ints(column: dict[str, object] | None) -> list[int]:
    return [v for v in (column or {}).values() if isinstance(v, int) and not isinstance(v, bool)]


def _average(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def cpu_percent(scalars: dict[str, object], columns: dict[str, dict]) -> float | None:
    """Cisco 1 min (else 5 min) average over CPUs; UCD 100 - idle; HR processor load average."""
    for key in ("cpmCPUTotal1minRev", "cpmCPUTotal5minRev"):
        found = _average(_ints(columns.get(key)))
        if found is not None:
            return found
    idle = scalars.get("ssCpuIdle")
    if isinstance(idle, int):
        return float(100 - idle)
    return _average(_ints(columns.get("hrProcessorLoad")))


def memory_used_percent(scalars: dict[str, object], columns: dict[str, dict]) -> float | None:
    used, free = columns.get("ciscoMemoryPoolUsed"), columns.get("ciscoMemoryPoolFree")
    if used and free:
        names = {i: decode_text(n) for i, n in (columns.get("ciscoMemoryPoolName") or {}).items()}
        pools = [i for i, n in names.items() if n == "Processor"] or (["1"] if "1" in used else [])
        pools = pools or list(used)
        u = sum(used.get(i, 0) for i in pools)
        return percent(u, u + sum(free.get(i, 0) for i in pools))
    total, avail = scalars.get("memTotalReal"), scalars.get("memAvailReal")
    if isinstance(total, int) and isinstance(avail, int):
        return percent(total - avail, total)
    descrs, sizes = columns.get("hrStorageDescr"), columns.get("hrStorageSize")
    hr_used = columns.get("hrStorageUsed")
    if descrs and sizes and hr_used:
        for index, descr in descrs.items():
            if decode_text(descr).lower() == PHYSICAL_MEMORY:
                return percent(hr_used.get(index, 0), sizes.get(index, 0))
    return None


def if_speed_bps(row: dict[str, object]) -> int | None:
    """ifHighSpeed (Mbit/s) when it says something, else ifSpeed unless saturated."""
    high = row.get("ifHighSpeed")
    if isinstance(high, int) and high > 0:
        return high * 1_000_000
    speed = row.get("ifSpeed")
    if isinstance(speed, int) and 0 < speed < 2**32 - 1:
        return speed
    return None


def interface_rows(columns: dict[str, dict]) -> dict[str, dict[str, object]]:
    """{ifIndex: {key: value}} for every IF-MIB column walked."""
    rows: dict[str, dict[str, object]] = {}
    for key, column in columns.items():
        if key in IF_ATTRIBUTES or key in IF_COUNTERS or key == "ifCounterDiscontinuityTime":
            for index, value in column.items():
                rows.setdefault(index, {})[key] = value
    return rows


def interpret(
    device: dict[str, str],
    items: list[ItemSpec],
    scalars_by_oid: dict[str, object],
    columns_by_oid: dict[str, dict[str, object]],
    times_ms: dict[str, int],
    known_if_names: dict[int, str] | None = None,
) -> Interpreted:
    """One poll's raw answers to gauges, counter reads, interface rows, device strings.

    ``device`` holds ``name`` and ``ip``; ``times_ms`` the read time of each OID asked
    (scalar OID or column OID); ``known_if_names`` ifIndex -> ifName from earlier polls,
    for intervals that count without walking ifName.
    """
    out = Interpreted()
    base = label_set(device=device["name"], ip=device["ip"])
    uptime = scalars_by_oid.get(SYS_UPTIME_OID)
    uptime = uptime if isinstance(uptime, int) else None
    now_ms = max(times_ms.values(), default=0)
    scalars = {
        i.key: scalars_by_oid[i.oid] for i in items if not i.is_column and i.oid in scalars_by_oid
    }
    columns = {
        i.key: columns_by_oid[i.oid] for i in items if i.is_column and i.oid in columns_by_oid
    }
    if uptime is not None:
        out.samples.append(base.sample("sys_uptime_seconds", now_ms / 1000, uptime / TICKS_PER_S))
    for item in items:
        if item.is_column or item.key not in scalars:
            continue
        _scalar(out, item, scalars[item.key], base, times_ms.get(item.oid, now_ms), uptime)
    for metric, value in (
        ("cpu_percent", cpu_percent(scalars, columns)),
        ("memory_used_percent", memory_used_percent(scalars, columns)),
    ):
        if value is not None:
            out.samples.append(base.sample(metric, now_ms / 1000, float(value)))
            out.computed[metric] = value
    if any(k in IF_ATTRIBUTES or k in IF_COUNTERS for k in columns):
        oid_of = {i.key: i.oid for i in items}
        _interfaces(out, columns, base, times_ms, oid_of, uptime, known_if_names or {})
    return out


def _scalar(out, item, value, base, time_ms, uptime) -> None:
    if item.key in DEVICE_STRINGS:
        out.device_fields[DEVICE_STRINGS[item.key]] = decode_text(value)
        out.computed[item.key] = decode_text(value)
    elif item.key == "sysUpTime" and isinstance(value, int):
        out.device_fields["uptime_s"] = value // TICKS_PER_S
        out.computed[item.key] = value // TICKS_PER_S
    elif item.value_type == "string" or isinstance(value, bytes | str):
        out.computed[item.key] = decode_text(value)
    elif item.value_type == "counter" and isinstance(value, int):
        modulus = modulus_for(value, counter_modulus(item.oid))
        state = CounterState(value, time_ms, uptime)
        out.counters.append(
            CounterRead(item.oid, state, modulus, metric_name(item.key), base, item_key=item.key)
        )
    elif isinstance(value, int | float):
        out.samples.append(base.sample(metric_name(item.key), time_ms / 1000, float(value)))
        out.computed[item.key] = value


def _interfaces(out, columns, base, times_ms, oid_of, uptime, known_names) -> None:
    seen: set[str] = set()
    for index, row in sorted(interface_rows(columns).items(), key=lambda kv: _int(kv[0])):
        if_index = _int(index)
        name = decode_text(row.get("ifName")) or decode_text(row.get("ifDescr"))
        name = name or known_names.get(if_index) or f"ifIndex {index}"
        if name in seen:  # two interfaces with one name: keep the series apart
            name = f"{name} #{index}"
        seen.add(name)
        labels = base.extended(ifName=name, ifIndex=str(if_index))
        speed = if_speed_bps(row)
        if any(k in row for k in IF_ATTRIBUTES):
            out.interfaces.append(_interface_row(if_index, name, row, speed))
        oper = row.get("ifOperStatus")
        if isinstance(oper, int):
            t = times_ms.get(oid_of.get("ifOperStatus", ""), 0) / 1000
            out.samples.append(labels.sample("if_oper_status", t, 1.0 if oper == IF_UP else 0.0))
        discontinuity = row.get("ifCounterDiscontinuityTime")
        discontinuity = discontinuity if isinstance(discontinuity, int) else None
        for key, (metric, scale, by_speed) in IF_COUNTERS.items():
            raw = row.get(key)
            if not isinstance(raw, int) or isinstance(row.get(HC_TWIN.get(key, "")), int):
                continue  # absent, or its 64-bit twin is here
            oid = oid_of[key]
            modulus = COUNTER64_MODULUS if key.startswith("ifHC") else COUNTER32_MODULUS
            state = CounterState(raw, times_ms.get(oid, 0), uptime, discontinuity)
            out.counters.append(
                CounterRead(
                    f"{oid}:{name}", state, modulus, metric, labels, scale,
                    speed if by_speed else None, key, index,
                )
            )  # fmt: skip


def _interface_row(if_index: int, name: str, row: dict, speed: int | None) -> dict:
    found = {"if_index": if_index, "if_name": name[:255]}
    if "ifDescr" in row:
        found["if_descr"] = decode_text(row["ifDescr"])[:255]
    if "ifAlias" in row:
        found["if_alias"] = decode_text(row["ifAlias"])[:255]
    if "ifHighSpeed" in row or "ifSpeed" in row:
        found["if_speed_bps"] = speed
    for key, column in (("ifAdminStatus", "if_admin_status"), ("ifOperStatus", "if_oper_status")):
        if isinstance(row.get(key), int):
            found[column] = row[key]
    return found


def _int(index: str) -> int:
    try:
        return int(index.split(".")[0])
    except ValueError:
        return 0


def rate_samples(
    out: Interpreted, previous: dict[str, CounterState]
) -> tuple[list[Sample], dict[str, int]]:
    """Rates of the counter reads against the previous reads (by CounterRead.name).

    Returns the samples (rates and utilisation) and a count per outcome.
    """
    samples: list[Sample] = []
    counts: dict[str, int] = {}
    bps: dict[tuple[str, str], tuple[float, int | None, dict, float]] = {}
    for read in out.counters:
        rate = counter_rate(
            previous.get(read.name), read.current, read.modulus,
            scale=read.scale, max_rate=read.max_rate,
        )  # fmt: skip
        counts[rate.outcome] = counts.get(rate.outcome, 0) + 1
        if rate.outcome != Outcome.OK:
            continue
        t = read.current.time_ms / 1000
        samples.append(read.labels.sample(read.metric, t, rate.value))
        out.computed.setdefault(read.item_key, {})
        if isinstance(out.computed[read.item_key], dict):
            out.computed[read.item_key][read.index or "0"] = rate.value
        if read.metric in UTIL_METRICS:
            bps[(read.metric, read.index)] = (rate.value, read.max_rate, read.labels, t)
    for (metric, _index), (value, speed, labels, t) in bps.items():
        if speed:
            samples.append(labels.sample(UTIL_METRICS[metric], t, value * 100 / speed))
    return samples, counts
