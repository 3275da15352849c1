"""Production settings pass Django's deployment checks and refuse to start without a secret key."""

import os
import subprocess
import sys


def run_check(extra_env: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "jiceng.settings", "JICENG_DATA_DIR": str(tmp_path), **extra_env})
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_check({"JICENG_PRODUCTION": "1", "JICENG_SECRET_KEY": "x" * 20 + "production-secret-key-0123456789"
                        + "abcdefghijklmnopqrstuv"}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_refuses(tmp_path):
    result = run_check({"JICENG_PRODUCTION": "1"}, tmp_path)
    assert result.returncode != 0 and "JICENG_SECRET_KEY" in result.stderr
