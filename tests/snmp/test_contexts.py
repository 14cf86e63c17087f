"""SNMPv3 context names (pysnmp path), against real agents.

net-snmp's snmpd serves context "ctxA" by proxying it (``proxy -Cn ctxA``) to snmpsim's
"linux-server" device over v2c; the default context is snmpd's own MIB. So a value read
in ctxA is the simulated device's, and one read without a context is this host's.
"""

import asyncio
import os
import subprocess
import sys

import pytest

from monitoring.simnet.agents import V3_AUTH_KEY, V3_PRIV_KEY, V3_USER
from monitoring.simnet.devices import DEVICE_KINDS
from monitoring.snmp import (
    AuthFailure,
    SnmpAuthError,
    SnmpSession,
    SnmpTarget,
    SnmpTimeout,
    SnmpUnknownContext,
    contexts,
)
from tests.servers.ports import free_udp_port
from tests.servers.snmpd import V3_USERS, proxied_context, start_snmpd, stop_snmpd
from tests.snmp.helpers import SYS_DESCR, SYS_NAME, SYS_OBJECT_ID, get, sim_target, v3_target

CONTEXT = "ctxA"
DEAD = "ctxDead"  # proxied to a port where no agent listens
PROXIED = "linux-server"
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_TYPE = "1.3.6.1.2.1.2.2.1.3"
IF_MTU = "1.3.6.1.2.1.2.2.1.4"
IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10"
USERS = {u.name: u for u in V3_USERS}


@pytest.fixture(scope="module")
def proxy_snmpd(simnet):
    sim_port = simnet.endpoints[0][1]
    server = start_snmpd(
        extra_lines=(
            *proxied_context(
                CONTEXT, sim_port, PROXIED, (("auth-sha", "auth"), ("priv-sha-aes128", "priv"))
            ),
            *proxied_context(DEAD, free_udp_port(), "x", (("auth-sha", "auth"),), "-t 1 -r 0 "),
        )
    )
    yield server
    stop_snmpd(server)


def in_context(server, user="auth-sha", context=CONTEXT, **more) -> SnmpTarget:
    return v3_target(server, USERS[user], context_name=context, **more)


def session_run(target: SnmpTarget, call):
    async def inner():
        async with SnmpSession(target) as session:
            return await call(session)

    return asyncio.run(inner())


@pytest.mark.parametrize("user", ["auth-sha", "priv-sha-aes128"])
def test_get_in_the_context_reads_the_proxied_agent(proxy_snmpd, simnet, user):
    kind = DEVICE_KINDS[PROXIED]
    proxied = get(in_context(proxy_snmpd, user), [SYS_NAME, SYS_DESCR, SYS_OBJECT_ID])
    assert proxied[SYS_NAME] == kind.sys_name.encode()
    assert proxied[SYS_DESCR] == kind.sys_descr.encode()
    assert proxied[SYS_OBJECT_ID] == kind.sys_object_id  # str, dotted, as on the gufo path
    own = get(in_context(proxy_snmpd, user, context=""), [SYS_NAME, SYS_DESCR])
    assert own[SYS_NAME] == os.uname().nodename.encode()
    assert own[SYS_DESCR] != proxied[SYS_DESCR]


def test_context_get_agrees_with_net_snmp_snmpget(proxy_snmpd):
    user = USERS["auth-sha"]
    result = subprocess.run(
        ["snmpget", "-v3", "-Oqv", "-r", "0", "-t", "3", "-u", user.name, "-l", "authNoPriv"]
        + ["-a", "SHA", "-A", user.auth_key, "-n", CONTEXT]
        + [f"{proxy_snmpd.address}:{proxy_snmpd.port}", SYS_NAME],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 0, result.stderr
    ours = get(in_context(proxy_snmpd), [SYS_NAME])[SYS_NAME]
    assert result.stdout.strip().strip('"') == ours.decode() == DEVICE_KINDS[PROXIED].sys_name


def test_missing_objects_are_left_out_in_a_context(proxy_snmpd):
    missing = "1.3.6.1.2.1.1.99.0"
    found = get(in_context(proxy_snmpd), [SYS_NAME, missing])
    assert set(found) == {SYS_NAME}


def test_multi_column_walk_in_the_context_gives_the_proxied_if_table(proxy_snmpd, simnet):
    columns = [IF_DESCR, IF_TYPE, IF_MTU, IF_IN_OCTETS]
    proxied = session_run(in_context(proxy_snmpd), lambda s: s.walk_columns(columns))
    direct = session_run(sim_target(simnet, PROXIED), lambda s: s.walk_columns(columns))
    own = session_run(in_context(proxy_snmpd, context=""), lambda s: s.walk_columns([IF_DESCR]))
    for column in (IF_DESCR, IF_TYPE, IF_MTU):
        assert proxied[column] == direct[column], column
    assert proxied[IF_DESCR] != own[IF_DESCR]
    assert set(proxied[IF_IN_OCTETS]) == set(direct[IF_DESCR])
    assert all(isinstance(v, int) for v in proxied[IF_IN_OCTETS].values())


def test_bulk_walk_with_one_repetition_pages_through_the_whole_column(proxy_snmpd, simnet):
    target = in_context(proxy_snmpd)
    paged = session_run(target, lambda s: s.bulk_walk(IF_DESCR, max_repetitions=1))
    adaptive = session_run(target, lambda s: s.bulk_walk(IF_DESCR))
    direct = session_run(sim_target(simnet, PROXIED), lambda s: s.bulk_walk(IF_DESCR))
    assert paged == adaptive == direct
    assert len(paged) >= 2


def test_unknown_context_is_named_in_our_error(proxy_snmpd):
    target = in_context(proxy_snmpd, context="no-such-ctx", timeout_s=0.5)
    with pytest.raises(SnmpUnknownContext) as caught:
        get(target, [SYS_NAME])
    assert caught.value.context == "no-such-ctx"
    assert "'no-such-ctx'" in str(caught.value) and "'ctxA'" in str(caught.value)


def test_a_served_context_whose_agent_is_down_is_a_timeout_not_an_unknown_context(proxy_snmpd):
    target = in_context(proxy_snmpd, context=DEAD, timeout_s=0.5)
    with pytest.raises(SnmpTimeout) as caught:
        get(target, [SYS_NAME])
    assert f"'{DEAD}'" in str(caught.value) and "serves that context" in str(caught.value)


def test_wrong_auth_key_in_a_context_names_the_reason(proxy_snmpd):
    target = in_context(proxy_snmpd, auth_key="wrong-auth-key-1")
    with pytest.raises(SnmpAuthError) as caught:
        get(target, [SYS_NAME])
    assert caught.value.reason is AuthFailure.WRONG_DIGEST
    assert "wrong-auth-key-1" not in str(caught.value)


def test_engine_is_kept_between_sessions_of_a_target(proxy_snmpd):
    target = in_context(proxy_snmpd)
    get(target, [SYS_NAME])  # each get is its own asyncio.run, like a poll
    engine = contexts._ENGINES[target]
    assert get(target, [SYS_NAME])[SYS_NAME] == DEVICE_KINDS[PROXIED].sys_name.encode()
    assert contexts._ENGINES[target] is engine


def test_snmpsim_serves_a_device_by_context_name_to_our_client(simnet):
    address, port = simnet.endpoints[0]
    target = SnmpTarget(
        address, port, version="v3", username=V3_USER, security_level="authPriv",
        auth_protocol="MD5", auth_key=V3_AUTH_KEY, priv_protocol="DES", priv_key=V3_PRIV_KEY,
        timeout_s=3.0, retries=1, context_name="fortigate-firewall",
    )  # fmt: skip
    found = get(target, [SYS_OBJECT_ID])
    assert found[SYS_OBJECT_ID] == DEVICE_KINDS["fortigate-firewall"].sys_object_id


def test_polling_without_a_context_never_imports_pysnmp(snmpd):
    code = (
        "import sys, asyncio\n"
        "from monitoring.snmp import SnmpSession, SnmpTarget\n"
        f"t = SnmpTarget('{snmpd.address}', {snmpd.port}, community='{snmpd.community}')\n"
        "async def main():\n"
        "    async with SnmpSession(t) as s:\n"
        "        assert await s.get(['1.3.6.1.2.1.1.5.0'])\n"
        "        assert await s.walk_columns(['1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.3'])\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.startswith('pysnmp')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, cwd=os.getcwd()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
