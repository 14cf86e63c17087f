"""The simulated devices: one builder per kind, and the rates tests check against."""

from collections.abc import Callable
from dataclasses import dataclass

from monitoring.simnet.mibs import (
    Interface,
    Records,
    Storage,
    gauge,
    hr_processor_load,
    hr_storage,
    integer,
    interfaces,
    swing,
    system,
    text,
)

CISCO_PROCESS = "1.3.6.1.4.1.9.9.109.1.1.1.1"  # cpmCPUTotalEntry
CISCO_MEMPOOL = "1.3.6.1.4.1.9.9.48.1.1.1"  # ciscoMemoryPoolEntry
UCD = "1.3.6.1.4.1.2021"
FORTIGATE_SYSTEM = "1.3.6.1.4.1.12356.101.4.1"
JNX_OPERATING = "1.3.6.1.4.1.2636.3.1.13.1"
WRAP32_IN_OCTETS_PER_S = 1_000_000_000  # wraps 2^32 every ~4.3 s


@dataclass(frozen=True)
class DeviceKind:
    sys_object_id: str
    sys_descr: str
    sys_name: str
    interfaces: tuple[Interface, ...]
    extra: Callable[[], Records] = dict
    has_if_x_table: bool = True

    def records(self, kind: str) -> Records:
        recs = system(self.sys_descr, self.sys_object_id, self.sys_name, 7_517_334, "WARD lab")
        recs |= interfaces(list(self.interfaces), seed=kind, has_if_x_table=self.has_if_x_table)
        return recs | self.extra()


def _cisco_cpu(index: int, five_sec: tuple, one_min: tuple, five_min: tuple) -> Records:
    x = str(index)
    return {
        f"{CISCO_PROCESS}.2.{x}": integer(1000 + index),  # cpmCPUTotalPhysicalIndex
        f"{CISCO_PROCESS}.6.{x}": swing(*five_sec, rate=0.2),  # cpmCPUTotal5secRev
        f"{CISCO_PROCESS}.7.{x}": swing(*one_min, rate=0.04),  # cpmCPUTotal1minRev
        f"{CISCO_PROCESS}.8.{x}": swing(*five_min, rate=0.01),  # cpmCPUTotal5minRev
    }


def _cisco_mempool(pools: dict[int, tuple[str, int, int]]) -> Records:
    recs: Records = {}
    for index, (name, used_bytes, free_bytes) in pools.items():
        recs |= {
            f"{CISCO_MEMPOOL}.2.{index}": text(name),
            f"{CISCO_MEMPOOL}.5.{index}": swing(used_bytes, used_bytes // 100, 0.01),
            f"{CISCO_MEMPOOL}.6.{index}": swing(free_bytes, -(used_bytes // 100), 0.01),
        }
    return recs


ISR_IFACES = (
    Interface(1, "Gi0/0/0", 1000, 22_500_000, 5_600_000, descr="GigabitEthernet0/0/0", alias="WAN"),
    Interface(2, "Gi0/0/1", 1000, 4_100_000, 16_800_000, descr="GigabitEthernet0/0/1"),
    Interface(3, "Gi0/0/2", 1000, 1_450_000, 5_650_000, descr="GigabitEthernet0/0/2"),
    Interface(4, "Nu0", 10_000, descr="Null0", if_type=1),
    Interface(5, "Lo0", 8000, descr="Loopback0", if_type=24),
    Interface(6, "Tu1", 0, oper_up=False, descr="Tunnel1", if_type=131, alias="backup VPN"),
)
ISR_DESCR = (
    "Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), "
    "Version 16.9.4, RELEASE SOFTWARE (fc2)\r\nTechnical Support: "
    "http://www.cisco.com/techsupport\r\nCopyright (c) 1986-2019 by Cisco Systems, Inc."
)


def _isr_extra() -> Records:
    return _cisco_cpu(7, (14, 9), (12, 3), (11, 1)) | _cisco_mempool(
        {1: ("Processor", 412_000_000, 1_480_000_000), 2: ("lsmpi_io", 6_294_304, 824)}
    )


def _catalyst_ifaces() -> tuple[Interface, ...]:
    ports = [Interface(1, "Vl1", 1000, 8_000, 6_500, descr="Vlan1", if_type=53)]
    for n in [*range(1, 25), *range(49, 53)]:
        up = n <= 18 or n == 49
        rate_out = 900_000 // n if n <= 18 else 0
        rate_in = 210_000 // n if n <= 18 else 0
        if n == 49:
            rate_in, rate_out = 5_650_000, 1_450_000
        ports.append(
            Interface(
                10100 + n,
                f"Gi1/0/{n}",
                1000 if up else 10,
                rate_in,
                rate_out,
                oper_up=up,
                descr=f"GigabitEthernet1/0/{n}",
            )
        )
    return tuple(ports)


JUNIPER_IFACES = (
    Interface(1, "fxp0", 1000, 3_000, 2_400),
    Interface(6, "lo0", 0, if_type=24),
    Interface(13, "fxp0.0", 1000, 3_000, 2_400, if_type=53),
    Interface(16, "lo0.0", 0, if_type=24),
    Interface(522, "et-0/0/0", 100_000, 1_650_000_000, 612_000_000, mtu=9192),
    Interface(523, "et-0/0/1", 100_000, 598_000_000, 1_630_000_000, mtu=9192),
    Interface(524, "xe-0/1/0", 10_000, 120_000_000, 85_000_000, mtu=9192),
    Interface(525, "xe-0/1/1", 10_000, oper_up=False, mtu=9192),
)


def _juniper_extra() -> Records:
    return {
        f"{JNX_OPERATING}.8.9.1.0.0": swing(6, 4, 0.1),  # jnxOperatingCPU, Routing Engine
        f"{JNX_OPERATING}.8.7.1.0.0": swing(21, 6, 0.1),  # jnxOperatingCPU, FPC 0
    }


MIKROTIK_IFACES = (
    Interface(1, "ether1", 1000, 9_800_000, 2_300_000),
    Interface(2, "ether2", 1000, 2_250_000, 9_600_000),
    Interface(3, "ether3", 1000, oper_up=False),
    Interface(4, "sfp-sfpplus1", 10_000, oper_up=False),
    Interface(5, "bridge-lan", 1000, 2_250_000, 9_600_000, if_type=209),
)


def _mikrotik_extra() -> Records:
    return hr_processor_load({1: (9, 5), 2: (7, 4), 3: (6, 4), 4: (8, 5)}) | hr_storage(
        [
            Storage(
                65536, "ram", "main memory", 1024, 4_194_304, swing(1_020_000, 40_000, 0.02, "2")
            ),
            Storage(131072, "disk", "system disk", 1024, 131_072, integer(24_310)),
        ]
    )


LINUX_IFACES = (
    Interface(1, "lo", 10, 41_000, 41_000, if_type=24, mtu=65536),
    Interface(2, "eth0", 1000, 1_450_000, 6_900_000),
    Interface(3, "eth1", 10_000, 18_200_000, 4_300_000, mtu=9000),
)
LINUX_MEM_TOTAL_KB = 16_372_032
LINUX_MEM_USED_KB = 9_841_220


def _linux_extra() -> Records:
    avail = LINUX_MEM_TOTAL_KB - LINUX_MEM_USED_KB
    recs: Records = {
        f"{UCD}.4.5.0": integer(LINUX_MEM_TOTAL_KB),  # memTotalReal, kB
        f"{UCD}.4.6.0": swing(avail, -180_000, 0.015, "2"),  # memAvailReal, kB
        f"{UCD}.11.9.0": integer(18),  # ssCpuUser, %
        f"{UCD}.11.10.0": integer(5),  # ssCpuSystem, %
        f"{UCD}.11.11.0": integer(75),  # ssCpuIdle, %
        f"{UCD}.11.50.0": ("65:numeric", "rate=72,initial=81234567,wrap=1"),  # ssCpuRawUser
        f"{UCD}.11.52.0": ("65:numeric", "rate=20,initial=22345678,wrap=1"),  # ssCpuRawSystem
        f"{UCD}.11.53.0": ("65:numeric", "rate=300,initial=391234567,wrap=1"),  # ssCpuRawIdle
    }
    for n, (name, load) in enumerate(
        (("Load-1", "0.92"), ("Load-5", "0.81"), ("Load-15", "0.77")), 1
    ):
        recs |= {
            f"{UCD}.10.1.1.{n}": integer(n),
            f"{UCD}.10.1.2.{n}": text(name),
            f"{UCD}.10.1.3.{n}": text(load),  # laLoad
            f"{UCD}.10.1.5.{n}": integer(int(float(load) * 100)),  # laLoadInt
        }
    storage = [
        Storage(
            1,
            "ram",
            "Physical memory",
            1024,
            LINUX_MEM_TOTAL_KB,
            swing(LINUX_MEM_USED_KB, 180_000, 0.015, "2"),
        ),
        Storage(3, "virtual", "Virtual memory", 1024, 20_566_332, integer(10_102_112)),
        Storage(31, "disk", "/", 4096, 7_669_739, integer(2_312_422)),
        Storage(36, "disk", "/var", 4096, 12_868_467, ("2:numeric", "rate=2,initial=5102390")),
    ]
    loads = {196608: (21, 9), 196609: (18, 8), 196610: (24, 10), 196611: (17, 7)}
    return recs | hr_storage(storage) | hr_processor_load(loads)


WINDOWS_IFACES = (
    Interface(1, "loopback_0", 1073, if_type=24, descr="Software Loopback Interface 1"),
    Interface(6, "ethernet_32768", 10_000, 2_650_000, 810_000, descr="vmxnet3 Ethernet Adapter\0"),
)


def _windows_extra() -> Records:
    storage = [
        Storage(
            1,
            "disk",
            r"C:\ Label:System  Serial Number 6a4e1f3c",
            4096,
            26_083_327,
            integer(11_020_417),
        ),
        Storage(
            2,
            "disk",
            r"D:\ Label:Data  Serial Number 2c81d0aa",
            4096,
            52_428_543,
            ("2:numeric", "rate=3,initial=20112740"),
        ),
        Storage(3, "virtual", "Virtual Memory", 65536, 147_455, swing(80_000, 4_000, 0.02, "2")),
        Storage(4, "ram", "Physical Memory", 65536, 131_071, swing(72_000, 4_000, 0.02, "2")),
    ]
    return hr_storage(storage) | hr_processor_load(
        {4: (23, 11), 5: (19, 10), 6: (27, 12), 7: (21, 9)}
    )


PRINTER_IFACES = (Interface(1, "HP ETHERNET MULTI-ENVIRONMENT", 100, 2_100, 900),)

FORTIGATE_IFACES = (
    Interface(1, "wan1", 1000, 3_100_000, 780_000),
    Interface(2, "wan2", 1000, oper_up=False),
    Interface(3, "dmz", 1000, 410_000, 1_200_000),
    Interface(4, "internal", 1000, 720_000, 2_950_000),
)


def _fortigate_extra() -> Records:
    return {
        f"{FORTIGATE_SYSTEM}.1.0": text("v7.2.8,build1639,240313 (GA.M)"),  # fgSysVersion
        f"{FORTIGATE_SYSTEM}.3.0": swing(7, 4, 0.1),  # fgSysCpuUsage, %
        f"{FORTIGATE_SYSTEM}.4.0": swing(58, 2, 0.02),  # fgSysMemUsage, %
        f"{FORTIGATE_SYSTEM}.5.0": gauge(1_899_328),  # fgSysMemCapacity, kB
    }


# ifInOctets starts 2 s below 2^32 at agent start, then wraps every ~4.3 s.
WRAP32_IFACES = (
    Interface(
        1,
        "wan0",
        10_000,
        WRAP32_IN_OCTETS_PER_S,
        1_000_000,
        in_octets_initial=2**32 - 2 * WRAP32_IN_OCTETS_PER_S,
    ),
)


def _renumbered(ifaces: tuple[Interface, ...]) -> tuple[Interface, ...]:
    """Same ifNames, other ifIndex values: what a reload with a new line card does."""
    from dataclasses import replace

    return tuple(replace(i, index=100 + len(ifaces) - n) for n, i in enumerate(ifaces))


DEVICE_KINDS: dict[str, DeviceKind] = {
    "cisco-ios-router": DeviceKind(
        "1.3.6.1.4.1.9.1.2068", ISR_DESCR, "edge-rtr-01", ISR_IFACES, _isr_extra
    ),
    "cisco-catalyst-switch": DeviceKind(
        "1.3.6.1.4.1.9.1.1208",
        "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E3, "
        "RELEASE SOFTWARE (fc3)\r\nTechnical Support: http://www.cisco.com/techsupport",
        "access-sw-01",
        _catalyst_ifaces(),
        lambda: (
            _cisco_cpu(1, (9, 6), (8, 2), (8, 1))
            | _cisco_mempool(
                {1: ("Processor", 42_000_000, 88_000_000), 2: ("I/O", 9_000_000, 16_000_000)}
            )
        ),
    ),
    "juniper-mx": DeviceKind(
        "1.3.6.1.4.1.2636.1.1.1.2.144",
        "Juniper Networks, Inc. mx204 internet router, kernel JUNOS 21.4R3-S5.4, "
        "Build date: 2023-09-21 05:05:12 UTC Copyright (c) 1996-2023 Juniper Networks, Inc.",
        "border-mx-01",
        JUNIPER_IFACES,
        _juniper_extra,
    ),
    "mikrotik-router": DeviceKind(
        "1.3.6.1.4.1.14988.1",
        "RouterOS CCR2004-16G-2S+",
        "gw-branch-02",
        MIKROTIK_IFACES,
        _mikrotik_extra,
    ),
    "linux-server": DeviceKind(
        "1.3.6.1.4.1.8072.3.2.10",
        "Linux web-01 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01) x86_64",
        "web-01",
        LINUX_IFACES,
        _linux_extra,
    ),
    "windows-server": DeviceKind(
        "1.3.6.1.4.1.311.1.1.3.1.2",
        "Hardware: Intel64 Family 6 Model 85 Stepping 7 AT/AT COMPATIBLE - Software: Windows "
        "Version 6.3 (Build 17763 Multiprocessor Free)",
        "APPSRV01",
        WINDOWS_IFACES,
        _windows_extra,
    ),
    "hp-printer": DeviceKind(
        "1.3.6.1.4.1.11.2.3.9.1",
        "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT,JD153,EEPROM JSI23900012,"
        "CIDATE 05/17/2023",
        "NPI3A5C21",
        PRINTER_IFACES,
        has_if_x_table=False,
    ),
    "fortigate-firewall": DeviceKind(
        "1.3.6.1.4.1.12356.101.1.644",
        "FortiGate-60F",
        "fw-branch-01",
        FORTIGATE_IFACES,
        _fortigate_extra,
    ),
    "wrap32": DeviceKind(
        "1.3.6.1.4.1.8072.3.2.10", "Linux wrap32 test box", "wrap-01", WRAP32_IFACES
    ),
    "ifindex-renumbered": DeviceKind(
        "1.3.6.1.4.1.9.1.2068", ISR_DESCR, "edge-rtr-01", _renumbered(ISR_IFACES), _isr_extra
    ),
}


def _rates(kind: DeviceKind) -> dict[str, tuple[float, float]]:
    return {
        i.name: (i.in_octets_per_s, i.out_octets_per_s) if i.oper_up else (0, 0)
        for i in kind.interfaces
    }


# EXPECTED_RATES[kind][ifName] = (in_octets_per_s, out_octets_per_s). The printer has
# no ifXTable, so its key is the ifDescr. Down interfaces are (0, 0).
EXPECTED_RATES: dict[str, dict[str, tuple[float, float]]] = {
    name: _rates(kind) for name, kind in DEVICE_KINDS.items()
}
