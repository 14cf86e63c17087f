"""One sync of one Zabbix server: hosts -> devices, items -> read-only items, history -> metrics.

Each phase runs in its own transaction, so an outage mid-way leaves the previous phase's
result whole and the failed phase unwritten; the history watermark moves only when the
history phase completes, so the next sync fetches the same range again (catches up).
A second sync with nothing changed in Zabbix writes nothing.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from monitoring.choices import Source, ValueType
from monitoring.metrics.samples import InvalidSample, Series
from monitoring.models import Device, MonitoringItem
from monitoring.schedule import deferred_sync

from .client import ZabbixClient, ZabbixError, client_for
from .history import (
    Writer,
    default_writer,
    prefetch,
    series_for,
    sync_history,
    sync_trends,
)
from .mapping import NUMERIC_VALUE_TYPES, REMOVED_ERROR, groups_param, host_fields, interval_s
from .models import ZabbixHost, ZabbixServer
from .modes import current_mode, is_imported_from_zabbix
from .problems import sync_problems

log = logging.getLogger(__name__)

HOSTS_PER_ITEM_CALL = 100
MAX_KEY_LENGTH = 255
HOST_OUTPUT = ["hostid", "host", "name", "status"]
INTERFACE_OUTPUT = ["ip", "dns", "main", "type", "useip", "available"]
ITEM_OUTPUT = [
    "itemid",
    "hostid",
    "name",
    "key_",
    "units",
    "value_type",
    "lastvalue",
    "lastclock",
    "delay",
    "status",
]
DEVICE_SYNCED_FIELDS = ["name", "hostname", "ip_address", "enabled", "site", "status"]
ITEM_SYNCED_FIELDS = [
    "name",
    "units",
    "interval",
    "enabled",
    "last_value",
    "last_clock",
    "value_type",
]


class SyncFailed(ZabbixError):
    """A phase failed; `phase` names it and `summary` holds what the earlier phases did."""

    def __init__(self, phase: str, cause: Exception, summary: dict):
        super().__init__(f"{phase} phase failed: {cause}")
        self.phase, self.cause, self.summary = phase, cause, summary


def sync_server(
    server: ZabbixServer,
    *,
    client: ZabbixClient | None = None,
    write: Writer | None = None,
    now: float | None = None,
    progress=None,
) -> dict:
    """Run the phases; the summary of counts, or SyncFailed naming the phase."""
    client = client or client_for(server)
    write = write or default_writer()
    started = time.monotonic()
    summary: dict = {}
    seconds = summary["phase_s"] = {}  # where a slow sync spends its time
    phase = "connect"

    def begin(name: str) -> str:
        seconds[phase] = round(time.monotonic() - started - sum(seconds.values()), 3)
        return name

    try:
        client.connect()
        summary["version"] = client.version
        phase = begin("hosts")
        summary["hosts"], links = sync_hosts(client, server, summary["version"])
        phase = begin("items")
        mode = summary["mode"] = current_mode()
        # Standalone: the bridge mirrors hosts only; hybrid: not the devices polled here.
        devices = [link.device for link in links if is_imported_from_zabbix(link.device, mode)]
        summary["items"], series, by_type = sync_items(client, devices)
        phase = begin("history")
        summary["history"] = sync_server_history(
            client, server, series, by_type, write, now, progress
        )
        phase = begin("problems")
        summary["problems"] = sync_problems(
            client, {d.zabbix_hostid: d for d in devices}, [link.device_id for link in links]
        )
        begin("")
    except ZabbixError as exc:
        begin("")
        summary["duration_s"] = round(time.monotonic() - started, 3)
        raise SyncFailed(phase, exc, summary) from exc
    summary["duration_s"] = round(time.monotonic() - started, 3)
    return summary


def sync_hosts(
    client: ZabbixClient, server: ZabbixServer, version: str
) -> tuple[dict, list[ZabbixHost]]:
    """Hosts -> devices (source zabbix). Returns counts and the server's live links."""
    param, groups_key = groups_param(version)
    params = {"output": HOST_OUTPUT, "selectInterfaces": INTERFACE_OUTPUT, param: ["name"]}
    counts = dict.fromkeys(["created", "linked", "updated", "unchanged", "removed"], 0)
    # deferred_sync: each touched device's schedule once at the end, not once per save.
    with transaction.atomic(), deferred_sync():
        links = {link.hostid: link for link in server.hosts.select_related("device")}
        names = DeviceNames.load()
        seen: set[str] = set()
        for page in client.iter_by_ids("host", "hostid", params):
            for host in page:
                seen.add(host["hostid"])
                _apply_host(server, host, host_fields(host, groups_key), links, names, counts)
        for hostid, link in links.items():
            if hostid not in seen and not link.removed:
                _mark_removed(link)
                counts["removed"] += 1
    live = [link for hostid, link in links.items() if hostid in seen]
    return counts, live


@dataclass
class DeviceNames:
    """Every device's name and which devices no Zabbix host links yet: read once per sync
    (two queries, not two per host) and kept current as hosts are applied."""

    pk_by_name: dict[str, int]
    unlinked: set[int]

    @classmethod
    def load(cls) -> DeviceNames:
        return cls(
            dict(Device.objects.values_list("name", "pk")),
            set(Device.objects.filter(zabbix_host__isnull=True).values_list("pk", flat=True)),
        )

    def taken_by_other(self, name: str, pk: int | None = None) -> bool:
        owner = self.pk_by_name.get(name)
        return owner is not None and owner != pk

    def renamed(self, old: str, new: str, pk: int) -> None:
        if self.pk_by_name.get(old) == pk:
            del self.pk_by_name[old]
        self.pk_by_name[new] = pk


def _apply_host(
    server, host: dict, fields: dict, links: dict, names: DeviceNames, counts: dict
) -> None:
    hostid = host["hostid"]
    link = links.get(hostid)
    if link is None:
        pk = names.pk_by_name.get(fields["name"])
        if pk in names.unlinked:  # a device of ours that Zabbix also knows: link, keep its source
            device = Device.objects.get(pk=pk)
            device.zabbix_hostid = hostid
            device.save(update_fields=["zabbix_hostid", "updated"])
            counts["linked"] += 1
        else:
            if pk is not None:
                fields["name"] = f"{fields['name']} [{server.name}:{hostid}]"[:100]
            device = Device.objects.create(source=Source.ZABBIX, zabbix_hostid=hostid, **fields)
            names.pk_by_name[device.name] = device.pk
            counts["created"] += 1
        names.unlinked.discard(device.pk)
        links[hostid] = ZabbixHost.objects.create(server=server, device=device, hostid=hostid)
        return
    device = link.device
    if device.source != Source.ZABBIX:
        counts["unchanged"] += 1
        return
    if link.removed:
        link.removed = False
        link.save(update_fields=["removed"])
        device.last_error = ""
        fields_changed = ["last_error"]
    else:
        fields_changed = []
    if names.taken_by_other(fields["name"], device.pk):
        fields.pop("name")  # keep the disambiguated name it got when created
    elif fields["name"] != device.name:
        names.renamed(device.name, fields["name"], device.pk)
    for name, value in fields.items():
        if getattr(device, name) != value:
            setattr(device, name, value)
            fields_changed.append(name)
    if fields_changed:
        device.save(update_fields=[*fields_changed, "updated"])
        counts["updated"] += 1
    else:
        counts["unchanged"] += 1


def _mark_removed(link: ZabbixHost) -> None:
    link.removed = True
    link.save(update_fields=["removed"])
    device = link.device
    if device.source == Source.ZABBIX:
        device.enabled = False
        device.last_error = REMOVED_ERROR
        device.save(update_fields=["enabled", "last_error", "updated"])


def sync_items(client: ZabbixClient, devices: list[Device]) -> tuple[dict, dict, dict]:
    """Numeric items -> read-only MonitoringItems, host chunk by host chunk.

    Returns counts, {itemid: Series} and {value_type: [itemid]} for the history phase.
    """
    counts = dict.fromkeys(["created", "updated", "unchanged", "deleted", "skipped"], 0)
    series: dict[str, Series] = {}
    by_type: dict[int, list[str]] = defaultdict(list)
    chunks = [
        {d.zabbix_hostid: d for d in devices[start : start + HOSTS_PER_ITEM_CALL]}
        for start in range(0, len(devices), HOSTS_PER_ITEM_CALL)
    ]

    def fetch():
        for chunk in chunks:
            params = {
                "output": ITEM_OUTPUT,
                "hostids": list(chunk),
                "filter": {"value_type": list(NUMERIC_VALUE_TYPES)},
            }
            yield chunk, client.get("item", params)

    with transaction.atomic():
        # The next chunk's item.get runs while this one is written (a chunk at a time).
        for chunk, rows in prefetch([fetch()], depth=1):
            _apply_items(chunk, rows, counts, series, by_type)
    return counts, series, dict(by_type)


def _apply_items(
    chunk: dict[str, Device], rows: list[dict], counts: dict, series: dict, by_type: dict
) -> None:
    existing = {
        (i.device_id, i.key): i for i in MonitoringItem.objects.filter(device__in=chunk.values())
    }
    seen, create, update = set(), [], []
    for row in rows:
        device = chunk.get(row["hostid"])
        key = row["key_"]
        if device is None or len(key) > MAX_KEY_LENGTH:
            counts["skipped"] += 1
            continue
        try:
            series[row["itemid"]] = series_for(device.name, device.ip_address, key)
        except InvalidSample as exc:
            log.warning("zabbix item %s of %s skipped: %s", key, device.name, exc)
            counts["skipped"] += 1
            continue
        seen.add((device.pk, key))
        by_type[int(row["value_type"])].append(row["itemid"])
        fields = _item_fields(row)
        item = existing.get((device.pk, key))
        if item is None:
            create.append(MonitoringItem(device=device, key=key, source=Source.ZABBIX, **fields))
        elif item.source != Source.ZABBIX:
            counts["skipped"] += 1  # our own item with the same key wins
        elif any(getattr(item, n) != v for n, v in fields.items()):
            for n, v in fields.items():
                setattr(item, n, v)
            update.append(item)
        else:
            counts["unchanged"] += 1
    MonitoringItem.objects.bulk_create(create)
    MonitoringItem.objects.bulk_update(update, ITEM_SYNCED_FIELDS)
    gone = [i.pk for k, i in existing.items() if k not in seen and i.source == Source.ZABBIX]
    MonitoringItem.objects.filter(pk__in=gone).delete()
    counts["created"] += len(create)
    counts["updated"] += len(update)
    counts["deleted"] += len(gone)


def _item_fields(row: dict) -> dict:
    clock = int(row.get("lastclock") or 0)
    return {
        "name": row["name"][:200],
        "units": (row.get("units") or "")[:32],
        "interval": interval_s(row.get("delay")),
        "enabled": str(row.get("status")) == "0",
        "last_value": (row.get("lastvalue") or "")[:255] if clock else "",
        "last_clock": datetime.fromtimestamp(clock, tz=UTC) if clock else None,
        "value_type": ValueType.GAUGE,
    }


def sync_server_history(client, server, series, by_type, write, now, progress) -> dict:
    """History in (watermark, now - lag]; the first sync backfills ZABBIX_HISTORY_BACKFILL_S
    from history and the ZABBIX_TRENDS_BACKFILL_S before that from hourly trends.

    The first sync's history starts at an hour's start (up to an hour more than the
    backfill): a trend row covers its whole hour, so an hour cut by the history's start
    would come in twice, as its trend's average and as its later raw values.
    """
    lag_s = getattr(settings, "ZABBIX_HISTORY_LAG_S", 5)
    backfill_s = getattr(settings, "ZABBIX_HISTORY_BACKFILL_S", 3600)
    trends_s = getattr(settings, "ZABBIX_TRENDS_BACKFILL_S", 7 * 86400)
    time_till = int((now or time.time()) - lag_s)
    first = server.history_until_s is None
    if first:
        time_from = (time_till - backfill_s) // 3600 * 3600
    else:
        time_from = server.history_until_s + 1
    if time_from > time_till:
        return {"values": 0, "from": time_from, "till": time_till}
    result = {"from": time_from, "till": time_till}
    with transaction.atomic():
        if first and trends_s > 0:
            itemids = [i for ids in by_type.values() for i in ids]
            result["trends"] = sync_trends(
                client, itemids, series, time_from - trends_s, time_from - 1, write
            )
        result["values"] = sync_history(
            client, by_type, series, time_from, time_till, write, progress
        )
        ZabbixServer.objects.filter(pk=server.pk).update(history_until_s=time_till)
        server.history_until_s = time_till
    return result
