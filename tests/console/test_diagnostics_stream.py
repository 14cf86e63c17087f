"""The diagnostics stream: real ICMP to loopback, events as replies and hops answer."""

import json

import pytest
from django.test import AsyncClient


def events(body: bytes) -> list[tuple[str, dict]]:
    found = []
    for block in body.decode().strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


async def collect(response) -> bytes:
    return b"".join([chunk async for chunk in response.streaming_content])


def test_ping_to_loopback_streams_each_reply_then_a_summary(net):
    from asgiref.sync import async_to_sync

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(net["users"]["admin"])
        response = await client.get(
            "/diagnostics/stream/", {"tool": "ping", "address": "127.0.0.1", "count": "3"}
        )
        assert response.status_code == 200 and response["Content-Type"] == "text/event-stream"
        return events(await collect(response))

    found = async_to_sync(scenario)()
    kinds = [k for k, _ in found]
    assert kinds == ["start", "reply", "reply", "reply", "done"]
    assert all(d["rtt_ms"] is not None for k, d in found if k == "reply")
    assert found[-1][1]["received"] == 3 and found[-1][1]["loss_pct"] == 0


def test_traceroute_to_loopback_reaches_it_in_one_hop(net):
    from asgiref.sync import async_to_sync

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(net["users"]["manager"])
        core = net["devices"]["core"]  # 127.0.0.1
        response = await client.get(
            "/diagnostics/stream/", {"tool": "traceroute", "device": str(core.pk), "max_hops": "3"}
        )
        return events(await collect(response))

    found = async_to_sync(scenario)()
    hops = [d["hop"] for k, d in found if k == "hop"]
    assert hops and hops[-1]["is_destination"] and hops[-1]["addresses"] == ["127.0.0.1"]
    assert found[-1] == ("done", {"kind": "done", "is_complete": True})


@pytest.mark.parametrize(
    "role,params,status",
    [
        ("viewer", {"address": "127.0.0.1"}, 403),
        ("technician", {"address": "127.0.0.1"}, 404),  # not one of theirs
        ("technician", {"device": "core"}, 404),
        ("admin", {"address": "127.0.0.1", "count": "500"}, 400),
        ("admin", {"address": "127.0.0.1", "tool": "nmap"}, 400),
        ("admin", {}, 400),
    ],
)
def test_stream_refuses_what_the_role_may_not_do(net, role, params, status):
    from asgiref.sync import async_to_sync

    if params.get("device") == "core":
        params = {"device": str(net["devices"]["core"].pk)}

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(net["users"][role])
        return await client.get("/diagnostics/stream/", params)

    response = async_to_sync(scenario)()
    assert response.status_code == status
    if status == 400:
        body = response.content.decode()
        assert body.split(":")[0] in ("count", "tool", "address")
