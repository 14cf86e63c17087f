import pytest

from monitoring.models import Device
from tests.servers.netns import netns_lab  # noqa: F401 - fixture


@pytest.fixture
def fast_icmp(settings):
    """Short checks: 2 echoes 20 ms apart, 300 ms timeout, down after 2 failed checks."""
    settings.ICMP_COUNT = 2
    settings.ICMP_SPACING_MS = 20
    settings.ICMP_TIMEOUT_MS = 300
    settings.ICMP_DOWN_AFTER = 2
    return settings


@pytest.fixture
def make_device(db):
    def make(name: str, ip: str, **fields) -> Device:
        return Device.objects.create(name=name, ip_address=ip, **fields)

    return make
