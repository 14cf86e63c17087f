"""import_devices / export_devices: all or nothing, errors by line and field, round trips."""

import csv
import io
import json

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from monitoring.inventory_io import (
    InventoryError,
    export_devices,
    import_devices,
    parse_rows,
    read_rows,
)
from monitoring.models import Device, MonitoringTemplate, SNMPCredential, Tag
from monitoring.schedule import NAME_PREFIX, wanted_tasks

pytestmark = pytest.mark.django_db
HEADER = ["name", "ip_address", "device_type", "site", "tags", "snmp_credential", "parent"]


def write_csv(path, rows: list[dict]) -> str:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def thousand_rows(bad_index: int | None = None) -> list[dict]:
    rows = []
    for i in range(1000):
        ip = f"10.{i // 250}.{i % 250}.1" if i != bad_index else "10.0.0.999"
        rows.append(
            {
                "name": f"sw-{i:04}",
                "ip_address": ip,
                "device_type": "switch",
                "site": "dc1",
                "tags": "access;dc1",
                "snmp_credential": "lab",
                "parent": "",
            }  # fmt: skip
        )
    return rows


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_devices", *args, stdout=out, stderr=err, no_progress=True)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def lab_credential():
    return SNMPCredential.objects.create(name="lab", version="v2c", community="lab-secret")


def test_one_bad_row_in_1000_writes_nothing_and_names_line_and_field(tmp_path, lab_credential):
    path = write_csv(tmp_path / "devices.csv", thousand_rows(bad_index=500))
    with pytest.raises(CommandError) as failed:
        run(path)
    # Row 501 of the data sits on line 502 (line 1 is the header).
    assert "1 invalid row(s)" in str(failed.value)
    assert "line 502: ip_address:" in str(failed.value)
    assert "\n" not in str(failed.value)
    assert Device.objects.count() == 0 and Tag.objects.count() == 0


def test_skip_invalid_writes_the_999_good_rows(tmp_path, lab_credential):
    path = write_csv(tmp_path / "devices.csv", thousand_rows(bad_index=500))
    out, err = run(path, "--skip-invalid")
    assert Device.objects.count() == 999
    assert not Device.objects.filter(name="sw-0500").exists()
    assert "line 502: ip_address:" in err
    assert "imported 999 devices (999 new, 0 updated), skipped 1 invalid row(s)" in out
    d = Device.objects.get(name="sw-0042")
    assert sorted(d.tags.values_list("name", flat=True)) == ["access", "dc1"]
    assert d.snmp_credential == lab_credential


def test_dry_run_validates_and_counts_but_writes_nothing(tmp_path, lab_credential):
    path = write_csv(tmp_path / "devices.csv", thousand_rows()[:20])
    out, _ = run(path, "--dry-run")
    assert "would import 20 devices (20 new" in out
    assert Device.objects.count() == 0


def test_template_option_applies_the_template_to_each_device(tmp_path, lab_credential):
    path = write_csv(tmp_path / "devices.csv", thousand_rows()[:3])
    out, _ = run(path, "--template", "Cisco IOS")
    template = MonitoringTemplate.objects.get(name="Cisco IOS")
    for device in Device.objects.all():
        assert device.items.filter(template=template).count() == template.items.count()
    assert f"Cisco IOS: {3 * template.items.count()} items created" in out
    # beat's rows, synced once at the end of the import, are what the items want
    wanted = wanted_tasks(list(Device.objects.values_list("pk", flat=True)))
    assert len(wanted) >= 3
    assert set(
        PeriodicTask.objects.filter(name__startswith=NAME_PREFIX).values_list("name", flat=True)
    ) == set(wanted)


def test_a_failed_import_with_a_template_leaves_no_schedule(tmp_path, lab_credential):
    path = write_csv(tmp_path / "devices.csv", thousand_rows(bad_index=2)[:3])
    with pytest.raises(CommandError, match="1 invalid row"):
        run(path, "--template", "Cisco IOS")
    assert not Device.objects.exists()
    assert not PeriodicTask.objects.filter(name__startswith=NAME_PREFIX).exists()


def test_unknown_template_is_refused_before_anything_is_read(tmp_path):
    with pytest.raises(CommandError, match="no template named 'Nope'"):
        run(str(tmp_path / "missing.csv"), "--template", "Nope")


@pytest.mark.parametrize(
    "row,field,message",
    [
        ({"snmp_credential": "nope"}, "snmp_credential", "no credential named 'nope'"),
        ({"parent": "ghost"}, "parent", "no device named 'ghost'"),
        ({"device_type": "toaster"}, "device_type", "is not a valid choice"),
        ({"tags": "ok;not a slug"}, "tags", "item 2"),
        ({"name": ""}, "name", "may not be blank"),
    ],
)
def test_row_errors_name_the_line_and_field(tmp_path, lab_credential, row, field, message):
    rows = thousand_rows()[:3]
    rows[1].update(row)
    with pytest.raises(CommandError) as failed:
        run(write_csv(tmp_path / "d.csv", rows))
    assert f"line 3: {field}: " in str(failed.value) and message in str(failed.value)


def test_a_name_twice_in_the_file_is_an_error(tmp_path, lab_credential):
    rows = thousand_rows()[:3]
    rows[2]["name"] = rows[0]["name"]
    with pytest.raises(CommandError, match="line 4: name: 'sw-0000' is also on line 2"):
        run(write_csv(tmp_path / "d.csv", rows))


def test_a_parent_cycle_in_the_file_is_an_error(tmp_path, lab_credential):
    rows = thousand_rows()[:3]
    rows[0]["parent"], rows[1]["parent"] = "sw-0001", "sw-0000"
    with pytest.raises(CommandError, match="parent: devices in the file form a cycle"):
        run(write_csv(tmp_path / "d.csv", rows))
    assert Device.objects.count() == 0


def test_a_parent_cycle_through_the_database_is_refused_by_the_serializer(tmp_path):
    a = Device.objects.create(name="a", ip_address="10.0.0.1")
    Device.objects.create(name="b", ip_address="10.0.0.2", parent=a)
    path = tmp_path / "d.json"
    path.write_text(json.dumps([{"name": "a", "parent": "b"}]))
    with pytest.raises(CommandError, match="record 1: parent: A device cannot depend on itself"):
        run(str(path))


def test_reimporting_updates_devices_by_name(tmp_path, lab_credential):
    rows = thousand_rows()[:2]
    path = write_csv(tmp_path / "d.csv", rows)
    run(path)
    rows[0]["site"] = "dc2"
    out, _ = run(write_csv(tmp_path / "d.csv", rows))
    assert "(0 new, 2 updated)" in out
    assert Device.objects.get(name="sw-0000").site == "dc2"


@pytest.mark.parametrize(
    "name,problem",
    [
        ("d.txt", "unknown extension"),
        ("absent.csv", "cannot read"),
    ],
)
def test_bad_files_fail_with_one_line(tmp_path, name, problem):
    with pytest.raises(CommandError, match=problem):
        run(str(tmp_path / name) if name.startswith("absent") else _touch(tmp_path / name))


def _touch(path) -> str:
    path.write_text("x")
    return str(path)


@pytest.mark.parametrize(
    "fmt,text,problem",
    [
        ("csv", "name,colour\nr1,red\n", "unknown CSV column 'colour'"),
        ("csv", "ip_address\n10.0.0.1\n", "no 'name' column"),
        ("json", "[{", "not valid JSON"),
        ("json", '{"name": "r1"}', "expected a list of devices"),
        ("yaml", "- name: [unclosed", "not valid YAML"),
    ],
)
def test_malformed_input_is_an_inventory_error(fmt, text, problem):
    with pytest.raises(InventoryError, match=problem):
        parse_rows(text, fmt)


def test_yaml_rows_carry_their_line_numbers(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(
        "devices:\n  - name: a\n    ip_address: 10.0.0.1\n  - name: b\n    ip_address: x\n"
    )
    assert [r.where for r in read_rows(path)] == ["line 2", "line 4"]
    result = import_devices(read_rows(path))
    assert [str(e) for e in result.errors] == [
        "line 4: ip_address: Enter a valid IPv4 or IPv6 address."
    ]


def build_inventory() -> None:
    cred = SNMPCredential.objects.create(name="core", version="v2c", community="s3cret")
    alice = User.objects.create_user("alice")
    User.objects.create_user("bob")
    # The child sorts before its parent: the import must save the parent first.
    core = Device.objects.create(
        name="z-core", ip_address="2001:db8::1", device_type="router", vendor="Cisco",
        model="ASR1001", site="dc1", poller_group="site-a", snmp_credential=cred,
    )  # fmt: skip
    access = Device.objects.create(
        name="a-access", ip_address="10.0.0.2", hostname="acc.example.net",
        device_type="switch", parent=core, enabled=False,
    )  # fmt: skip
    access.tags.set([Tag.objects.create(name="edge"), Tag.objects.create(name="floor-2")])
    access.assigned_to.set([alice])


def wipe_inventory() -> None:
    Device.objects.update(parent=None)
    Device.objects.all().delete()
    Tag.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_export_then_import_is_a_round_trip(tmp_path, fmt):
    build_inventory()
    path = tmp_path / f"devices.{fmt}"
    call_command("export_devices", "--format", fmt, "--output", str(path), stdout=io.StringIO())
    exported = path.read_text()
    wipe_inventory()
    out, _ = run(str(path))
    assert "imported 2 devices (2 new" in out
    assert export_devices(fmt) == exported
    access = Device.objects.get(name="a-access")
    assert access.parent.name == "z-core" and access.enabled is False
    assert list(access.assigned_to.values_list("username", flat=True)) == ["alice"]


def test_export_writes_to_stdout_and_reads_the_format_from_the_file_name(tmp_path):
    build_inventory()
    out = io.StringIO()
    call_command("export_devices", "--format", "json", stdout=out)
    assert [d["name"] for d in json.loads(out.getvalue())] == ["a-access", "z-core"]
    path = tmp_path / "inv.yml"
    call_command("export_devices", "--output", str(path), stdout=io.StringIO())
    assert yaml.safe_load(path.read_text())[0]["tags"] == ["edge", "floor-2"]
    assert "s3cret" not in path.read_text() and "fernet" not in path.read_text()
