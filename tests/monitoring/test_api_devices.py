"""The devices and items API: technicians' scope, validation, and no N+1 on the list."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from monitoring.models import Device, MonitoringItem, Tag


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def two_devices(users):
    own = Device.objects.create(name="own-sw", ip_address="198.51.100.1")
    own.assigned_to.add(users["technician"])
    other = Device.objects.create(name="other-sw", ip_address="198.51.100.2")
    for device in (own, other):
        MonitoringItem.objects.create(device=device, name="Uptime", key="sysUpTime")
    return own, other


def test_technician_lists_only_assigned_devices(api, two_devices):
    own, _ = two_devices
    names = [d["name"] for d in api("technician").get("/api/v1/devices/").json()["results"]]
    assert names == [own.name]
    everyone = api("viewer").get("/api/v1/devices/").json()
    assert everyone["count"] == 2


def test_technician_gets_404_on_a_device_not_assigned_to_them(api, two_devices):
    own, other = two_devices
    assert api("technician").get(f"/api/v1/devices/{own.pk}/").status_code == 200
    assert api("technician").get(f"/api/v1/devices/{other.pk}/").status_code == 404
    assert api("manager").get(f"/api/v1/devices/{other.pk}/").status_code == 200


def test_technician_sees_only_items_of_assigned_devices(api, two_devices):
    own, other = two_devices
    tech = api("technician")
    listed = tech.get("/api/v1/items/").json()["results"]
    assert [i["device"] for i in listed] == [own.pk]
    assert tech.get(f"/api/v1/items/?device={other.pk}").json()["results"] == []
    other_item = other.items.get()
    assert tech.get(f"/api/v1/items/{other_item.pk}/").status_code == 404
    assert tech.get(f"/api/v1/items/{own.items.get().pk}/").status_code == 200


def test_bad_ip_address_is_a_400_naming_the_field(api):
    resp = api("admin").post(
        "/api/v1/devices/", {"name": "r1", "ip_address": "10.0.0.300"}, format="json"
    )
    assert resp.status_code == 400
    assert list(resp.json()) == ["ip_address"]
    assert isinstance(resp.json()["ip_address"], list)


def test_ipv6_address_is_accepted(api):
    resp = api("admin").post("/api/v1/devices/", {"name": "r6", "ip_address": "2001:db8::1"})
    assert resp.status_code == 201, resp.content


def test_duplicate_name_is_a_400_naming_the_field(api):
    Device.objects.create(name="core-1", ip_address="10.0.0.1")
    resp = api("manager").post(
        "/api/v1/devices/", {"name": "core-1", "ip_address": "10.0.0.2"}, format="json"
    )
    assert resp.status_code == 400
    assert "name" in resp.json()


def test_parent_cycle_is_refused(api):
    admin = api("admin")
    a = admin.post("/api/v1/devices/", {"name": "a", "ip_address": "10.0.0.1"}).json()
    b = admin.post(
        "/api/v1/devices/", {"name": "b", "ip_address": "10.0.0.2", "parent": a["id"]}
    ).json()
    c = admin.post(
        "/api/v1/devices/", {"name": "c", "ip_address": "10.0.0.3", "parent": b["id"]}
    ).json()
    resp = admin.patch(f"/api/v1/devices/{a['id']}/", {"parent": c["id"]}, format="json")
    assert resp.status_code == 400 and "parent" in resp.json()
    resp = admin.patch(f"/api/v1/devices/{a['id']}/", {"parent": a["id"]}, format="json")
    assert resp.status_code == 400 and "parent" in resp.json()
    assert Device.objects.get(pk=a["id"]).parent is None


def _seed(count: int) -> None:
    staff = [User.objects.create_user(f"noc{i}") for i in range(3)]
    tags = [Tag.objects.create(name=f"t{i}") for i in range(3)]
    devices = Device.objects.bulk_create(
        Device(name=f"d{i:04}", ip_address=f"10.1.{i // 250}.{i % 250 + 1}") for i in range(count)
    )
    Device.tags.through.objects.bulk_create(
        Device.tags.through(device_id=d.pk, tag_id=t.pk) for d in devices for t in tags[:2]
    )
    Device.assigned_to.through.objects.bulk_create(
        Device.assigned_to.through(device_id=d.pk, user_id=u.pk) for d in devices for u in staff
    )


@pytest.mark.parametrize("role", ["admin", "technician"])
def test_device_list_query_count_does_not_grow_with_page_size(users, role):
    _seed(120)
    if role == "technician":
        Device.assigned_to.through.objects.bulk_create(
            Device.assigned_to.through(device_id=pk, user_id=users[role].pk)
            for pk in Device.objects.values_list("pk", flat=True)
        )
    counts = {}
    for page_size in (10, 100):
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=users[role].pk))  # no cached role
        with CaptureQueriesContext(connection) as queries:
            resp = client.get(f"/api/v1/devices/?page_size={page_size}&ordering=-name&site=")
        assert resp.status_code == 200
        body = resp.json()
        assert len(body["results"]) == page_size
        assert len(body["results"][0]["tags"]) == 2 and len(body["results"][0]["assigned_to"]) >= 3
        counts[page_size] = len(queries)
    assert counts[10] == counts[100], counts


def test_page_size_is_capped_at_1000(api):
    _seed(1005)
    body = api("viewer").get("/api/v1/devices/?page_size=5000").json()
    assert body["count"] == 1005 and len(body["results"]) == 1000


def test_deleting_a_credential_in_use_is_a_409_naming_the_devices(api):
    from monitoring.models import SNMPCredential

    cred = SNMPCredential.objects.create(name="shared", version="v2c", community="x")
    Device.objects.create(name="uses-it", ip_address="10.0.0.9", snmp_credential=cred)
    resp = api("admin").delete(f"/api/v1/credentials/{cred.pk}/")
    assert resp.status_code == 409
    assert "uses-it" in resp.json()["detail"]
    assert SNMPCredential.objects.filter(pk=cred.pk).exists()


def test_pages_ordered_by_a_column_with_ties_never_overlap(api):
    Device.objects.bulk_create(
        Device(name=f"n{i:03}", ip_address=f"10.2.0.{i + 1}", site=f"s{i % 3}") for i in range(90)
    )
    client, seen = api("viewer"), []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/api/v1/devices/?ordering=site&page_size=30&page={page}").json()
        seen += [d["name"] for d in body["results"]]
        # Ties on site are broken by the primary key, so the database cannot reshuffle them.
        assert any(
            'ORDER BY "monitoring_device"."site" ASC, "monitoring_device"."id" ASC' in q["sql"]
            for q in queries.captured_queries
        )
    assert len(seen) == len(set(seen)) == 90
