"""The `icmp` health check and the worker start-up line both say which sockets work."""

import json
import logging
import os
import shutil
import subprocess
import sys

import pytest

from monitoring.icmp.health import check_icmp
from monitoring.icmp.tasks import log_icmp_socket_mode

WORKTREE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_health_reports_the_socket_mode(api):
    answer = api("admin").get("/api/v1/health")
    icmp = answer.json()["components"]["icmp"]
    assert icmp["ok"] is True and icmp["mode"] in {"raw", "dgram"}
    assert check_icmp()["mode"] == ("raw" if os.geteuid() == 0 else icmp["mode"])


def test_worker_start_logs_the_socket_mode_once(caplog):
    with caplog.at_level(logging.INFO, logger="monitoring.icmp.tasks"):
        log_icmp_socket_mode(sender=None)
    (record,) = [r for r in caplog.records if r.name == "monitoring.icmp.tasks"]
    assert record.getMessage().startswith("ICMP socket mode: ipv4: ")


def test_health_is_not_ok_with_the_reason_when_no_socket_works(netns_lab):
    # As nobody in the far namespace, where ping_group_range keeps the kernel default "1 0".
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to drop to nobody", pytrace=False)
    script = (
        "import json; from monitoring.icmp.health import check_icmp; "
        "print(json.dumps(check_icmp()))"
    )
    command = [
        "ip", "netns", "exec", netns_lab.far_name,
        "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", sys.executable, "-c", script,
    ]  # fmt: skip
    env = {"PYTHONPATH": WORKTREE, "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["ok"] is False and result["mode"] == "none"
    assert "ping_group_range" in result["error"] and "CAP_NET_RAW" in result["error"]
