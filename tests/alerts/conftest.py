"""Alert fixtures: a small network (a core router and a switch behind it) and a rule."""

import pytest

from alerts.models import AlertRule, NotificationChannel
from monitoring.metrics.samples import Sample
from monitoring.models import Device


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The shared `users` fixture hashes four passwords per test: keep that cheap here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def net(db):
    core = Device.objects.create(name="core-1", ip_address="10.0.0.1", site="hq", status="up")
    access = Device.objects.create(
        name="sw-1", ip_address="10.0.0.2", site="hq", parent=core, status="up"
    )
    branch = Device.objects.create(name="br-1", ip_address="10.1.0.1", site="branch")
    return {"core": core, "access": access, "branch": branch}


@pytest.fixture
def hook_channel(db):
    return NotificationChannel.objects.create(
        name="noc-hook", kind="webhook", settings={"url": "http://127.0.0.1:9/x"}
    )


@pytest.fixture
def cpu_rule(db, hook_channel):
    rule = AlertRule.objects.create(
        name="CPU high", metric="cpu", operator=">", threshold=90, recovery_threshold=80,
        severity="high",
    )  # fmt: skip
    rule.channels.add(hook_channel)
    return rule


def sample(device: Device, value: float, ts: float, name: str = "cpu", **labels) -> Sample:
    return Sample(name, {"device": device.name, "ip": device.ip_address, **labels}, ts, value)
