"""Admin: pages render, secrets never reach the page, actions act."""

import pytest

from alerts.engine import evaluate_samples
from alerts.models import Alert, NotificationChannel

from .conftest import sample
from .servers import HookReceiver

pytestmark = pytest.mark.django_db
T0 = 1_800_000_000.0


def test_channel_admin_never_shows_the_secret(superuser_client):
    ch = NotificationChannel(name="hook", kind="webhook")
    ch.set_settings({"url": "https://example.net/h", "secret": "top-secret-value"})
    ch.save()
    for url in ("/admin/alerts/notificationchannel/",
                f"/admin/alerts/notificationchannel/{ch.pk}/change/"):  # fmt: skip
        page = superuser_client.get(url)
        assert page.status_code == 200
        assert "top-secret-value" not in page.content.decode()
        assert "fernet:" not in page.content.decode()


def test_channel_admin_keeps_secret_when_left_empty(superuser_client):
    ch = NotificationChannel(name="hook", kind="webhook")
    ch.set_settings({"url": "https://example.net/h", "secret": "top-secret-value"})
    ch.save()
    resp = superuser_client.post(
        f"/admin/alerts/notificationchannel/{ch.pk}/change/",
        {"name": "hook", "kind": "webhook", "enabled": "on",
         "settings": '{"url": "https://example.net/new"}'},
    )  # fmt: skip
    assert resp.status_code == 302, resp.content.decode()[:2000]
    ch.refresh_from_db()
    assert ch.plain_settings() == {"url": "https://example.net/new", "secret": "top-secret-value"}


def test_acknowledge_and_preview_actions(superuser_client, net, cpu_rule):
    evaluate_samples([sample(net["core"], 99, T0)])
    alert = Alert.objects.get()
    superuser_client.post(
        "/admin/alerts/alert/",
        {"action": "acknowledge_alerts", "_selected_action": [alert.pk]},
    )
    alert.refresh_from_db()
    assert alert.acknowledged and alert.acknowledged_by.username == "admin-user"
    page = superuser_client.post(
        "/admin/alerts/alertrule/",
        {"action": "preview_rules", "_selected_action": [cpu_rule.pk]},
    )
    assert page.status_code == 200 and "core-1" in page.content.decode()
    assert superuser_client.get(f"/admin/alerts/alert/{alert.pk}/change/").status_code == 200


def test_send_test_admin_action(superuser_client):
    with HookReceiver() as hook:
        ch = NotificationChannel(name="hook", kind="webhook")
        ch.set_settings({"url": f"{hook.url}/t"})
        ch.save()
        superuser_client.post(
            "/admin/alerts/notificationchannel/",
            {"action": "send_test_message", "_selected_action": [ch.pk]},
        )
        [got] = hook.wait_for(1)
    assert got.json()["event"] == "test"
