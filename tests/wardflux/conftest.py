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
        self.add_alerting()
        self.add_discovery()
        self.add_zabbix()

    def add_alerting(self) -> None:
        from django.utils import timezone

        from alerts.models import Alert, AlertRule, MaintenanceWindow, NotificationChannel

        self.rule = AlertRule.objects.create(name="cpu high", metric="cpu_percent", threshold=90)
        self.channel = NotificationChannel.objects.create(
            name="noc-hook", kind="webhook", settings={"url": "http://127.0.0.1:9/hook"}
        )
        now = timezone.now()
        for device in (self.own_device, self.other_device):
            Alert.objects.create(
                rule=self.rule, device=device, state="firing", severity="high", started_at=now
            )
        window = MaintenanceWindow.objects.create(
            name="night works", start=now, end=now + timezone.timedelta(hours=1)
        )
        window.devices.add(self.other_device)

    def add_discovery(self) -> None:
        from discovery.models import DiscoveryJob, DiscoveryResult, DiscoveryRule

        rule = DiscoveryRule.objects.create(name="lab sweep", ranges=["127.0.0.0/30"])
        job = DiscoveryJob.objects.create(rule=rule, ranges=["127.0.0.0/30"])
        DiscoveryResult.objects.create(job=job, ip_address="192.0.2.2", device=self.other_device)

    def add_zabbix(self) -> None:
        from zabbix_bridge.models import ZabbixServer

        ZabbixServer.objects.create(name="zbx", url="http://127.0.0.1:9/api_jsonrpc.php")


@pytest.fixture
def world(users) -> World:
    return World(users)
