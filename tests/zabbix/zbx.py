"""Helpers that set things up in the real test Zabbix through its API and its trapper."""

import time
import uuid

from zabbix_utils import Sender

TRAPPER = 2  # item type
LINUX_SERVERS_GROUP = "2"


def make_host(
    zapi,
    name: str | None = None,
    ip: str = "127.0.0.10",
    group: str = LINUX_SERVERS_GROUP,
    items: tuple = (("temp", 0, "C"), ("octets", 3, "B")),
) -> dict:
    """A host with an agent interface and trapper items (key, value_type, units)."""
    name = name or f"h-{uuid.uuid4().hex[:8]}"
    hostid = zapi.host.create(
        host=name,
        groups=[{"groupid": group}],
        interfaces=[{"type": 1, "main": 1, "useip": 1, "ip": ip, "dns": "", "port": "10050"}],
    )["hostids"][0]
    for key, value_type, units in items:
        zapi.item.create(
            hostid=hostid, name=key, key_=key, type=TRAPPER, value_type=value_type, units=units
        )
    return {"hostid": hostid, "host": name}


def send_values(zabbix, values: list[tuple], timeout_s: float = 20) -> None:
    """Send (host, key, value, clock) through the trapper, retrying until the server's
    configuration cache knows the new items (CacheUpdateFrequency=1), bounded in time."""
    sender = Sender(server="127.0.0.1", port=zabbix.trapper_port, timeout=5)
    pending = list(values)
    deadline = time.monotonic() + timeout_s
    while pending and time.monotonic() < deadline:
        still = []
        for host, key, value, clock in pending:
            answer = sender.send_value(host, key, value, clock=clock)
            if answer.processed != 1:
                still.append((host, key, value, clock))
        pending = still
        if pending:
            time.sleep(0.5)
    if pending:
        raise AssertionError(f"the trapper did not accept {pending} in {timeout_s}s")


def wait_history(
    zapi, itemids: list[str], value_type: int, count: int, timeout_s: float = 15
) -> list[dict]:
    """Wait until history.get returns `count` values for the items (the syncer flushes ~1 s)."""
    deadline = time.monotonic() + timeout_s
    rows = []
    while time.monotonic() < deadline:
        rows = zapi.history.get(itemids=itemids, history=value_type, output="extend")
        if len(rows) >= count:
            return rows
        time.sleep(0.3)
    raise AssertionError(f"history holds {len(rows)} of {count} values after {timeout_s}s")


def make_trigger(zapi, host: str, key: str, above: float, priority: int) -> str:
    """A trigger `last(/host/key)>above` of severity `priority` (0-5); its id."""
    return zapi.trigger.create(
        description=f"{key} above {above} on {host}",
        expression=f"last(/{host}/{key})>{above}",
        priority=priority,
    )["triggerids"][0]


def wait_problems(zapi, hostid: str, count: int, timeout_s: float = 15) -> list[dict]:
    """Wait until problem.get lists exactly `count` open problems of the host."""
    deadline = time.monotonic() + timeout_s
    rows = []
    while time.monotonic() < deadline:
        rows = zapi.problem.get(hostids=[hostid], output="extend")
        if len(rows) == count:
            return rows
        time.sleep(0.3)
    raise AssertionError(f"host {hostid} has {len(rows)} open problems, not {count}")


def fire_until_problems(
    zabbix, zapi, host: dict, key: str, value: float, count: int, timeout_s: float = 20
) -> list[dict]:
    """Send `value` again every second until the host has `count` open problems: new
    triggers reach the server's configuration cache up to CacheUpdateFrequency later."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        send_values(zabbix, [(host["host"], key, value, int(time.time()))])
        try:
            return wait_problems(zapi, host["hostid"], count, timeout_s=1)
        except AssertionError:
            continue
    raise AssertionError(f"{host['host']} did not reach {count} problems in {timeout_s}s")
