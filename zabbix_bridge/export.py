"""The way out of Zabbix, or side by side: create Zabbix hosts for devices WARD FLUX polls.

Each device becomes a host with one SNMP interface carrying our credential (v1/v2c: the
community in a secret host macro; v3: the interface's USM details) and the generic SNMP
template, in one host group. Idempotent: a host that already exists (by technical name) is
left alone and linked.
"""

from monitoring.choices import AuthProtocol, PrivProtocol, SecurityLevel, SnmpVersion, Source
from monitoring.models import Device

from .client import ZabbixClient

INTERFACE_SNMP = 2
MACRO_SECRET = 1
SNMP_TEMPLATE = "Generic by SNMP"
COMMUNITY_MACRO = "{$SNMP_COMMUNITY}"
# Zabbix API interface details codes (host interface object, SNMP details).
SNMP_VERSION = {SnmpVersion.V1: 1, SnmpVersion.V2C: 2, SnmpVersion.V3: 3}
SECURITY_LEVEL = {
    SecurityLevel.NO_AUTH_NO_PRIV: 0,
    SecurityLevel.AUTH_NO_PRIV: 1,
    SecurityLevel.AUTH_PRIV: 2,
}
AUTH_PROTOCOL = {
    AuthProtocol.MD5: 0,
    AuthProtocol.SHA: 1,
    AuthProtocol.SHA224: 2,
    AuthProtocol.SHA256: 3,
    AuthProtocol.SHA384: 4,
    AuthProtocol.SHA512: 5,
}
PRIV_PROTOCOL = {
    PrivProtocol.DES: 0,
    PrivProtocol.AES128: 1,
    PrivProtocol.AES192: 2,
    PrivProtocol.AES256: 3,
}


def host_technical_name(device: Device) -> str:
    """Zabbix's `host` allows letters, digits, space, '.', '_' and '-' only."""
    return "".join(c if c.isalnum() or c in " ._-" else "_" for c in device.name)[:128]


def snmp_interface(device: Device) -> tuple[dict, list[dict]]:
    """(interface, host macros) for the device's credential."""
    cred = device.snmp_credential
    version = cred.version if cred else SnmpVersion.V2C
    details: dict = {"version": SNMP_VERSION[version], "bulk": 1}
    macros = []
    if version == SnmpVersion.V3:
        details.update(
            securityname=cred.username,
            contextname=cred.context,
            securitylevel=SECURITY_LEVEL[cred.security_level],
        )
        if cred.auth_protocol:
            details.update(
                authprotocol=AUTH_PROTOCOL[cred.auth_protocol], authpassphrase=cred.auth_key
            )
        if cred.priv_protocol:
            details.update(
                privprotocol=PRIV_PROTOCOL[cred.priv_protocol], privpassphrase=cred.priv_key
            )
    else:
        details["community"] = COMMUNITY_MACRO
        macros.append(
            {
                "macro": COMMUNITY_MACRO,
                "value": cred.community if cred else "public",
                "type": MACRO_SECRET,
            }
        )
    interface = {
        "type": INTERFACE_SNMP,
        "main": 1,
        "useip": 1,
        "ip": device.ip_address,
        "dns": "",
        "port": str(cred.port if cred else 161),
        "details": details,
    }
    return interface, macros


def ensure_group(client: ZabbixClient, name: str) -> str:
    found = client.get("hostgroup", {"output": ["groupid"], "filter": {"name": [name]}})
    if found:
        return found[0]["groupid"]
    return client.call("hostgroup.create", {"name": name})["groupids"][0]


def template_ids(client: ZabbixClient) -> list[dict]:
    found = client.get("template", {"output": ["templateid"], "filter": {"host": [SNMP_TEMPLATE]}})
    return [{"templateid": t["templateid"]} for t in found]


def export_devices(client: ZabbixClient, group: str, devices=None, progress=None) -> dict:
    """Create missing hosts for WARD FLUX-polled devices; returns counts."""
    devices = devices if devices is not None else Device.objects.filter(source=Source.WARDFLUX)
    groupid = ensure_group(client, group)
    templates = template_ids(client)
    counts = {"created": 0, "existing": 0}
    for device in devices.select_related("snmp_credential"):
        name = host_technical_name(device)
        found = client.get("host", {"output": ["hostid"], "filter": {"host": [name]}})
        if found:
            hostid = found[0]["hostid"]
            counts["existing"] += 1
        else:
            interface, macros = snmp_interface(device)
            hostid = client.call(
                "host.create",
                {
                    "host": name,
                    "name": device.name,
                    "groups": [{"groupid": groupid}],
                    "interfaces": [interface],
                    "macros": macros,
                    "templates": templates,
                },
            )["hostids"][0]
            counts["created"] += 1
        if device.zabbix_hostid != hostid:
            device.zabbix_hostid = hostid
            device.save(update_fields=["zabbix_hostid", "updated"])
        if progress is not None:
            progress.update(1)
    return counts
