"""monitoring.snmp.client against a real net-snmp snmpd on loopback."""

import asyncio
import time

import pytest

from monitoring.snmp import (
    AuthFailure,
    SnmpAuthError,
    SnmpNoSuchObject,
    SnmpSession,
    SnmpTarget,
    SnmpTimeout,
    client,
    run,
    sockets,
)
from tests.servers.ports import free_udp_port
from tests.servers.snmpd import SYS_CONTACT, SYS_LOCATION, V3_USERS, start_snmpd, stop_snmpd
from tests.snmp.helpers import SYS_NAME, SYS_OBJECT_ID, SYS_UPTIME, get, snmpd_target, v3_target

IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10"
IF_HC_IN_OCTETS = "1.3.6.1.2.1.31.1.1.1.6"
NET_SNMP_LINUX = "1.3.6.1.4.1.8072.3.2.10"


@pytest.mark.parametrize("version", ["v1", "v2c"])
def test_community_get_reads_system_group(snmpd, version):
    values = get(snmpd_target(snmpd, version=version), [SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME])
    assert values[SYS_OBJECT_ID] == NET_SNMP_LINUX
    assert isinstance(values[SYS_UPTIME], int) and values[SYS_UPTIME] > 0
    assert isinstance(values[SYS_NAME], bytes) and values[SYS_NAME]


def test_v1_get_keeps_existing_objects_when_one_is_missing(snmpd):
    values = get(snmpd_target(snmpd, version="v1"), ["1.3.6.1.2.1.1.99.0", "1.3.6.1.2.1.1.6.0"])
    assert values == {"1.3.6.1.2.1.1.6.0": SYS_LOCATION.encode()}


def test_get_one_of_missing_object_raises_no_such_object(snmpd):
    async def inner():
        async with SnmpSession(snmpd_target(snmpd)) as session:
            await session.get_one("1.3.6.1.2.1.1.99.0")

    with pytest.raises(SnmpNoSuchObject):
        asyncio.run(inner())


def test_get_many_of_25_oids_sends_two_pdus(snmpd, monkeypatch):
    oids = [f"1.3.6.1.2.1.2.2.1.{column}.1" for column in range(1, 11)]
    oids += [f"1.3.6.1.2.1.1.{n}.0" for n in range(1, 8)]
    oids += [f"1.3.6.1.2.1.31.1.1.1.{column}.1" for column in range(1, 9)]
    assert len(oids) == 25
    pdu_sizes: list[int] = []
    original = SnmpSession.get

    async def counting_get(self, chunk):
        pdu_sizes.append(len(chunk))
        return await original(self, chunk)

    monkeypatch.setattr(SnmpSession, "get", counting_get)

    async def inner():
        async with SnmpSession(snmpd_target(snmpd)) as session:
            return await session.get_many(oids)

    values = asyncio.run(inner())
    assert sorted(pdu_sizes) == [5, 20]
    assert set(values) == set(oids)
    assert values["1.3.6.1.2.1.1.4.0"] == SYS_CONTACT.encode()


def test_bulk_walk_of_if_table_columns_matches_getnext_walk(snmpd):
    async def inner():
        async with SnmpSession(snmpd_target(snmpd)) as session:
            table = await session.walk_columns([IF_DESCR, IF_IN_OCTETS, IF_HC_IN_OCTETS])
            by_getnext = await session.walk(IF_DESCR)
            small_pages = await session.bulk_walk(IF_DESCR, max_repetitions=1)
            return table, by_getnext, small_pages

    table, by_getnext, small_pages = asyncio.run(inner())
    descr = table[IF_DESCR]
    assert descr["1"] == b"lo"
    assert set(descr) == set(table[IF_IN_OCTETS]) == set(table[IF_HC_IN_OCTETS])
    assert [(f"{IF_DESCR}.{i}", v) for i, v in descr.items()] == by_getnext == small_pages
    assert all(isinstance(v, int) for v in table[IF_HC_IN_OCTETS].values())


@pytest.mark.parametrize("user", V3_USERS, ids=lambda u: u.name)
def test_every_v3_user_reads_sys_object_id(snmpd, user):
    assert get(v3_target(snmpd, user), [SYS_OBJECT_ID]) == {SYS_OBJECT_ID: NET_SNMP_LINUX}


def _auth_failure(target: SnmpTarget) -> SnmpAuthError:
    with pytest.raises(SnmpAuthError) as caught:
        get(target, [SYS_NAME])
    return caught.value


def test_v3_wrong_auth_key_says_wrong_digest(snmpd):
    user = next(u for u in V3_USERS if u.name == "auth-sha")
    error = _auth_failure(v3_target(snmpd, user, auth_key="not-the-key"))
    assert error.reason is AuthFailure.WRONG_DIGEST
    assert "wrong digest" in str(error)


def test_v3_unknown_user_says_unknown_user_name(snmpd):
    user = next(u for u in V3_USERS if u.name == "auth-md5")
    error = _auth_failure(v3_target(snmpd, user, username="mallory"))
    assert error.reason is AuthFailure.UNKNOWN_USER_NAME
    assert "mallory" in str(error)


def test_v3_wrong_priv_key_says_decryption_error(snmpd):
    user = next(u for u in V3_USERS if u.name == "priv-sha-aes128")
    error = _auth_failure(v3_target(snmpd, user, priv_key="not-the-priv-key", timeout_s=0.5))
    assert error.reason is AuthFailure.DECRYPTION_ERROR


def test_silent_port_gives_snmp_timeout_quickly():
    target = SnmpTarget("127.0.0.1", free_udp_port(), timeout_s=0.3, retries=1)
    started = time.monotonic()
    with pytest.raises(SnmpTimeout):
        get(target, [SYS_NAME])
    assert time.monotonic() - started < 2.0


def test_run_executes_a_session_from_sync_code(snmpd):
    async def read_name():
        async with SnmpSession(snmpd_target(snmpd)) as session:
            return await session.get_one(SYS_NAME)

    assert run(read_name())


USM_UNKNOWN_ENGINE_IDS = "1.3.6.1.6.3.15.1.1.4.0"  # counts every v3 engine discovery


def _discoveries(snmpd) -> int:
    return get(snmpd_target(snmpd), [USM_UNKNOWN_ENGINE_IDS])[USM_UNKNOWN_ENGINE_IDS]


def _three_v3_gets(target: SnmpTarget, reuse: bool) -> list:
    async def inner():
        async with SnmpSession(target, reuse=reuse) as session:
            return await session.get([SYS_OBJECT_ID])

    return [asyncio.run(inner()) for _ in range(3)]


def test_v3_sessions_keep_sockets_between_polls_so_the_agent_sees_one_discovery(snmpd):
    sockets.forget_pooled_sockets()
    user = next(u for u in V3_USERS if u.name == "priv-sha-aes128")
    target = v3_target(snmpd, user)
    before = _discoveries(snmpd)
    kept = _three_v3_gets(target, reuse=True)
    between = _discoveries(snmpd)
    fresh = _three_v3_gets(target, reuse=False)
    after = _discoveries(snmpd)
    assert kept == fresh == [{SYS_OBJECT_ID: NET_SNMP_LINUX}] * 3
    assert between - before == 1  # three polls (three event loops), one discovery
    assert after - between == 3  # a credential test always starts from scratch


def test_kept_v3_socket_idle_too_long_refreshes_engine_time_and_still_reads(snmpd, monkeypatch):
    sockets.forget_pooled_sockets()
    monkeypatch.setattr(client, "REFRESH_AFTER_S", 0.0)
    target = v3_target(snmpd, next(u for u in V3_USERS if u.name == "auth-sha256"))
    before = _discoveries(snmpd)
    assert _three_v3_gets(target, reuse=True) == [{SYS_OBJECT_ID: NET_SNMP_LINUX}] * 3
    assert _discoveries(snmpd) - before == 1


def test_changed_keys_never_reuse_a_kept_socket(snmpd):
    sockets.forget_pooled_sockets()
    user = next(u for u in V3_USERS if u.name == "priv-sha-aes128")
    _three_v3_gets(v3_target(snmpd, user), reuse=True)
    with pytest.raises(SnmpAuthError):
        get(v3_target(snmpd, user, auth_key="not-the-key"), [SYS_NAME])


def test_kept_v3_socket_still_reads_after_the_agent_restarted():
    """The agent restarted on the same port with the same engine ID. (Its engine boots
    start again at 1 from a new persistent directory, so it still takes the kept
    socket's messages: the fallback to a fresh discovery on a refused kept socket is
    not exercised here.)"""
    sockets.forget_pooled_sockets()
    user = next(u for u in V3_USERS if u.name == "priv-sha-aes128")
    first = start_snmpd(port=free_udp_port())
    port = first.port
    try:
        target = v3_target(first, user, retries=0)
        assert _three_v3_gets(target, reuse=True)[0] == {SYS_OBJECT_ID: NET_SNMP_LINUX}
    finally:
        stop_snmpd(first)
    second = start_snmpd(port=port)
    try:
        assert v3_target(second, user, retries=0) == target
        assert _three_v3_gets(target, reuse=True) == [{SYS_OBJECT_ID: NET_SNMP_LINUX}] * 3
    finally:
        stop_snmpd(second)


@pytest.mark.parametrize("version", ["v1", "v2c"])
def test_a_closed_port_fails_at_once_not_after_the_timeout(version):
    """ICMP port unreachable means no agent: a discovery probing thousands of loopback
    hosts without SNMP must not wait out every timeout (gufo-snmp fails at once too)."""
    target = SnmpTarget(
        "127.0.0.1", free_udp_port(), community="public", version=version, timeout_s=5.0, retries=2
    )

    async def walk_and_get():
        async with SnmpSession(target) as session:
            with pytest.raises(SnmpTimeout, match="port unreachable"):
                await session.walk_columns([IF_DESCR, IF_IN_OCTETS])
            with pytest.raises(SnmpTimeout, match="port unreachable"):
                await session.get([SYS_NAME])

    started = time.monotonic()
    asyncio.run(walk_and_get())
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("version", ["v1", "v2c"])
def test_gets_and_one_column_walks_need_no_codec_socket_several_columns_do(snmpd, version):
    """gufo-snmp carries what it can (GETs, one-column walks); our codec's channel is
    opened only for a walk of several columns in one PDU, which gufo-snmp cannot send."""

    async def inner():
        async with SnmpSession(snmpd_target(snmpd, version=version)) as session:
            values = await session.get([SYS_NAME, SYS_UPTIME])
            one = await session.walk_columns([IF_DESCR])
            by_bulk = await session.bulk_walk(IF_DESCR)
            opened_before = session._channel is not None
            several = await session.walk_columns([IF_DESCR, IF_IN_OCTETS])
            return values, one, by_bulk, opened_before, session._channel is not None, several

    values, one, by_bulk, opened_before, opened_after, several = asyncio.run(inner())
    assert set(values) == {SYS_NAME, SYS_UPTIME}
    assert one[IF_DESCR]["1"] == b"lo"
    assert [(f"{IF_DESCR}.{i}", v) for i, v in one[IF_DESCR].items()] == by_bulk
    assert (opened_before, opened_after) == (False, True)
    assert several[IF_DESCR] == one[IF_DESCR]
