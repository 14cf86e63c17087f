"""FastReadMixin gives exactly DRF's output, so list pages can use it safely."""

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework import serializers

from monitoring.api.serializers import DeviceSerializer, attach_relations
from monitoring.choices import DeviceStatus
from monitoring.models import Device, SNMPCredential, Tag

pytestmark = pytest.mark.django_db


class PlainDeviceSerializer(DeviceSerializer):
    """The same fields through DRF's own ModelSerializer.to_representation."""

    def to_representation(self, instance):
        return serializers.ModelSerializer.to_representation(self, instance)


def make_devices() -> list[Device]:
    cred = SNMPCredential.objects.create(name="c", version="v2c", community="x")
    users = [User.objects.create(username=f"u{i}") for i in range(2)]
    root = Device.objects.create(name="root", ip_address="2001:db8::1", snmp_credential=cred)
    leaf = Device.objects.create(
        name="leaf", ip_address="10.0.0.2", parent=root, enabled=False, snmp_reachable=False,
        status=DeviceStatus.DOWN, last_polled=timezone.now(), uptime_s=123456789012,
        last_error="timeout", sys_descr="Cisco IOS",
    )  # fmt: skip
    leaf.tags.set([Tag.objects.create(name="b"), Tag.objects.create(name="a")])
    leaf.assigned_to.set(users)
    root.status = DeviceStatus.UP  # an enum member in memory, as code sets it
    return [root, leaf]


def test_fast_read_matches_drf_field_for_field():
    for device in make_devices():
        fast = DeviceSerializer(device).data
        plain = PlainDeviceSerializer(device).data
        assert fast == plain
        assert list(fast) == list(plain)  # same order too


def test_attached_relations_match_what_the_database_says():
    devices = make_devices()
    from_db = [DeviceSerializer(d).data for d in Device.objects.order_by("pk")]
    page = list(Device.objects.order_by("pk"))
    attach_relations(page)
    assert [DeviceSerializer(d).data for d in page] == from_db
    assert from_db[1]["tags"] == ["a", "b"] and len(from_db[1]["assigned_to"]) == 2
    assert devices
