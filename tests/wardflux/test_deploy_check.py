import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key

ROOT = Path(__file__).resolve().parents[2]


# A key starting with "$" once made django-environ look up a variable of that name.
@pytest.mark.parametrize("prefix", ["", "$"], ids=["random key", "key starting with $"])
def test_check_deploy_is_clean_under_production_settings(tmp_path, prefix):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wardflux.settings.production",
        "SECRET_KEY": prefix + get_random_secret_key() + get_random_secret_key(),
        "WARD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "ward.example.net",
        "WARD_VAR_DIR": str(tmp_path),
    }
    env.pop("DEBUG", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_settings_refuse_to_start_without_secrets(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "WARD_ENCRYPTION_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="wardflux.settings.production", ALLOWED_HOSTS="x.example")
    env["WARD_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "SECRET_KEY" in done.stderr
