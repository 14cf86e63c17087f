"""Classification rules, as data: add a row here to teach discovery a new device.

Order of trial (classifier.classify):
1. ``OBJECT_ID_RULES``: product-specific sysObjectID prefixes; the longest prefix wins.
2. ``ENTERPRISES``: the enterprise number in sysObjectID (1.3.6.1.4.1.<n>...), which names
   the vendor; its type and template may be left empty for vendors that make many kinds.
3. ``DESCR_RULES``: sysDescr regexes, first match wins; they fill what 2 left empty and
   classify agents whose sysObjectID we do not know.
Enterprise numbers are IANA's (https://www.iana.org/assignments/enterprise-numbers).
Templates are the default template names (monitoring/default_templates.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitoring.choices import DeviceType as T

GENERIC = "Generic SNMP"
CISCO_IOS = "Cisco IOS"
LINUX = "Linux"
WINDOWS = "Windows"
ENTERPRISE_PREFIX = "1.3.6.1.4.1."


@dataclass(frozen=True)
class Rule:
    """What a match says. Empty ``device_type`` / ``template``: this rule does not know."""

    name: str
    vendor: str
    device_type: str = ""
    template: str = ""


@dataclass(frozen=True)
class ObjectIdRule(Rule):
    prefix: str = ""


@dataclass(frozen=True)
class DescrRule(Rule):
    pattern: re.Pattern | None = None


# Enterprise number -> rule (name "enterprise:<n>").
ENTERPRISES: dict[int, Rule] = {
    n: Rule(f"enterprise:{n}", vendor, device_type, template)
    for n, vendor, device_type, template in [
        (9, "Cisco", T.ROUTER, CISCO_IOS),  # ciscoProducts; Catalyst overridden below
        (2636, "Juniper", "", GENERIC),  # MX, EX, SRX, QFX: the sysDescr tells which
        (2011, "Huawei", "", GENERIC),  # VRP routers and switches alike
        (14988, "MikroTik", T.ROUTER, GENERIC),  # RouterOS
        (11, "HP", "", GENERIC),  # printers, ProCurve switches, servers
        (47196, "Aruba", T.SWITCH, GENERIC),  # HPE Aruba Networking (ArubaOS-CX)
        (14823, "Aruba", T.ACCESS_POINT, GENERIC),  # Aruba Networks controllers and APs
        (12356, "Fortinet", T.FIREWALL, GENERIC),  # FortiGate
        (41112, "Ubiquiti", T.ACCESS_POINT, GENERIC),  # UniFi / airMAX
        (311, "Microsoft", T.SERVER, WINDOWS),  # Windows SNMP service
        (8072, "net-snmp", "", ""),  # any Unix-like host: the sysDescr tells which
        (25461, "Palo Alto Networks", T.FIREWALL, GENERIC),  # PAN-OS
        (30065, "Arista", T.SWITCH, GENERIC),  # EOS
        (674, "Dell", T.SERVER, GENERIC),  # iDRAC / OpenManage
        (6574, "Synology", T.SERVER, LINUX),  # DSM (Linux NAS)
        (318, "APC", T.UNKNOWN, GENERIC),  # PowerNet UPS / PDU: no UPS type yet
        (6027, "Dell", T.SWITCH, GENERIC),  # Force10 / Dell Networking OS
        (3375, "F5", T.UNKNOWN, GENERIC),  # BIG-IP load balancers
    ]
}

OBJECT_ID_RULES: list[ObjectIdRule] = [
    ObjectIdRule(name, vendor, device_type, template, prefix=prefix)
    for name, prefix, vendor, device_type, template in [
        # CISCO-PRODUCTS-MIB: Catalyst switches are switches, ISRs routers.
        ("cisco-cat29xx-stack", "1.3.6.1.4.1.9.1.1208", "Cisco", T.SWITCH, CISCO_IOS),
        ("cisco-cat37xx-stack", "1.3.6.1.4.1.9.1.516", "Cisco", T.SWITCH, CISCO_IOS),
        ("cisco-cat2960-24tt", "1.3.6.1.4.1.9.1.716", "Cisco", T.SWITCH, CISCO_IOS),
        ("cisco-isr4331", "1.3.6.1.4.1.9.1.2068", "Cisco", T.ROUTER, CISCO_IOS),
        ("cisco-isr4351", "1.3.6.1.4.1.9.1.2069", "Cisco", T.ROUTER, CISCO_IOS),
        # HP: 11.2.3.9 is hpNetPeripheral (JetDirect printers), 11.2.3.7.11 ProCurve switches.
        ("hp-printer", "1.3.6.1.4.1.11.2.3.9", "HP", T.PRINTER, GENERIC),
        ("hp-procurve-switch", "1.3.6.1.4.1.11.2.3.7.11", "HP", T.SWITCH, GENERIC),
        # NET-SNMP-TC netSnmpAgentOIDs: which OS the agent was built for.
        ("net-snmp-linux", "1.3.6.1.4.1.8072.3.2.10", "Linux", T.SERVER, LINUX),
        ("net-snmp-freebsd", "1.3.6.1.4.1.8072.3.2.8", "FreeBSD", T.SERVER, GENERIC),
        ("net-snmp-win32", "1.3.6.1.4.1.8072.3.2.13", "Microsoft", T.SERVER, WINDOWS),
    ]
]

_I = re.IGNORECASE
DESCR_RULES: list[DescrRule] = [
    DescrRule(name, vendor, device_type, template, pattern=re.compile(regex, _I))
    for name, regex, vendor, device_type, template in [
        ("cisco-asa", r"Cisco Adaptive Security Appliance", "Cisco", T.FIREWALL, GENERIC),
        ("cisco-nxos", r"Cisco NX-OS|Cisco Nexus", "Cisco", T.SWITCH, GENERIC),
        (
            "cisco-catalyst",
            r"Cisco IOS.*\b(C2960|C3560|C3750|C3850|C9[23]00|CAT[0-9]|Catalyst)",
            "Cisco",
            T.SWITCH,
            CISCO_IOS,
        ),
        ("cisco-ios-xe", r"Cisco IOS[ -]XE|IOS-XE Software", "Cisco", T.ROUTER, CISCO_IOS),
        (
            "cisco-ios",
            r"Cisco IOS Software|Cisco Internetwork Operating",
            "Cisco",
            T.ROUTER,
            CISCO_IOS,
        ),  # fmt: skip
        ("junos-srx", r"JUNOS.*\bsrx|\bsrx\d+.*JUNOS", "Juniper", T.FIREWALL, GENERIC),
        ("junos-switch", r"\b(ex\d{4}|qfx\d+)\b.*JUNOS", "Juniper", T.SWITCH, GENERIC),
        ("junos", r"JUNOS", "Juniper", T.ROUTER, GENERIC),
        ("routeros", r"^RouterOS\b|MikroTik", "MikroTik", T.ROUTER, GENERIC),
        ("fortios", r"^FortiGate|FortiOS", "Fortinet", T.FIREWALL, GENERIC),
        ("panos", r"Palo Alto Networks", "Palo Alto Networks", T.FIREWALL, GENERIC),
        ("huawei-switch", r"Huawei.*\bS\d{4}", "Huawei", T.SWITCH, GENERIC),
        ("huawei-vrp", r"Huawei Versatile Routing Platform", "Huawei", T.ROUTER, GENERIC),
        ("arista-eos", r"Arista Networks EOS", "Arista", T.SWITCH, GENERIC),
        (
            "printer",
            r"JETDIRECT|LaserJet|\bPrinter\b|Lexmark|RICOH|KYOCERA|Brother NC-|XEROX|Canon iR",
            "",
            T.PRINTER,
            GENERIC,
        ),
        (
            "windows",
            r"Software: Windows|Windows Server|Microsoft Windows",
            "Microsoft",
            T.SERVER,
            WINDOWS,
        ),  # fmt: skip
        ("linux", r"^Linux\b", "Linux", T.SERVER, LINUX),
        ("freebsd", r"^FreeBSD\b", "FreeBSD", T.SERVER, GENERIC),
    ]
]


def all_rule_names() -> list[str]:
    """Every rule's name, for the test that each one is exercised."""
    return [
        *(r.name for r in ENTERPRISES.values()),
        *(r.name for r in OBJECT_ID_RULES),
        *(r.name for r in DESCR_RULES),
    ]
