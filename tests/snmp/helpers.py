import asyncio

from monitoring.simnet.agents import SimAgent
from monitoring.snmp import SnmpSession, SnmpTarget, Value
from tests.servers.snmpd import SnmpdServer, V3User

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"


def snmpd_target(server: SnmpdServer, **overrides) -> SnmpTarget:
    options = {"community": server.community, "timeout_s": 2.0, "retries": 0} | overrides
    return SnmpTarget(server.address, server.port, **options)


def v3_target(server: SnmpdServer, user: V3User, **overrides) -> SnmpTarget:
    options = {
        "version": "v3",
        "username": user.name,
        "security_level": user.security_level,
        "auth_protocol": user.auth_protocol,
        "auth_key": user.auth_key,
        "priv_protocol": user.priv_protocol,
        "priv_key": user.priv_key,
    } | overrides
    return snmpd_target(server, **options)


def sim_target(agent: SimAgent, community: str, **overrides) -> SnmpTarget:
    address, port = agent.endpoints[0]
    options = {"community": community, "timeout_s": 3.0, "retries": 1} | overrides
    return SnmpTarget(address, port, **options)


def get(target: SnmpTarget, oids: list[str]) -> dict[str, Value]:
    async def inner() -> dict[str, Value]:
        async with SnmpSession(target) as session:
            return await session.get(oids)

    return asyncio.run(inner())
