import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from monitoring.models import SNMPCredential

pytestmark = pytest.mark.django_db

V3 = {
    "name": "core-v3",
    "version": "v3",
    "username": "noc",
    "security_level": "authPriv",
    "auth_protocol": "SHA-256",
    "auth_key": "auth-secret-123",
    "priv_protocol": "AES-256",
    "priv_key": "priv-secret-456",
}


def raw_columns(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT community, auth_key, priv_key FROM monitoring_snmpcredential WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


def test_it_never_returns_secrets_and_stores_fernet_tokens(api):
    created = api("admin").post("/api/v1/credentials/", V3, format="json")
    assert created.status_code == 201, created.content
    body = created.content.decode()
    assert "auth-secret-123" not in body and "priv-secret-456" not in body
    assert "auth_key" not in created.json() and "priv_key" not in created.json()
    assert created.json()["has_auth_key"] is True
    listed = api("manager").get("/api/v1/credentials/").content.decode()
    assert "secret" not in listed and "fernet" not in listed
    _, auth_raw, priv_raw = raw_columns(created.json()["id"])
    assert auth_raw.startswith("fernet:gAAAA") and "auth-secret" not in auth_raw
    assert SNMPCredential.objects.get().auth_key == "auth-secret-123"


def test_it_keeps_stored_secret_when_update_leaves_it_empty(api):
    pk = api("admin").post("/api/v1/credentials/", V3, format="json").json()["id"]
    resp = api("admin").patch(
        f"/api/v1/credentials/{pk}/", {"auth_key": "", "port": 1161}, format="json"
    )
    assert resp.status_code == 200, resp.content
    cred = SNMPCredential.objects.get(pk=pk)
    assert cred.auth_key == "auth-secret-123" and cred.port == 1161


@pytest.mark.parametrize(
    "change,field",
    [
        ({"username": ""}, "username"),
        ({"priv_key": ""}, "priv_key"),
        ({"priv_protocol": ""}, "priv_protocol"),
        ({"auth_key": "short"}, "auth_key"),
    ],
)
def test_it_rejects_invalid_v3_combinations_naming_the_field(api, change, field):
    resp = api("admin").post("/api/v1/credentials/", {**V3, **change}, format="json")
    assert resp.status_code == 400
    assert field in resp.json()
    assert not SNMPCredential.objects.exists()


def test_v2c_without_community_is_refused(api):
    resp = api("admin").post("/api/v1/credentials/", {"name": "x", "version": "v2c"}, format="json")
    assert resp.status_code == 400 and "community" in resp.json()


def test_rotation_reencrypts_so_the_old_key_can_be_dropped(settings):
    old_key = settings.WARD_ENCRYPTION_KEY.split(",")[0]
    cred = SNMPCredential.objects.create(name="c", version="v2c", community="public-xyz")
    before = raw_columns(cred.pk)[0]
    new_key = Fernet.generate_key().decode()
    with override_settings(WARD_ENCRYPTION_KEY=f"{new_key},{old_key}"):
        call_command("rotate_encryption_key", verbosity=0)
    after = raw_columns(cred.pk)[0]
    assert after != before
    with override_settings(WARD_ENCRYPTION_KEY=new_key):
        assert SNMPCredential.objects.get(pk=cred.pk).community == "public-xyz"
    with override_settings(WARD_ENCRYPTION_KEY=old_key), pytest.raises(ValueError):
        SNMPCredential.objects.get(pk=cred.pk)
