import pytest

from monitoring.models import Device
from tests.servers.netns import netns_lab  # noqa: F401 - fixture


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The shared `users` fixture hashes four passwords; PBKDF2 would cost seconds here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
