"""The live board's WebSocket: state changes and new problems reach open pages."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from alerts.choices import AlertState, Severity
from alerts.models import Alert
from console.consumers import BoardConsumer
from monitoring.models import Device


def communicator(user) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(BoardConsumer.as_asgi(), "/ws/board/")
    comm.scope["user"] = user
    return comm


async def connected(user) -> WebsocketCommunicator:
    comm = communicator(user)
    ok, _ = await comm.connect(timeout=5)
    assert ok
    assert (await comm.receive_json_from(timeout=5))["kind"] == "hello"
    return comm


@database_sync_to_async
def set_status(device_id: int, status: str) -> None:
    device = Device.objects.get(pk=device_id)
    device.status = status
    device.save()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_pushes_a_device_state_change_to_an_open_board(users):
    device = Device.objects.create(name="edge-1", ip_address="127.0.2.1", status="up")

    async def scenario():
        comm = await connected(users["viewer"])
        await set_status(device.pk, "down")
        message = await comm.receive_json_from(timeout=5)
        assert message == {"kind": "device", "device_id": device.pk, "name": "edge-1",
                           "status": "down", "was": "up"}  # fmt: skip
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_pushes_a_new_problem(users):
    device = Device.objects.create(name="edge-2", ip_address="127.0.2.2", status="down")

    @database_sync_to_async
    def open_problem():
        Alert.objects.create(device=device, title="Device down", state=AlertState.FIRING,
                             severity=Severity.HIGH, started_at=timezone.now())  # fmt: skip

    async def scenario():
        comm = await connected(users["admin"])
        await open_problem()
        message = await comm.receive_json_from(timeout=5)
        assert message["kind"] == "problem" and message["created"] is True
        assert message["device"] == "edge-2" and message["severity"] == "high"
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_technician_hears_only_of_their_devices(users):
    mine = Device.objects.create(name="mine", ip_address="127.0.2.3", status="up")
    other = Device.objects.create(name="other", ip_address="127.0.2.4", status="up")
    mine.assigned_to.add(users["technician"])

    async def scenario():
        comm = await connected(users["technician"])
        await set_status(other.pk, "down")
        await set_status(mine.pk, "down")
        message = await comm.receive_json_from(timeout=5)
        assert message["name"] == "mine"  # the other device's message was not passed on
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_watcher_catches_changes_made_without_signals(users, settings):
    settings.CONSOLE_WATCH_INTERVAL_S = 0.2
    device = Device.objects.create(name="edge-3", ip_address="127.0.2.5", status="up")

    @database_sync_to_async
    def bulk_down():  # as the ICMP monitor does: a conditional UPDATE, no post_save
        Device.objects.filter(pk=device.pk).update(status="down", status_changed=timezone.now())

    async def scenario():
        comm = await connected(users["viewer"])
        await bulk_down()
        assert (await comm.receive_json_from(timeout=5)) == {"kind": "refresh"}
        await comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_anonymous_sockets_are_refused(users):
    from django.contrib.auth.models import AnonymousUser

    async def scenario():
        comm = communicator(AnonymousUser())
        ok, code = await comm.connect(timeout=5)
        assert not ok and code == 4401

    async_to_sync(scenario)()
