"""Bulk device import and export in CSV, JSON and YAML.

Every row is checked by the API's DeviceSerializer, so a file and a POST obey one set of
rules. Files name things, not ids: the credential, the parent and the assigned users by name,
tags as a list (`a;b` in CSV). An import is one transaction: an invalid row rolls everything
back unless `skip_invalid`, which imports the valid rows and reports the others.
Rows are saved parents first, so a child may come before its parent in the file.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction

from .api.serializers import DeviceSerializer
from .models import Device, MonitoringTemplate, SNMPCredential
from .schedule import deferred_sync
from .templates import apply_template

__all__ = [
    "COLUMNS",
    "FORMATS",
    "ImportResult",
    "InventoryError",
    "Row",
    "RowError",
    "device_records",
    "export_devices",
    "format_for",
    "import_devices",
    "parse_rows",
    "read_rows",
]

COLUMNS = [
    "name", "ip_address", "hostname", "device_type", "vendor", "model", "site",
    "poller_group", "parent", "snmp_credential", "enabled", "tags", "assigned_to",
]  # fmt: skip
LIST_COLUMNS = ("tags", "assigned_to")
# An empty cell in these columns means "the default", not an empty value.
DEFAULT_WHEN_BLANK = ("device_type", "poller_group", "enabled")
FORMATS = ("csv", "json", "yaml")
EXTENSIONS = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class InventoryError(Exception):
    """The input as a whole is unusable (unknown format, unreadable file): one line says why."""


@dataclass(frozen=True)
class Row:
    where: str  # "line 12" (CSV, YAML) or "record 3" (JSON)
    data: dict


@dataclass(frozen=True)
class RowError:
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    device_ids: list[int] = field(default_factory=list)
    dry_run: bool = False
    template_counts: dict[str, int] | None = None

    @property
    def invalid_rows(self) -> int:
        return len({e.where for e in self.errors})


# --- reading ---------------------------------------------------------------------------------


def format_for(path: str | Path) -> str:
    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InventoryError(f"{path}: unknown extension; use .csv, .json, .yaml or .yml")
    return fmt


def read_rows(path: str | Path) -> list[Row]:
    fmt = format_for(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(f"{path}: cannot read: {exc}") from exc
    return parse_rows(text, fmt)


def parse_rows(text: str, fmt: str) -> list[Row]:
    if fmt == "csv":
        return _parse_csv(text)
    if fmt == "json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InventoryError(f"not valid JSON: {exc}") from exc
        return _records(records, [f"record {i}" for i in range(1, _count(records) + 1)])
    if fmt == "yaml":
        return _parse_yaml(text)
    raise InventoryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def _parse_csv(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "name" not in header:
        raise InventoryError("CSV header has no 'name' column")
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise InventoryError(f"unknown CSV column {unknown[0]!r}; known: {', '.join(COLUMNS)}")
    rows = []
    for record in reader:
        if None in record:
            raise InventoryError(f"line {reader.line_num}: more cells than header columns")
        if not any((v or "").strip() for v in record.values()):
            continue  # blank line
        rows.append(Row(f"line {reader.line_num}", record))
    return rows


def _parse_yaml(text: str) -> list[Row]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        records = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InventoryError(f"not valid YAML: {' '.join(str(exc).split())}") from exc
    if isinstance(node, yaml.MappingNode):  # {"devices": [...]}
        node = next((v for k, v in node.value if k.value == "devices"), None)
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    return _records(records, [f"line {n.start_mark.line + 1}" for n in items])


def _count(records) -> int:
    records = records.get("devices", records) if isinstance(records, dict) else records
    return len(records) if isinstance(records, list) else 0


def _records(records, places: list[str]) -> list[Row]:
    if isinstance(records, dict) and "devices" in records:
        records = records["devices"]
    if not isinstance(records, list):
        raise InventoryError("expected a list of devices (or {'devices': [...]})")
    rows = []
    for where, record in zip(places, records, strict=True):
        if not isinstance(record, dict):
            raise InventoryError(f"{where}: expected an object with device fields")
        rows.append(Row(where, record))
    return rows


# --- importing -------------------------------------------------------------------------------


class _Names:
    """Name → id lookups, loaded once per import and kept current as rows are saved."""

    def __init__(self) -> None:
        self.devices = dict(Device.objects.values_list("name", "pk"))
        self.credentials = dict(SNMPCredential.objects.values_list("name", "pk"))
        users = get_user_model().objects.values_list(get_user_model().USERNAME_FIELD, "pk")
        self.users = dict(users)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _payload(row: Row, names: _Names) -> tuple[dict, list[RowError]]:
    """The row as DeviceSerializer input (names turned into ids), or the reasons it cannot be."""
    errors = [RowError(row.where, k, "unknown field") for k in row.data if k not in COLUMNS]
    data = {k: v for k, v in row.data.items() if k in COLUMNS}
    for key in DEFAULT_WHEN_BLANK:
        if data.get(key) in ("", None):
            data.pop(key, None)
    for key in ("hostname", "vendor", "model", "site"):
        if data.get(key) is None:
            data.pop(key, None)
    for key, table, what in (
        ("snmp_credential", names.credentials, "credential"),
        ("parent", names.devices, "device"),
    ):
        if key not in data:
            continue
        ref = data[key]
        if ref in ("", None):
            data[key] = None
        elif str(ref) in table:
            data[key] = table[str(ref)]
        else:
            errors.append(RowError(row.where, key, f"no {what} named {ref!r}"))
            data.pop(key)
    if "tags" in data:
        data["tags"] = _as_list(data["tags"])
    if "assigned_to" in data:
        usernames = _as_list(data["assigned_to"])
        missing = [u for u in usernames if u not in names.users]
        if missing:
            errors.append(RowError(row.where, "assigned_to", f"no user named {missing[0]!r}"))
        data["assigned_to"] = [names.users[u] for u in usernames if u in names.users]
    return data, errors


def _flatten(where: str, errors: dict) -> list[RowError]:
    out = []
    for name, detail in errors.items():
        if isinstance(detail, dict):  # list fields: {index: [messages]}
            detail = [f"item {i + 1}: {m}" for i, msgs in detail.items() for m in msgs]
        out.extend(RowError(where, name, str(m)) for m in detail)
    return out


def _parents_first(rows: list[Row]) -> tuple[list[Row], list[RowError]]:
    """Order rows so a parent named in the file is saved before its children.

    Rows that repeat a name, or whose parents in the file form a cycle, are errors.
    """
    errors, by_name, first_line = [], {}, {}
    for row in rows:
        name = str(row.data.get("name") or "")
        if name in by_name:
            errors.append(RowError(row.where, "name", f"{name!r} is also on {first_line[name]}"))
            continue
        by_name[name], first_line[name] = row, row.where
    done: set[str] = set()
    ordered: list[Row] = []
    pending = list(by_name.items())
    while pending:
        progressed, rest = False, []
        for name, row in pending:
            parent = str(row.data.get("parent") or "")
            if parent in by_name and parent not in done and parent != "":
                rest.append((name, row))
                continue
            done.add(name)
            ordered.append(row)
            progressed = True
        if not progressed:
            for _, row in rest:
                errors.append(RowError(row.where, "parent", "devices in the file form a cycle"))
            break
        pending = rest
    return ordered, errors


def _save_row(row: Row, names: _Names, result: ImportResult) -> None:
    data, errors = _payload(row, names)
    name = data.get("name")
    instance = Device.objects.get(name=name) if name and name in names.devices else None
    serializer = DeviceSerializer(instance=instance, data=data, partial=instance is not None)
    if not serializer.is_valid():
        errors.extend(_flatten(row.where, serializer.errors))
    if errors:
        result.errors.extend(errors)
        return
    # Validated rows save cleanly; anything else (a concurrent insert of the same name)
    # is unexpected and aborts the whole import, which stays all or nothing.
    device = serializer.save()
    names.devices[device.name] = device.pk
    result.device_ids.append(device.pk)
    if instance is None:
        result.created += 1
    else:
        result.updated += 1


def import_devices(
    rows: list[Row],
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    template: MonitoringTemplate | None = None,
    progress: Callable[[Iterable[Row]], Iterable[Row]] = iter,
) -> ImportResult:
    """Create or update (by name) one device per row, all in one transaction.

    With errors and not `skip_invalid`, nothing is written and `result.errors` says why.
    `dry_run` validates and counts as a real import would, then rolls back.
    """
    result = ImportResult(dry_run=dry_run)
    ordered, result.errors = _parents_first(rows)
    # Beat's rows for all the devices in one sync at the end, not one per saved row (a
    # third of a row's cost); none at all when the import is rolled back.
    with transaction.atomic(), deferred_sync() as touched:
        names = _Names()
        for row in progress(ordered):
            _save_row(row, names, result)
        if result.errors and not skip_invalid:
            transaction.set_rollback(True)
            touched.clear()
            result.created = result.updated = 0
            result.device_ids = []
            return result
        if template is not None and result.device_ids:
            devices = Device.objects.filter(pk__in=result.device_ids).prefetch_related("items")
            result.template_counts = apply_template(template, devices)
        if dry_run:
            transaction.set_rollback(True)
            touched.clear()
    return result


# --- exporting -------------------------------------------------------------------------------


def device_records(queryset=None) -> list[dict]:
    """Devices as import rows: names instead of ids, lists for tags and users."""
    qs = Device.objects.all() if queryset is None else queryset
    # parent, snmp_credential, tags, assigned_to: each record names them.
    qs = qs.select_related("parent", "snmp_credential").prefetch_related("tags", "assigned_to")
    records = []
    for d in qs.order_by("name"):
        records.append(
            {
                "name": d.name,
                "ip_address": d.ip_address,
                "hostname": d.hostname,
                "device_type": d.device_type,
                "vendor": d.vendor,
                "model": d.model,
                "site": d.site,
                "poller_group": d.poller_group,
                "parent": d.parent.name if d.parent else None,
                "snmp_credential": d.snmp_credential.name if d.snmp_credential else None,
                "enabled": d.enabled,
                "tags": [t.name for t in d.tags.all()],
                "assigned_to": [u.get_username() for u in d.assigned_to.all()],
            }
        )
    return records


def export_devices(fmt: str, queryset=None) -> str:
    """The devices as text that `import_devices` reads back to the same inventory."""
    records = device_records(queryset)
    if fmt == "json":
        return json.dumps(records, indent=2) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(records, sort_keys=False, allow_unicode=True)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in records:
            cells = {**r, "enabled": "true" if r["enabled"] else "false"}
            for key in LIST_COLUMNS:
                cells[key] = ";".join(r[key])
            for key in ("parent", "snmp_credential"):
                cells[key] = r[key] or ""
            writer.writerow(cells)
        return out.getvalue()
    raise InventoryError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
