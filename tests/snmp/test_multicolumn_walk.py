"""Walking several table columns in one GETBULK (v2c) or GETNEXT (v1) against real agents:
every column complete and correctly indexed, whatever its length, and the same table
when max-repetitions has to be halved on the way."""

import asyncio

import pytest

from monitoring.simnet.agents import SimAgent
from monitoring.snmp import MaxRepetitions, SnmpSession, SnmpTarget, SnmpTimeout
from tests.servers.ports import LOOPBACK, free_udp_port
from tests.servers.udp_delay import DelayingRelay
from tests.snmp.helpers import sim_target, snmpd_target

IF_ENTRY = "1.3.6.1.2.1.2.2.1"
IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1"
# Columns whose values do not move between two walks (no counters).
STATIC_COLUMNS = [f"{IF_ENTRY}.{c}" for c in (1, 2, 3, 4, 6, 7)] + [
    f"{IFX_ENTRY}.{c}" for c in (1, 15, 17)
]
ROWS = 30


def walk(target, columns, *, bulk=True, adaptive=None, per_column=False):
    async def inner():
        async with SnmpSession(target, max_repetitions=adaptive) as session:
            if per_column:  # one column per walk, one varbind per PDU: the reference
                return {
                    c: {oid[len(c) + 1 :]: v for oid, v in await session.walk(c)} for c in columns
                }
            found = await session.walk_columns(columns, bulk=bulk)
            return found, session

    return asyncio.run(inner())


@pytest.mark.parametrize("version", ["v1", "v2c"])
def test_if_table_and_if_x_table_columns_in_one_walk_match_column_by_column(snmpd, version):
    target = snmpd_target(snmpd, version=version)
    reference = walk(target, STATIC_COLUMNS, per_column=True)
    (together, session) = walk(target, STATIC_COLUMNS)
    assert together == reference
    assert together[f"{IF_ENTRY}.2"]["1"] == b"lo"
    assert set(together[f"{IF_ENTRY}.1"]) == set(together[f"{IFX_ENTRY}.1"])
    # All nine columns of a few interfaces: far fewer PDUs than one walk per column.
    assert session.requests < len(STATIC_COLUMNS)


def _snmprec(directory):
    """A table whose columns differ: ifDescr 30 rows, ifInOctets with a hole at row 5,
    ifHCInOctets only 3 rows, ifAlias absent; a column of another table after it."""
    lines = ["1.3.6.1.2.1.1.1.0|4|walk test", "1.3.6.1.2.1.1.3.0|67|12345"]
    lines += [f"{IF_ENTRY}.2.{n}|4|port{n}" for n in range(1, ROWS + 1)]
    lines += [f"{IF_ENTRY}.10.{n}|65|{n * 1000}" for n in range(1, ROWS + 1) if n != 5]
    lines += [f"{IFX_ENTRY}.1.{n}|4|Gi0/{n}" for n in range(1, ROWS + 1)]
    lines += [f"{IFX_ENTRY}.6.{n}|70|{2**40 + n}" for n in range(1, 4)]
    lines += ["1.3.6.1.2.1.47.1.1.1.1.2.1|4|chassis"]
    (directory / "uneven.snmprec").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def uneven_agent(tmp_path_factory):
    directory = tmp_path_factory.mktemp("uneven")
    _snmprec(directory)
    with SimAgent(directory, [(LOOPBACK, free_udp_port())]) as agent:
        yield agent


UNEVEN = [f"{IF_ENTRY}.2", f"{IF_ENTRY}.10", f"{IFX_ENTRY}.18", f"{IFX_ENTRY}.1", f"{IFX_ENTRY}.6"]


@pytest.mark.parametrize("version", ["v1", "v2c"])
@pytest.mark.parametrize("start", [25, 4, 1])
def test_short_and_absent_columns_end_alone_and_keep_their_indexes(uneven_agent, version, start):
    target = sim_target(uneven_agent, "uneven", version=version)
    table, _session = walk(target, UNEVEN, adaptive=MaxRepetitions(start=start))
    assert list(table) == UNEVEN
    assert table[f"{IF_ENTRY}.2"] == {str(n): f"port{n}".encode() for n in range(1, ROWS + 1)}
    assert table[f"{IF_ENTRY}.10"] == {str(n): n * 1000 for n in range(1, ROWS + 1) if n != 5}
    assert table[f"{IFX_ENTRY}.18"] == {}  # ifAlias: not in this agent
    assert table[f"{IFX_ENTRY}.1"] == {str(n): f"Gi0/{n}".encode() for n in range(1, ROWS + 1)}
    hc_rows = {str(n): 2**40 + n for n in range(1, 4)}
    assert table[f"{IFX_ENTRY}.6"] == (hc_rows if version == "v2c" else {})  # v1: no Counter64


def test_lost_big_answers_halve_max_repetitions_and_the_table_still_comes_back(snmpd):
    direct = snmpd_target(snmpd)
    reference = walk(direct, STATIC_COLUMNS, per_column=True)
    with DelayingRelay((snmpd.address, snmpd.port), 0.0, max_reply_bytes=600) as relay:
        target = SnmpTarget(
            LOOPBACK, relay.port, community=snmpd.community, timeout_s=0.3, retries=0
        )
        adaptive = MaxRepetitions()
        table, _session = walk(target, STATIC_COLUMNS, adaptive=adaptive)
        assert relay.dropped > 0
    assert table == reference
    assert adaptive.get(target.key) < 25  # remembered for this target's next walks


def test_answers_that_never_fit_end_in_a_timeout_not_a_loop(snmpd):
    with DelayingRelay((snmpd.address, snmpd.port), 0.0, max_reply_bytes=40) as relay:
        target = SnmpTarget(
            LOOPBACK, relay.port, community=snmpd.community, timeout_s=0.2, retries=0
        )
        adaptive = MaxRepetitions()
        with pytest.raises(SnmpTimeout):
            walk(target, STATIC_COLUMNS, adaptive=adaptive)
    assert adaptive.get(target.key) == adaptive.floor
