"""Unprivileged mode: run as `nobody` inside the lab namespaces.

net.ipv4.ping_group_range is per network namespace, so we open it in the edge namespace
only and leave the far namespace at the kernel default ("1 0", nobody allowed); the host's
own setting is never touched.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

WORKTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOBODY = "65534"

SCRIPT = """
import json, sys
from monitoring.icmp.sockets import ClearError, probe_socket_mode
from monitoring.icmp.sweep import sweep_sync
try:
    mode = str(probe_socket_mode(4))
except ClearError as err:
    print(json.dumps({"error": str(err)}))
    sys.exit(0)
targets = sys.argv[1:]
results = sweep_sync(targets, count=3, interval_ms=20, timeout_s=1, privileged=False)
print(json.dumps({"mode": mode, "received": {a: r.received for a, r in results.items()}}))
"""


def _as_nobody(ns: str, *targets: str) -> dict:
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to drop to nobody", pytrace=False)
    command = [
        "ip", "netns", "exec", ns,
        "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all",
        sys.executable, "-c", SCRIPT, *targets,
    ]  # fmt: skip
    env = {"PYTHONPATH": WORKTREE, "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_nobody_uses_ping_sockets_when_ping_group_range_allows(netns_lab):
    netns_lab.in_ns("sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
    out = _as_nobody(netns_lab.name, "127.0.0.1", netns_lab.host_address, netns_lab.far_address)
    assert out["mode"] == "dgram"
    assert out["received"] == {
        "127.0.0.1": 3,
        netns_lab.host_address: 3,
        netns_lab.far_address: 3,
    }


def test_nobody_without_ping_group_range_gets_a_clear_error(netns_lab):
    out = _as_nobody(netns_lab.far_name, "127.0.0.1")
    assert "ping_group_range" in out["error"] and "'1 0'" in out["error"]
    assert "CAP_NET_RAW" in out["error"] and "uid 65534" in out["error"]
