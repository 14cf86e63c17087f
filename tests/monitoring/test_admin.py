"""The admin site: secrets stay hidden, actions work, every list page renders for the roles."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse

from monitoring.models import Device, MonitoringTemplate, SNMPCredential

SECRETS = {"community": "", "auth_key": "auth-Secret-77", "priv_key": "priv-Secret-88"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def v3_credential(db) -> SNMPCredential:
    return SNMPCredential.objects.create(
        name="core-v3",
        version="v3",
        username="noc",
        security_level="authPriv",
        auth_protocol="SHA-256",
        priv_protocol="AES-128",
        **{k: v for k, v in SECRETS.items() if v},
    )


def raw_tokens(pk: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT auth_key, priv_key FROM monitoring_snmpcredential WHERE id=%s", [pk])
        return list(cursor.fetchone())


def form_data(cred: SNMPCredential, **change) -> dict:
    data = {
        "name": cred.name, "version": cred.version, "community": "", "username": cred.username,
        "security_level": cred.security_level, "auth_protocol": cred.auth_protocol,
        "auth_key": "", "priv_protocol": cred.priv_protocol, "priv_key": "",
        "context": cred.context, "port": cred.port, "timeout": cred.timeout,
        "retries": cred.retries, "_save": "Save",
    }  # fmt: skip
    return {**data, **change}


def test_credential_change_page_never_shows_the_secret(users, v3_credential):
    url = reverse("admin:monitoring_snmpcredential_change", args=[v3_credential.pk])
    page = client_for(users["admin"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for secret in ("auth-Secret-77", "priv-Secret-88", *raw_tokens(v3_credential.pk)):
        assert secret not in html
    assert "fernet:" not in html
    assert "A secret is stored; leave empty to keep it." in html


def test_leaving_a_secret_empty_in_the_admin_keeps_it(users, v3_credential):
    url = reverse("admin:monitoring_snmpcredential_change", args=[v3_credential.pk])
    resp = client_for(users["admin"]).post(url, form_data(v3_credential, port=1161))
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else ""
    cred = SNMPCredential.objects.get(pk=v3_credential.pk)
    assert (cred.port, cred.auth_key, cred.priv_key) == (1161, "auth-Secret-77", "priv-Secret-88")


def test_a_new_secret_typed_in_the_admin_replaces_the_old(users, v3_credential):
    url = reverse("admin:monitoring_snmpcredential_change", args=[v3_credential.pk])
    resp = client_for(users["admin"]).post(url, form_data(v3_credential, auth_key="new-Auth-999"))
    assert resp.status_code == 302
    cred = SNMPCredential.objects.get(pk=v3_credential.pk)
    assert (cred.auth_key, cred.priv_key) == ("new-Auth-999", "priv-Secret-88")


def test_the_apply_template_action_creates_the_items(users):
    template = MonitoringTemplate.objects.get(name="Linux")
    devices = [Device.objects.create(name=f"srv{i}", ip_address=f"10.9.0.{i}") for i in (1, 2)]
    url = reverse("admin:monitoring_device_changelist")
    action = {
        "action": f"apply_template_{template.pk}",
        "_selected_action": [d.pk for d in devices],
    }
    resp = client_for(users["manager"]).post(url, action, follow=True)
    assert resp.status_code == 200
    assert f"{template.name}: {2 * template.items.count()} items created" in resp.content.decode()
    for device in devices:
        assert device.items.filter(template=template).count() == template.items.count()
    # Applying again changes nothing: idempotent.
    resp = client_for(users["manager"]).post(url, action, follow=True)
    assert "0 items created, 0 updated" in resp.content.decode()


@pytest.mark.parametrize("role", ["admin", "superuser"])
def test_every_admin_list_page_renders_with_search_and_each_filter(users, role, v3_credential):
    user = users["admin"]
    if role == "superuser":
        user.is_superuser = True
        user.save()
    Device.objects.create(name="edge-1", ip_address="10.0.0.1", site="lab", vendor="Cisco")
    client = client_for(user)
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        page = client.get(url, {"q": "edge"})
        assert page.status_code == 200, url
        pages = 0
        for spec in page.context["cl"].filter_specs:
            for choice in spec.choices(page.context["cl"]):
                filtered = client.get(url + choice["query_string"])
                assert filtered.status_code == 200, url + choice["query_string"]
                pages += 1
                if pages > 60:  # bounded: a filter with many values needs no full sweep
                    break


def test_roles_see_the_admin_as_their_role_allows(users):
    devices = reverse("admin:monitoring_device_changelist")
    credentials = reverse("admin:monitoring_snmpcredential_add")
    assert client_for(users["manager"]).get(devices).status_code == 200
    assert client_for(users["manager"]).get(credentials).status_code == 403
    assert client_for(users["viewer"]).get(devices).status_code == 200
    assert (
        client_for(users["viewer"]).get(reverse("admin:monitoring_device_add")).status_code == 403
    )
    # The admin site cannot limit technicians to their devices: they use the API instead.
    assert client_for(users["technician"]).get(devices).status_code == 403
    assert (
        client_for(users["manager"]).get(reverse("admin:auth_user_changelist")).status_code == 403
    )
