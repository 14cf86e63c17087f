"""`manage.py ping_devices`: one check now, printed as a table."""

import io

import pytest
from django.core.management import CommandError, call_command

from monitoring.choices import DeviceStatus
from monitoring.models import Device


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("ping_devices", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def test_it_prints_a_table_of_every_enabled_device(fast_icmp, make_device, netns_lab):
    make_device("core-a", "127.0.0.11")
    make_device("core-b", "::1")
    make_device("silent", netns_lab.silent_addresses(1)[0])
    make_device("disabled", "127.0.0.12", enabled=False)
    lines = _run()
    assert lines[0].split() == [
        "device",
        "ip",
        "status",
        "min/avg/max",
        "ms",
        "loss",
        "%",
        "jitter",
        "ms",
    ]
    rows = {line.split()[0]: line.split() for line in lines[1:4]}
    assert set(rows) == {"core-a", "core-b", "silent"}
    assert rows["core-a"][1:3] == ["127.0.0.11", DeviceStatus.UP]
    assert rows["core-b"][1:3] == ["::1", DeviceStatus.UP]
    assert rows["core-a"][4] == "0" and len(rows["core-a"][3].split("/")) == 3
    assert rows["silent"][2:5] == [DeviceStatus.UNKNOWN, "-/-/-", "100"]  # 1 of 2 failures
    assert lines[4].startswith("2/3 answering")
    assert Device.objects.get(name="core-a").status == DeviceStatus.UP


def test_it_checks_only_the_named_devices(fast_icmp, make_device):
    make_device("one", "127.0.0.21")
    make_device("two", "127.0.0.22")
    lines = _run("--device", "two")
    assert [line.split()[0] for line in lines[1:-1]] == ["two"]
    assert Device.objects.get(name="one").status == DeviceStatus.UNKNOWN


def test_an_unknown_device_name_is_an_error(make_device):
    make_device("one", "127.0.0.21")
    with pytest.raises(CommandError, match="no device named nope"):
        _run("--device", "one", "nope")
