"""A tiny private network in Linux network namespaces, for ICMP tests.

    host  10.250.B.1/30 --veth-- 10.250.B.2/30  edge ns (router)
                                 10.250.B.5/30 --veth-- 10.250.B.6/30  far ns

B is a random /24 inside 10.250.0.0/16. On the host, 10.250.B.4/30 and the "silent" block
10.250.B.64/26 are routed into the edge ns; the edge ns blackholes the silent block, so its
addresses never answer. A host-side ``unreachable 10.250.B.0/24`` route (high metric) makes
sure nothing for the lab ever leaks to the default route, even with the link down.

Needs root (CAP_NET_ADMIN) and iproute2. Without them the ``netns_lab`` fixture FAILS with the
reason: these tests are about real packets and must not silently vanish.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import subprocess
from collections.abc import Iterator

import pytest

__all__ = ["NetnsLab", "NetnsUnavailable", "netns_lab"]

COMMAND_TIMEOUT_S = 10
BLOCK_ATTEMPTS = 8
SAFETY_NET_METRIC = 4000


class NetnsUnavailable(RuntimeError):
    pass


def _run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S)
    if done.returncode != 0:
        raise NetnsUnavailable(f"`{' '.join(args)}` failed: {done.stderr.strip()}")
    return done.stdout


class NetnsLab:
    def __init__(self) -> None:
        if os.geteuid() != 0:
            raise NetnsUnavailable(
                f"network namespaces need root (CAP_NET_ADMIN); running as uid {os.geteuid()}"
            )
        if shutil.which("ip") is None:
            raise NetnsUnavailable("iproute2 `ip` is not installed (apt-get install iproute2)")
        tag = secrets.token_hex(4)
        self.name = f"wf-test-{tag}"  # the edge namespace
        self.far_name = f"wf-test-{tag}-far"
        self.host_if, self.edge_if = f"wfh{tag}", f"wfe{tag}"
        self.inner_if, self.far_if = f"wfi{tag}", f"wff{tag}"
        self.block: str | None = None
        self._created: list[str] = []

    # Addresses, valid once set up.
    def _ip(self, last: int) -> str:
        return f"{self.block}.{last}"

    @property
    def host_address(self) -> str:
        return self._ip(1)

    @property
    def address(self) -> str:
        """The edge namespace's address on the host link: answers pings."""
        return self._ip(2)

    @property
    def far_address(self) -> str:
        """Two hops away, behind the edge namespace acting as a router."""
        return self._ip(6)

    def silent_addresses(self, count: int) -> list[str]:
        """Addresses routed into the edge namespace where nobody answers (blackholed)."""
        if not 1 <= count <= 62:
            raise ValueError("1..62 silent addresses")
        return [self._ip(65 + i) for i in range(count)]

    def in_ns(self, *args: str, ns: str | None = None) -> str:
        return _run("ip", "netns", "exec", ns or self.name, *args)

    def _claim_block(self) -> None:
        for _ in range(BLOCK_ATTEMPTS):
            block = f"10.250.{random.randrange(1, 255)}"
            try:
                _run(
                    "ip", "route", "add", "unreachable", f"{block}.0/24",
                    "metric", str(SAFETY_NET_METRIC),
                )  # fmt: skip
            except NetnsUnavailable:
                continue  # another lab holds this block
            self.block = block
            return
        raise NetnsUnavailable("no free 10.250.x.0/24 block for the lab")

    def setup(self) -> NetnsLab:
        self._claim_block()
        for ns in (self.name, self.far_name):
            _run("ip", "netns", "add", ns)
            self._created.append(ns)
            self.in_ns("ip", "link", "set", "lo", "up", ns=ns)
        _run("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.edge_if)
        _run("ip", "link", "set", self.edge_if, "netns", self.name)
        _run("ip", "addr", "add", f"{self._ip(1)}/30", "dev", self.host_if)
        _run("ip", "link", "set", self.host_if, "up")
        self.in_ns("ip", "addr", "add", f"{self._ip(2)}/30", "dev", self.edge_if)
        self.in_ns("ip", "link", "set", self.edge_if, "up")
        self.in_ns("ip", "link", "add", self.inner_if, "type", "veth", "peer", "name", self.far_if)
        self.in_ns("ip", "link", "set", self.far_if, "netns", self.far_name)
        self.in_ns("ip", "addr", "add", f"{self._ip(5)}/30", "dev", self.inner_if)
        self.in_ns("ip", "link", "set", self.inner_if, "up")
        far = self.far_name
        self.in_ns("ip", "addr", "add", f"{self._ip(6)}/30", "dev", self.far_if, ns=far)
        self.in_ns("ip", "link", "set", self.far_if, "up", ns=far)
        self.in_ns("ip", "route", "add", "default", "via", self._ip(5), ns=far)
        # The edge routes, and answers TTL expiry at once (no 1/s ICMP rate limit in tests).
        self.in_ns("sysctl", "-qw", "net.ipv4.ip_forward=1")
        self.in_ns("sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
        self.in_ns("ip", "route", "add", "blackhole", f"{self._ip(64)}/26")
        _run("ip", "route", "add", f"{self._ip(4)}/30", "via", self._ip(2))
        _run("ip", "route", "add", f"{self._ip(64)}/26", "via", self._ip(2))
        return self

    def link_down(self) -> None:
        """Cut the host link at the far end (the host side keeps its address and routes)."""
        self.in_ns("ip", "link", "set", self.edge_if, "down")

    def link_up(self) -> None:
        self.in_ns("ip", "link", "set", self.edge_if, "up")

    def teardown(self) -> None:
        # Deleting a namespace deletes its veth ends, which takes the host end with them.
        for ns in reversed(self._created):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True, timeout=10)
        if self.block:
            for route in (f"{self._ip(4)}/30", f"{self._ip(64)}/26"):
                subprocess.run(["ip", "route", "del", route], capture_output=True, timeout=10)
            subprocess.run(
                ["ip", "route", "del", "unreachable", f"{self.block}.0/24"],
                capture_output=True,
                timeout=10,
            )


@pytest.fixture(scope="module")
def netns_lab() -> Iterator[NetnsLab]:
    lab: NetnsLab | None = None
    try:
        lab = NetnsLab()
        lab.setup()
    except (NetnsUnavailable, OSError, subprocess.TimeoutExpired) as err:
        if lab is not None:
            lab.teardown()
        pytest.fail(f"netns lab unavailable: {err}", pytrace=False)
    try:
        yield lab
    finally:
        lab.teardown()
