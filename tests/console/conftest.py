"""A small network to look at: three sites, devices in every state, problems, a window."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from alerts.choices import AlertState, Severity
from alerts.models import Alert, AlertRule, MaintenanceWindow
from monitoring.choices import DeviceStatus
from monitoring.models import AvailabilityEvent, Device, DeviceInterface


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """The shared `users` fixture hashes four passwords per test; MD5 makes that instant.

    Not for the browser tests: daphne, a separate process, checks the passwords there."""
    if not request.module.__name__.endswith("test_browser"):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def net(users) -> dict:
    now = timezone.now()
    ago = lambda **kw: now - timedelta(**kw)  # noqa: E731
    make = Device.objects.create
    d = {
        "core": make(
            name="core-rtr",
            ip_address="127.0.0.1",
            site="HQ",
            status=DeviceStatus.UP,
            status_changed=ago(days=2),
            device_type="router",
            vendor="Cisco",
            sys_descr="Cisco IOS XE Software, Version 17.9",
            uptime_s=86400 * 12,
        ),
        "sw1": make(
            name="hq-sw1",
            ip_address="127.0.0.2",
            site="HQ",
            status=DeviceStatus.DOWN,
            status_changed=ago(minutes=7),
        ),
        "ap": make(
            name="hq-ap",
            ip_address="127.0.0.3",
            site="HQ",
            status=DeviceStatus.UNREACHABLE,
            status_changed=ago(minutes=7),
        ),
        "br": make(
            name="branch-rtr",
            ip_address="127.0.0.4",
            site="Branch",
            status=DeviceStatus.UP,
            status_changed=ago(days=1),
        ),
        "lab": make(name="lab-srv", ip_address="127.0.0.5", site="Lab", status=DeviceStatus.UP),
        "new": make(name="new-printer", ip_address="127.0.0.6", site="Branch"),
    }
    d["ap"].parent = d["sw1"]
    d["ap"].save()
    d["br"].assigned_to.add(users["technician"])
    AvailabilityEvent.objects.create(
        device=d["sw1"],
        from_state="up",
        to_state="down",
        at=ago(minutes=7),
        reason="3 of 3 pings lost",
    )
    rule = AlertRule.objects.create(
        name="Device down", metric="device_down", severity=Severity.HIGH
    )
    cpu = AlertRule.objects.create(name="CPU high", metric="cpu_percent", severity=Severity.WARNING)
    alerts = {
        "down": Alert.objects.create(
            rule=rule,
            device=d["sw1"],
            state=AlertState.FIRING,
            severity=Severity.HIGH,
            started_at=ago(minutes=6),
            fired_at=ago(minutes=6),
        ),
        "cpu": Alert.objects.create(
            rule=cpu,
            device=d["br"],
            state=AlertState.FIRING,
            severity=Severity.WARNING,
            started_at=ago(minutes=30),
            fired_at=ago(minutes=30),
            value=97.5,
        ),
        "old": Alert.objects.create(
            rule=cpu,
            device=d["core"],
            state=AlertState.RESOLVED,
            severity=Severity.WARNING,
            started_at=ago(hours=3),
            resolved_at=ago(hours=2),
        ),
    }
    window = MaintenanceWindow.objects.create(
        name="Lab rewiring", start=ago(hours=1), end=now + timedelta(hours=1)
    )
    window.devices.add(d["lab"])
    DeviceInterface.objects.create(
        device=d["core"],
        if_index=1,
        if_name="Gi0/1",
        if_speed_bps=1_000_000_000,
        if_oper_status=1,
        if_admin_status=1,
        last_seen=now,
    )
    DeviceInterface.objects.create(
        device=d["core"],
        if_index=2,
        if_name="Gi0/2",
        if_speed_bps=1_000_000_000,
        if_oper_status=2,
        if_admin_status=1,
        last_seen=now,
    )
    return {"devices": d, "alerts": alerts, "users": users}


@pytest.fixture
def browser_for(users):
    """browser_for(role) -> a django test Client logged in as that role (None: anonymous)."""

    def client_for(role: str | None) -> Client:
        client = Client()
        if role is not None:
            client.force_login(users[role])
        return client

    return client_for
