"""Production settings pass Django's deployment checks and refuse to start without a secret key; nothing starts
with a public key unless DEBUG is on, and the demo still needs no configuration at all."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import jiceng
from jiceng.settings import PUBLIC_SECRET_KEYS

OLD_DEFAULT_KEY = "jiceng-development-only-key-not-for-production-use-0123456789"


def clean_env(tmp_path, extra_env: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DJANGO_"))}
    src = str(Path(jiceng.__file__).resolve().parents[1])
    env.update({"DJANGO_SETTINGS_MODULE": "jiceng.settings", "JICENG_DATA_DIR": str(tmp_path),
                "PYTHONPATH": os.pathsep.join([src, env.get("PYTHONPATH", "")]), **extra_env})
    return env


def run_check(extra_env: dict, tmp_path, *args: str) -> subprocess.CompletedProcess:
    args = args or ("--deploy", "--fail-level", "WARNING")
    return subprocess.run([sys.executable, "-m", "django", "check", *args],
                          env=clean_env(tmp_path, extra_env), capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_check({"JICENG_PRODUCTION": "1", "JICENG_SECRET_KEY": "x" * 20 + "production-secret-key-0123456789"
                        + "abcdefghijklmnopqrstuv"}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_secret_key_refuses(tmp_path):
    result = run_check({"JICENG_PRODUCTION": "1"}, tmp_path)
    assert result.returncode != 0 and "JICENG_SECRET_KEY" in result.stderr


def test_public_key_refused_unless_debug(tmp_path):
    for key in [OLD_DEFAULT_KEY, "change-me"]:
        result = run_check({"JICENG_SECRET_KEY": key}, tmp_path, "--fail-level", "ERROR")
        assert result.returncode != 0
        assert "JICENG_SECRET_KEY is a publicly known example value" in result.stderr
        assert "JICENG_DEBUG" in result.stderr  # the message says how to get out
    debug = run_check({"JICENG_SECRET_KEY": OLD_DEFAULT_KEY, "JICENG_DEBUG": "1"}, tmp_path, "--fail-level", "ERROR")
    assert debug.returncode == 0, debug.stderr


def test_without_a_key_a_private_one_is_generated_and_kept(tmp_path):
    first = run_check({}, tmp_path, "--fail-level", "ERROR")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50 and key not in PUBLIC_SECRET_KEYS
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # readable by the service's own user only
    again = run_check({}, tmp_path, "--fail-level", "ERROR")
    assert again.returncode == 0 and key_file.read_text().strip() == key  # sessions and signed links survive


def test_demo_needs_no_configuration(tmp_path):
    # A fresh machine: no environment at all, DEBUG off, an empty data directory.
    result = subprocess.run([sys.executable, "-m", "jiceng.cli", "demo", "--no-serve"], env=clean_env(tmp_path, {}),
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "演示账号" in result.stdout and "--no-serve" in result.stdout
    assert (tmp_path / "jiceng.sqlite3").exists() and (tmp_path / "secret_key").exists()
