"""`jiceng serve` as production runs it, on PostgreSQL: several users at once right after the start each get
exactly their own scope, and the threaded server keeps its database connections bounded.

The server runs in a subprocess against the test database itself: the test's rows are committed
(transactional test), the server's `migrate` finds nothing to do, and the test database is flushed as usual.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

import jiceng
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

APP_NAME = "jiceng-serve-test"


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("connections shared across processes and per-thread connections are PostgreSQL's")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"


def start_server(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JICENG_", "DJANGO_", "PG"))}
    src = str(Path(jiceng.__file__).resolve().parents[1])
    env.update({
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "JICENG_DATABASE_URL": database_url(),
        "JICENG_DATA_DIR": str(tmp_path),
        "PYTHONPATH": os.pathsep.join([src, env.get("PYTHONPATH", "")]),
        "PGAPPNAME": APP_NAME,  # libpq names the server's connections: counted in pg_stat_activity below
    })
    process = subprocess.Popen([sys.executable, "-m", "jiceng.cli", "serve", "--port", str(port), *args],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # noqa: S310
                assert response.status == 200
                return process, base
        except OSError:
            time.sleep(0.1)
    stop(process)
    pytest.fail("the server did not answer within 60 s")


def stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def get_names(base: str, token: str) -> tuple[int, object]:
    request = urllib.request.Request(f"{base}/api/enterprises/?page_size=500",  # noqa: S310
                                     headers={"Authorization": f"Token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = json.loads(response.read())
            return response.status, sorted(e["name"] for e in body["results"])
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()[:200]
    except OSError as exc:  # reset, timed out: counted as a wrong answer, not lost in a thread
        return 0, repr(exc)


@pytest.fixture
def scoped():
    """Four users whose scopes differ, each with an API token, and the enterprise names each must see."""
    t = f.district_tree()
    for name, at in [("一号楼甲", "building1"), ("一号楼乙", "building1"), ("创智园区丙", "park1"),
                     ("殷行丁", "building2"), ("殷行戊", "park2")]:
        f.enterprise(t[at], name=name)
    users = {
        "admin": (f.user("admin", "district_admin", t["district"]),
                  ["一号楼乙", "一号楼甲", "创智园区丙", "殷行丁", "殷行戊"]),
        "street1": (f.user("street1", "street_staff", t["street1"]), ["一号楼乙", "一号楼甲", "创智园区丙"]),
        "street2": (f.user("street2", "street_staff", t["street2"]), ["殷行丁", "殷行戊"]),
        "head": (f.user("head", "building_head", t["building1"]), ["一号楼乙", "一号楼甲"]),
    }
    return {name: (Token.objects.create(user=u).key, sorted(expected)) for name, (u, expected) in users.items()}


def hammer(base: str, scoped: dict, per_user: int) -> list[tuple[str, int, object]]:
    jobs = [(name, token) for name, (token, _expected) in scoped.items() for _ in range(per_user)]
    barrier = threading.Barrier(len(jobs))
    answers: list[tuple[str, int, object]] = []

    def ask(name: str, token: str) -> None:
        barrier.wait()
        answers.append((name, *get_names(base, token)))

    threads = [threading.Thread(target=ask, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_gunicorn_workers_right_after_start_serve_each_user_its_own_scope(scoped, tmp_path):
    process, base = start_server(tmp_path, "--workers", "4")
    try:
        # At once, as soon as the server answers: the window in which workers shared the master's connection.
        answers = hammer(base, scoped, per_user=16) + hammer(base, scoped, per_user=16)
    finally:
        output = stop(process)
    wrong = [(name, status, got) for name, status, got in answers if (status, got) != (200, scoped[name][1])]
    assert len(answers) == 128
    statuses = sorted({status for _name, status, _got in wrong})
    assert wrong == [], f"{len(wrong)} of 128 wrong (statuses {statuses}), e.g. {wrong[:3]}\n{output[-2000:]}"


def server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
        return cursor.fetchone()[0]


def test_threaded_server_keeps_database_connections_bounded(scoped, tmp_path):
    threads = 4
    process, base = start_server(tmp_path, "--threads", str(threads))
    try:
        answers = []
        for _round in range(4):
            answers += hammer(base, scoped, per_user=8)  # 32 requests at once, each on its own TCP connection
        open_connections = server_connections()
    finally:
        stop(process)
    assert len(answers) == 128
    assert [a for a in answers if (a[1], a[2]) != (200, scoped[a[0]][1])] == []
    # One per request thread, and the main thread's (its start-up checks read the migrations table).
    assert 1 <= open_connections <= threads + 1
