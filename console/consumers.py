"""The live board's WebSocket: join the board group, pass on what concerns this user.

Besides the pushed messages, each socket re-reads board_fingerprint() every
CONSOLE_WATCH_INTERVAL_S and sends {"kind": "refresh"} when it moved, so changes written
without signals or by another process reach the page too. A socket lives at most
MAX_SOCKET_S; the page reconnects.
"""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from monitoring.models import Device
from wardflux.roles import is_technician, role_of

from . import live

MAX_SOCKET_S = 6 * 3600


@database_sync_to_async
def _allowed_devices(user) -> tuple[str | None, set[int] | None]:
    role = role_of(user)
    if role is None or not is_technician(user):
        return role, None
    return role, set(Device.objects.visible_to(user).values_list("pk", flat=True))


_fingerprint = database_sync_to_async(live.board_fingerprint)


class BoardConsumer(AsyncJsonWebsocketConsumer):
    groups = [live.GROUP]

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        role, self.device_ids = await _allowed_devices(user)
        if role is None:
            await self.close(code=4403)
            return
        seen = await _fingerprint()  # before hello: nothing after it goes unnoticed
        await self.accept()
        await self.send_json({"kind": "hello"})
        self.watcher = asyncio.ensure_future(self.watch(seen))

    async def disconnect(self, code) -> None:
        watcher = getattr(self, "watcher", None)
        if watcher is not None:
            watcher.cancel()

    async def board_event(self, event: dict) -> None:
        data = event["data"]
        if self.device_ids is not None and data.get("device_id") not in self.device_ids:
            return  # a technician hears only of their own devices
        await self.send_json(data)

    async def watch(self, seen: str) -> None:
        interval = max(0.2, float(settings.CONSOLE_WATCH_INTERVAL_S))
        for _ in range(int(MAX_SOCKET_S / interval)):
            await asyncio.sleep(interval)
            now = await _fingerprint()
            if now != seen:
                seen = now
                await self.send_json({"kind": "refresh"})
        await self.close(code=4000)
