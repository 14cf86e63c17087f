"""deploy/: compose accepts the compose file, and the example env file documents every setting."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# env.str("NAME", ...), env.db("DATABASE_URL"), env_raw.str("SECRET_KEY"), ...
ENV_READ = re.compile(r"\benv\w*\.\w+\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def compose_command() -> list[str]:
    """`docker compose` (v2 plugin) when installed, else docker-compose (Debian's 1.29)."""
    docker = shutil.which("docker")
    if docker:
        plugin = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if plugin.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.fail(
        "neither `docker compose` nor `docker-compose` is installed: "
        "scripts/test-services.sh installs docker-compose",
        pytrace=False,
    )


def settings_read() -> set[str]:
    names = set()
    for path in (ROOT / "wardflux" / "settings").glob("*.py"):
        names |= set(ENV_READ.findall(path.read_text()))
    return names


def test_it_finds_the_settings_the_code_reads():
    # Guards the regex itself: a pattern that matched nothing would pass the test below.
    assert {"DATABASE_URL", "SECRET_KEY", "CELERY_BROKER_URL", "METRICS_BACKEND"} <= (
        settings_read()
    )


def test_example_env_file_documents_every_setting_read_in_settings():
    documented = set(ENV_LINE.findall((DEPLOY / "wardflux.env.example").read_text()))
    missing = sorted(settings_read() - documented)
    assert not missing, f"add to deploy/wardflux.env.example: {missing}"


def test_compose_accepts_the_compose_file(tmp_path):
    copy = tmp_path / "deploy"
    shutil.copytree(DEPLOY, copy)
    shutil.copy(copy / "wardflux.env.example", copy / "wardflux.env")
    (copy / "secrets").mkdir()
    (copy / "secrets" / "db_password").write_text("not-a-real-password\n")
    out = subprocess.run(
        [*compose_command(), "-f", str(copy / "docker-compose.yml"), "config"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    services = yaml.safe_load(out.stdout)["services"]
    assert {"migrate", "web", "worker", "beat", "nginx", "db", "redis", "victoriametrics"} <= set(
        services
    )
    web = [str(part) for part in services["web"]["command"]]
    assert web[web.index("--timeout") + 1] == "75", web
    for name in ("web", "worker", "nginx", "db", "redis", "victoriametrics"):
        assert "healthcheck" in services[name], name


def test_gunicorn_the_images_run_is_pinned_in_requirements():
    pinned = (ROOT / "requirements" / "base.txt").read_text()
    assert re.search(r"^gunicorn==\d", pinned, re.MULTILINE)
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "--timeout" in dockerfile and '"75"' in dockerfile
    unit = (DEPLOY / "systemd" / "wardflux-web.service").read_text()
    assert "--timeout 75" in unit
