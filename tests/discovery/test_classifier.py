"""Classification rules: each one exercised, fallbacks, and the real recordings."""

import asyncio

import pytest

from discovery.classifier import classify, probe_all, target_for
from discovery.rules import all_rule_names
from tests.discovery.conftest import EXPECTED, SYS_NAMES

ENT = "1.3.6.1.4.1."
# (sysObjectID, sysDescr, vendor, type, template)
CASES = [
    (ENT + "9.1.1208", "", "Cisco", "switch", "Cisco IOS"),
    (ENT + "9.1.516", "", "Cisco", "switch", "Cisco IOS"),
    (ENT + "9.1.716", "", "Cisco", "switch", "Cisco IOS"),
    (ENT + "9.1.2068", "", "Cisco", "router", "Cisco IOS"),
    (ENT + "9.1.2069", "", "Cisco", "router", "Cisco IOS"),
    (ENT + "9.1.9999", "", "Cisco", "router", "Cisco IOS"),
    (ENT + "11.2.3.9.1", "", "HP", "printer", "Generic SNMP"),
    (ENT + "11.2.3.7.11.160", "", "HP", "switch", "Generic SNMP"),
    (ENT + "11.5.7.5.2", "", "HP", "unknown", "Generic SNMP"),
    (ENT + "8072.3.2.10", "", "Linux", "server", "Linux"),
    (ENT + "8072.3.2.8", "", "FreeBSD", "server", "Generic SNMP"),
    (ENT + "8072.3.2.13", "", "Microsoft", "server", "Windows"),
    (ENT + "8072.3.2.255", "Linux nas 5.10", "net-snmp", "server", "Linux"),
    (ENT + "2636.1.1.1.2.144", "Juniper Networks, Inc. mx204 router, kernel JUNOS 21.4",
     "Juniper", "router", "Generic SNMP"),
    (ENT + "2636.1.1.1.2.99", "Juniper Networks srx345, kernel JUNOS 20.4", "Juniper",
     "firewall", "Generic SNMP"),
    (ENT + "2636.1.1.1.2.30", "Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS",
     "Juniper", "switch", "Generic SNMP"),
    (ENT + "2011.2.23.96", "Huawei Versatile Routing Platform Software VRP (S5720 V200R011)",
     "Huawei", "switch", "Generic SNMP"),
    (ENT + "2011.2.224.1", "Huawei Versatile Routing Platform Software AR2220", "Huawei",
     "router", "Generic SNMP"),
    (ENT + "14988.1", "RouterOS CCR2004", "MikroTik", "router", "Generic SNMP"),
    (ENT + "47196.4.1.1.1.20", "", "Aruba", "switch", "Generic SNMP"),
    (ENT + "14823.1.2.80", "", "Aruba", "access_point", "Generic SNMP"),
    (ENT + "12356.101.1.644", "FortiGate-60F", "Fortinet", "firewall", "Generic SNMP"),
    (ENT + "41112.1.6", "", "Ubiquiti", "access_point", "Generic SNMP"),
    (ENT + "311.1.1.3.1.2", "", "Microsoft", "server", "Windows"),
    (ENT + "25461.2.3.36", "", "Palo Alto Networks", "firewall", "Generic SNMP"),
    (ENT + "30065.1.3011.7050", "", "Arista", "switch", "Generic SNMP"),
    (ENT + "674.10892.5", "", "Dell", "server", "Generic SNMP"),
    (ENT + "6574.1", "", "Synology", "server", "Linux"),
    (ENT + "318.1.3.27", "", "APC", "unknown", "Generic SNMP"),
    (ENT + "6027.1.3.23", "", "Dell", "switch", "Generic SNMP"),
    (ENT + "3375.2.1.3.4.43", "", "F5", "unknown", "Generic SNMP"),
    # Unknown enterprise: the sysDescr decides.
    ("1.3.6.1.4.1.99999.1", "Cisco Adaptive Security Appliance Version 9.8", "Cisco",
     "firewall", "Generic SNMP"),
    ("", "Cisco NX-OS(tm) n9000, Software (n9000-dk9)", "Cisco", "switch", "Generic SNMP"),
    ("", "Cisco IOS Software, C3750E Software (C3750E-UNIVERSALK9-M)", "Cisco", "switch",
     "Cisco IOS"),
    ("", "Cisco IOS XE Software, Version 17.03.04a", "Cisco", "router", "Cisco IOS"),
    ("", "Cisco IOS Software, 1900 Software (C1900-UNIVERSALK9-M)", "Cisco", "router",
     "Cisco IOS"),
    ("", "Juniper Networks, Inc. srx300 internet router, kernel JUNOS 19.4", "Juniper",
     "firewall", "Generic SNMP"),
    ("", "Juniper Networks, Inc. qfx5100-48s-6q Ethernet Switch, kernel JUNOS 18.4", "Juniper",
     "switch", "Generic SNMP"),
    ("", "Juniper Networks, Inc. mx480 internet router, kernel JUNOS 21.4", "Juniper", "router",
     "Generic SNMP"),
    ("", "RouterOS RB4011iGS+", "MikroTik", "router", "Generic SNMP"),
    ("", "FortiGate-100F v7.2", "Fortinet", "firewall", "Generic SNMP"),
    ("", "Palo Alto Networks PA-3220 series firewall", "Palo Alto Networks", "firewall",
     "Generic SNMP"),
    ("", "Huawei Versatile Routing Platform Software VRP AR6120", "Huawei", "router",
     "Generic SNMP"),
    ("", "Huawei Versatile Routing Platform S6730-H", "Huawei", "switch", "Generic SNMP"),
    ("", "Arista Networks EOS version 4.28.3M running on an Arista DCS-7050SX3", "Arista",
     "switch", "Generic SNMP"),
    ("", "HP ETHERNET MULTI-ENVIRONMENT,JETDIRECT,JD153", "", "printer", "Generic SNMP"),
    ("", "Hardware: Intel64 - Software: Windows Version 6.3 (Build 17763)", "Microsoft",
     "server", "Windows"),
    ("", "Linux db-02 5.15.0-91-generic #101-Ubuntu SMP x86_64", "Linux", "server", "Linux"),
    ("", "FreeBSD fw.example 13.2-RELEASE", "FreeBSD", "server", "Generic SNMP"),
]  # fmt: skip


@pytest.mark.parametrize(("oid", "descr", "vendor", "device_type", "template"), CASES)
def test_rule_table_gives_vendor_type_and_template(oid, descr, vendor, device_type, template):
    got = classify(oid, descr)
    assert (got.vendor, got.device_type, got.template) == (vendor, device_type, template)


def test_every_rule_is_exercised_by_a_case():
    used = {name for oid, descr, *_ in CASES for name in classify(oid, descr).rules}
    assert set(all_rule_names()) - used == set()


def test_unknown_object_id_falls_back_to_sysdescr():
    got = classify("1.3.6.1.4.1.424242.7", "Linux box 6.1.0 x86_64")
    assert (got.vendor, got.device_type, got.template) == ("Linux", "server", "Linux")
    assert got.rules == ("linux",)


def test_unknown_object_id_and_descr_give_unknown():
    got = classify("1.3.6.1.4.1.424242.7", "Mystery appliance v2")
    assert (got.vendor, got.device_type, got.template) == ("", "unknown", "")


@pytest.mark.parametrize(
    ("oid", "descr"),
    [(None, None), ("", ""), ("not.an.oid", "\x00\xff"), (".1.3.6.1.4.1.", "("),
     ("1.3.6.1.4.1.abc.1", "[unclosed"), ("1.3.6.1.2.1.1", "")],
)  # fmt: skip
def test_odd_inputs_never_raise(oid, descr):
    assert classify(oid, descr).device_type in ("unknown", "server", "router")


def test_leading_dot_in_object_id_is_accepted():
    assert classify(".1.3.6.1.4.1.9.1.1208", "").device_type == "switch"


def test_each_recording_is_named_correctly_over_snmp(lab, credential, wrong_credential):
    specs = [target_for(wrong_credential), target_for(credential)]  # the wrong one first
    answers = asyncio.run(probe_all(lab.snmp_addresses + lab.no_snmp_addresses, specs))
    assert set(answers) == set(lab.snmp_addresses)
    for kind, address in lab.by_kind.items():
        answer = answers[address]
        assert answer.credential_id == credential.pk
        assert answer.sys_name == SYS_NAMES[kind]
        got = classify(answer.sys_object_id, answer.sys_descr)
        assert (got.vendor, got.device_type, got.template) == EXPECTED[kind], kind
