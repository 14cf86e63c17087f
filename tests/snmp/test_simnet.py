"""Our generated simnet files, served by snmpsim and read with our client."""

import asyncio
import subprocess
import time

import pytest

from monitoring.simnet.agents import V3_AUTH_KEY, V3_PRIV_KEY, V3_USER, SimAgent
from monitoring.simnet.devices import DEVICE_KINDS, EXPECTED_RATES
from monitoring.simnet.mibs import oid_key
from monitoring.snmp import SnmpSession, SnmpTarget, counter_modulus
from tests.servers.ports import LOOPBACK, free_udp_port
from tests.snmp.helpers import SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, get, sim_target

IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10"
IF_OUT_OCTETS = "1.3.6.1.2.1.2.2.1.16"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HC_IN_OCTETS = "1.3.6.1.2.1.31.1.1.1.6"
IF_HC_OUT_OCTETS = "1.3.6.1.2.1.31.1.1.1.10"
RATE_WAIT_S = 4.0


@pytest.mark.parametrize("kind", sorted(DEVICE_KINDS))
def test_each_kind_reads_back_sys_object_id_and_descr(simnet, kind):
    values = get(sim_target(simnet, kind), [SYS_OBJECT_ID, SYS_DESCR])
    assert values[SYS_OBJECT_ID] == DEVICE_KINDS[kind].sys_object_id
    assert values[SYS_DESCR] == DEVICE_KINDS[kind].sys_descr.encode()


def test_simulator_v3_user_reads_fortigate_with_context_via_net_snmp(simnet):
    """snmpsim picks the file by v3 context (our client: tests/snmp/test_contexts.py)."""
    address, port = simnet.endpoints[0]
    result = subprocess.run(
        ["snmpget", "-v3", "-On", "-r", "0", "-t", "3", "-u", V3_USER, "-l", "authPriv"]
        + ["-a", "MD5", "-A", V3_AUTH_KEY, "-x", "DES", "-X", V3_PRIV_KEY]
        + ["-n", "fortigate-firewall", f"{address}:{port}", SYS_OBJECT_ID],
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 0, result.stderr
    assert DEVICE_KINDS["fortigate-firewall"].sys_object_id in result.stdout


def _interface_counters(target: SnmpTarget, has_hc: bool) -> tuple[dict, dict, dict]:
    in_col, out_col = (
        (IF_HC_IN_OCTETS, IF_HC_OUT_OCTETS) if has_hc else (IF_IN_OCTETS, IF_OUT_OCTETS)
    )
    name_col = IF_NAME if has_hc else IF_DESCR

    async def inner():
        async with SnmpSession(target) as session:
            names = (await session.walk_columns([name_col]))[name_col]
            # Time each read at its walk's midpoint: on a loaded machine a walk can take long
            # enough that timing from its end would skew the rate.
            t0 = time.monotonic()
            first = await session.walk_columns([in_col, out_col])
            t1 = time.monotonic()
            await asyncio.sleep(RATE_WAIT_S)
            t2 = time.monotonic()
            second = await session.walk_columns([in_col, out_col])
            t3 = time.monotonic()
            elapsed = (t2 + t3) / 2 - (t0 + t1) / 2
        rates = {}
        for index, name in names.items():
            deltas = []
            for column in (in_col, out_col):
                modulus = counter_modulus(f"{column}.{index}")
                deltas.append((second[column][index] - first[column][index]) % modulus / elapsed)
            rates[name.rstrip(b"\0").decode()] = tuple(deltas)
        return rates

    return asyncio.run(inner())


@pytest.mark.parametrize("kind", sorted(set(DEVICE_KINDS) - {"wrap32"}))
def test_interface_octet_rates_match_expected_within_5_percent(simnet, kind):
    has_hc = DEVICE_KINDS[kind].has_if_x_table
    measured = _interface_counters(sim_target(simnet, kind), has_hc)
    expected = EXPECTED_RATES[kind]
    assert set(measured) == set(expected)
    for name, (want_in, want_out) in expected.items():
        got_in, got_out = measured[name]
        assert got_in == pytest.approx(want_in, rel=0.05, abs=1), name
        assert got_out == pytest.approx(want_out, rel=0.05, abs=1), name


def test_wrap32_in_octets_wraps_and_modular_delta_gives_the_rate(simnet):
    oid = f"{IF_IN_OCTETS}.1"
    target = sim_target(simnet, "wrap32")
    rate = EXPECTED_RATES["wrap32"]["wan0"][0]

    async def inner():
        async with SnmpSession(target) as session:
            previous = (await session.get([oid]))[oid], time.monotonic()
            for _ in range(40):  # 40 × 0.25 s covers two wrap periods (~4.3 s each)
                await asyncio.sleep(0.25)
                current = (await session.get([oid]))[oid], time.monotonic()
                if current[0] < previous[0]:
                    return previous, current
                previous = current
        return None

    wrapped = asyncio.run(inner())
    assert wrapped is not None, "Counter32 never wrapped in 10 s"
    (before, t0), (after, t1) = wrapped
    assert after < before
    assert (after - before) % 2**32 / (t1 - t0) == pytest.approx(rate, rel=0.1)


def test_ifindex_renumbered_keeps_if_names_under_new_indexes(simnet):
    async def names(community):
        async with SnmpSession(sim_target(simnet, community)) as session:
            return (await session.walk_columns([IF_NAME]))[IF_NAME]

    original = asyncio.run(names("cisco-ios-router"))
    renumbered = asyncio.run(names("ifindex-renumbered"))
    assert sorted(original.values()) == sorted(renumbered.values())
    assert set(original).isdisjoint(renumbered)
    by_name = {v: k for k, v in renumbered.items()}
    assert by_name[b"Gi0/0/0"] != "1"


def test_agent_restart_resets_counters_and_uptime_like_a_reboot(simnet_dir):
    """Restarts a private snmpsim process: its numeric clock starts again at zero."""
    oid = f"{IF_HC_IN_OCTETS}.1"
    with SimAgent(simnet_dir, [(LOOPBACK, free_udp_port())]) as agent:
        target = sim_target(agent, "cisco-ios-router")
        time.sleep(2.0)
        before = get(target, [oid, SYS_UPTIME])
        agent.restart()
        after = get(target, [oid, SYS_UPTIME])
    assert after[SYS_UPTIME] < before[SYS_UPTIME]
    assert after[oid] < before[oid]


def test_generated_files_are_in_numeric_oid_order(simnet_dir):
    for path in simnet_dir.glob("*.snmprec"):
        oids = [line.split("|", 1)[0] for line in path.read_text().splitlines()]
        assert oids == sorted(oids, key=oid_key), path.name
        assert len(oids) == len(set(oids)), path.name
