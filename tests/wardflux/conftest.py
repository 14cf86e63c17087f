import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Users are made per test; the production hasher would spend seconds on each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class World:
    """Two devices, one assigned to the technician, each with items, plus what they use."""

    def __init__(self, users) -> None:
        from monitoring.models import (
            Device,
            MonitoringItem,
            MonitoringProfile,
            MonitoringTemplate,
            SNMPCredential,
        )

        self.credential = SNMPCredential.objects.create(
            name="lab-v2c", version="v2c", community="public-lab"
        )
        self.own_device = Device.objects.create(
            name="tech-own", ip_address="192.0.2.1", snmp_credential=self.credential
        )
        self.own_device.assigned_to.add(users["technician"])
        self.other_device = Device.objects.create(
            name="not-theirs", ip_address="192.0.2.2", snmp_credential=self.credential
        )
        for device in (self.own_device, self.other_device):
            MonitoringItem.objects.create(
                device=device, name="Uptime", key="sysUpTime", oid="1.3.6.1.2.1.1.3.0"
            )
        self.template = MonitoringTemplate.objects.order_by("pk").first()
        self.profile = MonitoringProfile.objects.create(name="main", is_active=True)


@pytest.fixture
def world(users) -> World:
    return World(users)
