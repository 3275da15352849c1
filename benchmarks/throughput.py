"""Throughput under wrk: a street officer's mixed workload against `jiceng serve --workers N` (issue 13).

Usage (a seeded database in JICENG_DATA_DIR or JICENG_DATABASE_URL; wrk installed, Debian package `wrk`):

    python benchmarks/throughput.py --workers 2,3,4 --duration 30 --output benchmarks/results/throughput-sqlite.md
    python benchmarks/throughput.py --url http://127.0.0.1:8000 --duration 30     # a server already running
    python benchmarks/throughput.py --workers 3 --check                             # exit 1 if the target is missed

What it does:
1. makes (or reuses) the street officer `bench-street_staff` of `jiceng bench --pages`, assigned to the street
   with the most enterprises (`jiceng.operations.sweep.ensure_role_users`), gives it a session (as a browser
   has after logging in) and an API token, and picks real ids in its scope: enterprises, demands,
   organizations and a building for the detail pages and the writes;
2. writes a wrk Lua script (in a temporary folder) that cycles a weighted mix — the workbench `/`, the demand,
   enterprise and member lists, the inbox, two API lists, three kinds of detail page, a search on the page and
   on the API, and about 5 % writes through the API with the token (a visit record, a demand taken by phone):
   `MIX` below;
3. for each worker count, starts `jiceng serve --workers N` on a free port (stdout, the access log, into the
   temporary folder), warms it up, runs `wrk --latency` for --duration at --connections, then wrk on /healthz
   for the same duration, and stops it;
4. prints (and with --output writes) a Markdown report: requests/s, latency p50/p90/p99/max, responses that
   are not 2xx (a redirect to the login page is an error here, unlike in wrk's own count), socket errors
   and timeouts, whether the target is met, the machine, the database, the row counts and this command line.
   With --per-request S it also runs each request of the mix alone (1 connection, S seconds) and shows each
   one's share of the server's time in the mix: what dominates.

Target (issue 13): at least 100 requests/s with p99 under 1 s and no errors, at 16 connections on 2 cores.

Write limits: the API allows 60 writes a minute per user (JICENG_THROTTLE_USER_WRITES, docs/deploy.md); the
mix writes about 5 a second, so the server this script starts gets JICENG_THROTTLE_USER_WRITES=--write-limit
(default 100000/min) in its environment. Nothing changes for any other server. Against --url, start the server
with that variable yourself or the writes come back 429 and count as errors.

The writes stay in the database unless removed: by default the visits and demands the run made (marked with
`MARKER` in their text) are deleted at the end; --keep-writes leaves them.

wrk counts a request slower than its --timeout as a timeout and leaves it out of the latencies, so the timeout
is 10 s here (well above the 1 s bound). Latencies are measured by wrk from sending a request to the end of
its answer, queueing in the server included; gunicorn's sync workers close each connection, so every request
also pays a TCP connect on loopback.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

TARGET_RPS = 100.0
TARGET_P99_MS = 1000.0
MARKER = "[吞吐量基准 throughput benchmark]"
ROLE = "street_staff"
RESULT_PREFIX = "JICENG-WRK "  # the line the Lua done() hook prints


# --- the mix -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """One kind of request in the mix; `paths` (and `bodies`) are rotated through, one per occurrence."""

    name: str
    weight: int
    paths: tuple[str, ...]
    method: str = "GET"
    auth: str = "session"  # "session" (a logged-in browser), "token" (an API client) or "none"
    bodies: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scope:
    """Real ids in the officer's scope, for the detail pages and the writes."""

    enterprises: tuple[int, ...]
    demands: tuple[int, ...]
    organizations: tuple[int, ...]
    place: int  # a building or area where demands are taken
    today: str  # ISO date (a visit may not be dated after today)


SEARCH = "科技"


def build_mix(scope: Scope) -> list[Kind]:
    """The street officer's day as weights out of 100: mostly lists and detail pages, ~5 % writes."""
    q = quote(SEARCH)
    visits = tuple(json.dumps({"enterprise": e, "date": scope.today, "notes": f"{MARKER} 走访记录",
                               "people_met": "办公室主任"}) for e in scope.enterprises)
    demands = tuple(json.dumps({"text": f"{MARKER} 企业来电反映停车位不足，希望协调周边车位。",
                                "title": "停车位不足", "place": scope.place, "source": "phone",
                                "requester_kind": "enterprise", "requester_enterprise": e,
                                "requester_name": "联系人"}) for e in scope.enterprises)
    return [
        Kind("workbench /", 12, ("/",)),
        Kind("demand list", 10, ("/demands/",)),
        Kind("demand inbox", 10, ("/demands/inbox/",)),
        Kind("enterprise list", 10, ("/enterprises/",)),
        Kind("member list", 8, ("/members/",)),
        Kind("API demand list", 8, ("/api/demands/?page_size=20",), auth="token"),
        Kind("API enterprise list", 8, ("/api/enterprises/?page_size=20",), auth="token"),
        Kind("enterprise detail", 8, tuple(f"/enterprises/{pk}/" for pk in scope.enterprises)),
        Kind("demand detail", 8, tuple(f"/demands/{pk}/" for pk in scope.demands)),
        Kind("organization detail", 5, tuple(f"/organizations/{pk}/" for pk in scope.organizations)),
        Kind("enterprise search", 5, (f"/enterprises/?q={q}",)),
        Kind("API enterprise search", 3, (f"/api/enterprises/?q={q}&page_size=20",), auth="token"),
        Kind("write: visit record (API)", 3, ("/api/visits/",), method="POST", auth="token", bodies=visits),
        Kind("write: phone demand (API)", 2, ("/api/demands/",), method="POST", auth="token", bodies=demands),
    ]


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    auth: str
    body: str | None = None


def request_cycle(kinds: list[Kind], rounds: int = 0) -> list[Request]:
    """The requests of `rounds` × (sum of weights) slots, kinds interleaved by smooth weighted round-robin
    (each kind appears exactly `weight` times a round, spread out rather than in runs), variants rotated.

    rounds defaults to the largest number of variants (up to 10), so every id appears."""
    kinds = [k for k in kinds if k.weight > 0]
    if not kinds:
        raise ValueError("the mix is empty")
    rounds = rounds or min(10, max(max(len(k.paths), len(k.bodies)) for k in kinds))
    total = sum(k.weight for k in kinds)
    current = [0] * len(kinds)
    used = [0] * len(kinds)
    cycle = []
    for _slot in range(total * rounds):
        for i, kind in enumerate(kinds):
            current[i] += kind.weight
        best = max(range(len(kinds)), key=lambda i: (current[i], -i))
        current[best] -= total
        kind, n = kinds[best], used[best]
        used[best] += 1
        body = kind.bodies[n % len(kind.bodies)] if kind.bodies else None
        cycle.append(Request(kind.name, kind.method, kind.paths[n % len(kind.paths)], kind.auth, body))
    return cycle


def lua_string(text: str) -> str:
    """A Lua string literal for any text (bytes outside printable ASCII as decimal escapes)."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


LUA_TEMPLATE = """-- Generated by benchmarks/throughput.py: a fixed cycle of requests, each thread from its own place.
local cycle = {
%(requests)s
}
local auth = {
  session = {%(session)s},
  token = {%(token)s},
  none = {},
}

local threads = {}
function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

local formatted = {}
local position = 0
statuses = {}

function init(args)
  for i, r in ipairs(cycle) do
    local headers = {}
    for k, v in pairs(auth[r[3]]) do headers[k] = v end
    if r[4] then headers["Content-Type"] = "application/json" end
    formatted[i] = wrk.format(r[1], r[2], headers, r[4])
  end
  position = ((thread_number or 0) * 37) %% #formatted
end

function request()
  position = position %% #formatted + 1
  return formatted[position]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses") or {}) do totals[code] = (totals[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(totals) do table.insert(parts, string.format('"%%s": %%d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    '%(prefix)s{"requests": %%d, "duration_us": %%d, "bytes": %%d, "mean_us": %%.1f, "p50_us": %%d, "p90_us": %%d, ' ..
    '"p99_us": %%d, "max_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d, "status": %%d, ' ..
    '"statuses": {%%s}}\\n',
    summary.requests, summary.duration, summary.bytes, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, e.status, table.concat(parts, ", ")))
end
"""


def lua_script(cycle: list[Request], *, session_cookie: str = "", token: str = "") -> str:
    """The wrk script for a request cycle: pages with the session cookie, API requests with the token."""
    rows = []
    for r in cycle:
        body = lua_string(r.body) if r.body is not None else "nil"
        rows.append(f"  {{{lua_string(r.method)}, {lua_string(r.path)}, {lua_string(r.auth)}, {body}}},")
    session = f'["Cookie"] = {lua_string(session_cookie)}, ["Accept"] = "text/html"' if session_cookie else ""
    token_headers = (f'["Authorization"] = {lua_string("Token " + token)}, ["Accept"] = "application/json"'
                     if token else "")
    return LUA_TEMPLATE % {"requests": "\n".join(rows), "session": session, "token": token_headers,
                           "prefix": RESULT_PREFIX}


# --- wrk's output --------------------------------------------------------------------------------------------

@dataclass
class WrkResult:
    requests: int = 0
    duration_s: float = 0.0
    rps: float = 0.0
    mean_ms: float = math.nan
    p50_ms: float = math.nan
    p90_ms: float = math.nan
    p99_ms: float = math.nan
    max_ms: float = math.nan
    statuses: dict[str, int] = field(default_factory=dict)  # from the Lua hook; empty for plain wrk
    non_2xx: int = 0  # answers outside 200-299 (with the hook) or wrk's own "Non-2xx or 3xx" (>= 400) count
    socket_errors: dict[str, int] = field(default_factory=lambda: {"connect": 0, "read": 0, "write": 0, "timeout": 0})

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())

    def misses(self, rps: float = TARGET_RPS, p99_ms: float = TARGET_P99_MS) -> list[str]:
        """What keeps this run from the target (empty: met)."""
        out = []
        if not self.rps >= rps:
            out.append(f"{self.rps:.1f} requests/s < {rps:g}")
        if not self.p99_ms < p99_ms:
            out.append(f"p99 {self.p99_ms:.0f} ms ≥ {p99_ms:g} ms")
        if self.errors:
            out.append(f"{self.errors} errors")
        return out


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


def parse_wrk(output: str) -> WrkResult:
    """wrk's standard output (with --latency) into figures; the line of the Lua done() hook, when present,
    supersedes the text (exact counts, statuses, latencies in microseconds)."""
    result = WrkResult()
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output)
    if m:
        result.requests = int(m.group(1))
        result.duration_s = _ms(m.group(2), m.group(3)) / 1000
    m = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if m:
        result.rps = float(m.group(1))
    m = re.search(r"^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m|h)", output, re.M)
    if m:
        result.mean_ms, result.max_ms = _ms(m.group(1), m.group(2)), _ms(m.group(3), m.group(4))
    for share, value, unit in re.findall(r"^\s*(50|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M):
        setattr(result, f"p{share}_ms", _ms(value, unit))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if m:
        result.non_2xx = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if m:
        result.socket_errors = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups()), strict=True))
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            data = json.loads(line[len(RESULT_PREFIX):])
            result.requests = data["requests"]
            result.duration_s = data["duration_us"] / 1e6
            result.rps = result.requests / result.duration_s if result.duration_s else 0.0
            result.mean_ms = data["mean_us"] / 1000
            for share in ("p50", "p90", "p99", "max"):
                setattr(result, f"{share}_ms", data[f"{share}_us"] / 1000)
            result.socket_errors = {k: data[k] for k in ("connect", "read", "write", "timeout")}
            result.statuses = {str(k): v for k, v in sorted(data["statuses"].items())}
            result.non_2xx = sum(n for code, n in result.statuses.items() if not 200 <= int(code) < 300)
    return result


ACCESS_LINE = re.compile(r'"([A-Z]+) (\S+) HTTP/[\d.]+" (\d{3}) ')


def access_summary(log: str) -> dict[str, Counter]:
    """The server's access log (gunicorn's default format) as `METHOD /path/{id}/` → statuses counted."""
    out: dict[str, Counter] = defaultdict(Counter)
    for method, path, status in ACCESS_LINE.findall(log):
        out[f"{method} {re.sub(r'/[0-9]+(?=/)', '/{id}', path)}"][status] += 1
    return dict(out)


# --- the database side (Django) ------------------------------------------------------------------------------

def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()


@dataclass
class Officer:
    username: str
    scope_label: str
    session_cookie: str
    token: str
    scope: Scope


def prepare_officer(details: int = 10) -> Officer:
    """The sweep's street officer (made if missing), a session and a token for it, and ids in its scope."""
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from jiceng.accounts.services import token_for
    from jiceng.demands.forms import DEMAND_PLACE_KINDS
    from jiceng.demands.models import Demand
    from jiceng.enterprises.models import Enterprise
    from jiceng.operations.sweep import ensure_role_users
    from jiceng.organizations.models import Organization

    (officer,) = ensure_role_users([ROLE])
    user = officer.user
    client = Client()
    client.force_login(user)  # a session row, exactly as a login makes (the account has no password)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    def ids(model, **filters) -> tuple[int, ...]:
        return tuple(model.objects.restrict(user).filter(**filters).order_by("-pk")
                     .values_list("pk", flat=True)[:details])

    enterprises = ids(Enterprise)
    # where demands are taken: the building or park of one of its enterprises
    place = (Enterprise.objects.restrict(user).filter(place__kind__in=DEMAND_PLACE_KINDS).order_by("-pk")
             .values_list("place_id", flat=True).first())
    scope = Scope(enterprises=enterprises, demands=ids(Demand), organizations=ids(Organization),
                  place=place or 0, today=timezone.localdate().isoformat())
    missing = [name for name in ("enterprises", "demands", "organizations", "place") if not getattr(scope, name)]
    if missing:
        raise SystemExit(f"{user.username} sees no {', '.join(missing)}: seed a database first "
                         "(`jiceng seed --scale city`)")
    return Officer(user.username, officer.scope, cookie, token_for(user.username), scope)


def database_facts() -> dict[str, str]:
    from django.conf import settings
    from django.db import connection

    from jiceng.demands.models import Demand, Visit
    from jiceng.operations.bench import machine_facts

    facts = machine_facts()
    facts["rows"] += f", demands {Demand.objects.count():,}, visits {Visit.objects.count():,}"
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
        facts["database settings"] = (f"journal_mode={mode}, {db['OPTIONS'].get('init_command', '')} "
                                      f"timeout={db['OPTIONS'].get('timeout')} s, CONN_MAX_AGE={db['CONN_MAX_AGE']}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            max_connections = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            shared_buffers = cursor.fetchone()[0]
        facts["database settings"] = (f"CONN_MAX_AGE={db['CONN_MAX_AGE']}, max_connections={max_connections}, "
                                      f"shared_buffers={shared_buffers}")
    connection.close()
    return facts


def remove_writes(username: str, since) -> tuple[int, int]:
    """Delete the visits and demands the run made (the officer's, marked, created since `since`)."""
    from django.db import connection

    from jiceng.demands.models import Demand, Visit

    visits = Visit.objects.filter(worker__username=username, notes__startswith=MARKER, created__gte=since)
    demands = Demand.objects.filter(requester_user__username=username, text__startswith=MARKER, created__gte=since)
    n_demands = demands.count()
    demands.delete()
    n_visits = visits.count()
    visits.delete()
    connection.close()
    return n_visits, n_demands


# --- the server and wrk --------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`jiceng serve --workers N` started by this script, its output (the access log) in a file."""

    def __init__(self, workers: int, port: int, log_path: Path, write_limit: str, threads: int):
        import jiceng

        self.workers, self.port, self.log_path = workers, port, log_path
        self.url = f"http://127.0.0.1:{port}"
        env = dict(os.environ)
        source = str(Path(jiceng.__file__).resolve().parent.parent)  # the same code as this script imports
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [source, env.get("PYTHONPATH")]))
        env["JICENG_THROTTLE_USER_WRITES"] = write_limit
        self.command = [sys.executable, "-m", "jiceng.cli", "serve", "--workers", str(workers),
                        "--threads", str(threads), "--host", "127.0.0.1", "--port", str(port)]
        self.log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"jiceng serve exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as response:  # noqa: S310 - http://127.0.0.1
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise SystemExit(f"jiceng serve did not answer /healthz within {timeout:.0f} s; see {self.log_path}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the group this script started: master and workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def settle(url: str, timeout: float = 300) -> float:
    """Wait until /healthz answers within half a second: requests wrk left queued in the server are done, so
    they do not slow the next run. Returns the seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        sent = time.monotonic()
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=timeout) as response:  # noqa: S310 - http URL
                response.read()
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
            continue
        if time.monotonic() - sent < 0.5:
            break
    return time.monotonic() - began


def wrk_command(url: str, script: Path, *, duration: float, connections: int, threads: int,
                timeout: str = "10s") -> list[str]:
    return ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration:g}s", f"--timeout={timeout}",
            "--latency", "-s", str(script), url]


def run_wrk(command: list[str]) -> tuple[WrkResult, str]:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return parse_wrk(done.stdout), done.stdout


# --- the report ----------------------------------------------------------------------------------------------

@dataclass
class Run:
    workers: str  # "2", or "external" for --url
    target: str  # "mix" or "/healthz"
    load: float
    result: WrkResult
    access: dict[str, Counter] = field(default_factory=dict)


def _f(value: float, digits: int = 0) -> str:
    return "–" if math.isnan(value) else f"{value:,.{digits}f}"


def format_runs(runs: list[Run]) -> list[str]:
    lines = ["| workers | run | load before | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | "
             "socket errors | target |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for run in runs:
        r = run.result
        misses = r.misses()
        verdict = ("met" if not misses else "missed: " + "; ".join(misses)) if run.target == "mix" else ""
        sockets = ", ".join(f"{k} {v}" for k, v in r.socket_errors.items() if v) or "0"
        lines.append(f"| {run.workers} | {run.target} | {run.load:.2f} | **{r.rps:.1f}** | {_f(r.p50_ms)} | "
                     f"{_f(r.p90_ms)} | **{_f(r.p99_ms)}** | {_f(r.max_ms)} | {r.non_2xx} | {sockets} | {verdict} |")
    return lines


def format_mix(kinds: list[Kind]) -> list[str]:
    total = sum(k.weight for k in kinds)
    lines = ["| request | share | method, path | as |", "|---|---:|---|---|"]
    for k in kinds:
        path = k.paths[0] if len(k.paths) == 1 else f"{k.paths[0]} … ({len(k.paths)} ids)"
        lines.append(f"| {k.name} | {100 * k.weight / total:.0f} % | `{k.method} {path}` | {k.auth} |")
    return lines


def format_access(access: dict[str, Counter]) -> list[str]:
    lines = ["| request (server's access log) | answers | statuses |", "|---|---:|---|"]
    for key, statuses in sorted(access.items(), key=lambda item: -sum(item[1].values())):
        shown = ", ".join(f"{code} × {n}" for code, n in sorted(statuses.items()))
        lines.append(f"| `{key}` | {sum(statuses.values())} | {shown} |")
    return lines


def format_alone(alone: list[tuple[Kind, WrkResult]]) -> list[str]:
    """Each request alone: its cost, and its share of the server's time in the mix (weight × mean latency)."""
    spent = {k.name: k.weight * r.mean_ms for k, r in alone if not math.isnan(r.mean_ms)}
    total = sum(spent.values()) or 1.0
    lines = ["| request | requests/s alone | mean ms | p50 ms | p99 ms | non-2xx | share of server time in the mix |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for k, r in sorted(alone, key=lambda item: -spent.get(item[0].name, 0)):
        lines.append(f"| {k.name} | {r.rps:.1f} | {_f(r.mean_ms, 1)} | {_f(r.p50_ms, 1)} | {_f(r.p99_ms, 1)} | "
                     f"{r.non_2xx} | {100 * spent.get(k.name, 0) / total:.1f} % |")
    return lines


def format_report(*, command: str, facts: dict[str, str], officer: Officer, kinds: list[Kind], runs: list[Run],
                  wrk_line: str, alone: list[tuple[Kind, WrkResult]], alone_note: str, removed: str) -> str:
    lines = ["# Throughput: a street officer's mix under wrk", "", "Reproduce:", "", "```sh", command, "```", ""]
    lines += [f"- **{key}**: {value}" for key, value in facts.items()]
    lines += [f"- **user**: {officer.username} on {officer.scope_label}; pages with a session cookie, API with "
              "its token",
              f"- **wrk**: `{wrk_line}`; then the same against `/healthz`",
              f"- **target**: ≥ {TARGET_RPS:g} requests/s, p99 < {TARGET_P99_MS:g} ms, no errors (an answer "
              "outside 2xx, a socket error or a timeout)", ""]
    lines += format_runs(runs)
    lines += ["", "## The mix", ""] + format_mix(kinds)
    for run in runs:
        if run.access and run.target == "mix":
            lines += ["", f"## Answers by request, {run.workers} workers", ""] + format_access(run.access)
    if alone:
        lines += ["", "## Each request alone", "", alone_note, ""] + format_alone(alone)
    if removed:
        lines += ["", removed]
    return "\n".join(lines) + "\n"


# --- main ----------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="3", help="gunicorn workers; a list (2,3,4) measures each in turn")
    parser.add_argument("--url", help="measure a running server instead of starting one (its write limit is yours)")
    parser.add_argument("--duration", type=float, default=30, help="seconds per wrk run (default 30)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--server-threads", type=int, default=2,
                        help="threads of each gunicorn worker (default 2, as `jiceng serve`; 1 = sync workers)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of the mix before measuring (default 5)")
    parser.add_argument("--per-request", type=float, default=0, metavar="SECONDS",
                        help="also run each request of the mix alone for SECONDS (1 connection), on the last server")
    parser.add_argument("--write-limit", default="100000/min",
                        help="JICENG_THROTTLE_USER_WRITES for the server this script starts (default 100000/min)")
    parser.add_argument("--keep-writes", action="store_true", help="leave the visits and demands written in place")
    parser.add_argument("--check", action="store_true", help="exit 1 when a mix run misses the target")
    parser.add_argument("--output", help="also write the Markdown report to this file")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    setup_django()
    from django.utils import timezone

    started = timezone.now()
    officer = prepare_officer()
    facts = database_facts()
    kinds = build_mix(officer.scope)
    workdir = Path(tempfile.mkdtemp(prefix="jiceng-wrk-"))
    script = workdir / "mix.lua"
    script.write_text(lua_script(request_cycle(kinds), session_cookie=officer.session_cookie, token=officer.token),
                      encoding="utf-8")
    health = workdir / "healthz.lua"
    health.write_text(lua_script([Request("healthz", "GET", "/healthz", "none")]), encoding="utf-8")

    worker_counts = [None] if args.url else [int(n) for n in args.workers.split(",")]
    runs: list[Run] = []
    alone: list[tuple[Kind, WrkResult]] = []
    wrk_line = ""
    for index, workers in enumerate(worker_counts):
        server = None
        if workers is not None:
            server = Server(workers, free_port(), workdir / f"serve-{workers}.log", args.write_limit,
                            args.server_threads)
            print(f"jiceng serve --workers {workers} on {server.url}", file=sys.stderr)
        try:
            url = server.url if server else args.url.rstrip("/")
            if server:
                server.wait_ready()
            label = str(workers) if workers else "external"
            if args.warmup:
                run_wrk(wrk_command(url, script, duration=args.warmup, connections=args.connections,
                                    threads=args.threads))
                settle(url)
            log_offset = server.log_path.stat().st_size if server else 0
            for target, lua in (("mix", script), ("/healthz", health)):
                command = wrk_command(url, lua, duration=args.duration, connections=args.connections,
                                      threads=args.threads)
                if target == "mix":
                    wrk_line = shlex.join(["wrk", *command[1:-3], "-s", lua.name, "URL"])
                load = os.getloadavg()[0]
                print(f"  {target}: {shlex.join(command)}", file=sys.stderr)
                result, _text = run_wrk(command)
                access = {}
                if server and target == "mix":
                    with open(server.log_path, "rb") as fh:
                        fh.seek(log_offset)
                        access = access_summary(fh.read().decode("utf-8", "replace"))
                runs.append(Run(label, target, load, result, access))
                settle(url)
                print("  " + format_runs([runs[-1]])[-1], file=sys.stderr)
            if args.per_request and index == len(worker_counts) - 1:
                for kind in kinds:
                    lua = workdir / "alone.lua"
                    lua.write_text(lua_script(request_cycle([kind]), session_cookie=officer.session_cookie,
                                              token=officer.token), encoding="utf-8")
                    result, _text = run_wrk(wrk_command(url, lua, duration=args.per_request, connections=1,
                                                        threads=1))
                    alone.append((kind, result))
                    settle(url)
                    print(f"  alone: {kind.name}: {result.mean_ms:.1f} ms", file=sys.stderr)
        finally:
            if server:
                server.stop()

    removed = ""
    if not args.keep_writes:
        visits, demands = remove_writes(officer.username, started)
        removed = f"The run's writes were deleted afterwards: {visits:,} visits and {demands:,} demands."
    alone_note = (f"Each request of the mix by itself, 1 connection for {args.per_request:g} s, "
                  f"{worker_counts[-1] or 'the external'} workers: the mean latency is the server's time for one "
                  "answer (no queue), and weight × mean gives its share of the server's time in the mix.")
    command = shlex.join(["python", "benchmarks/throughput.py", *(argv if argv is not None else sys.argv[1:])])
    env = " ".join(f"{k}={os.environ[k]}" for k in ("JICENG_DATA_DIR", "JICENG_DATABASE_URL") if k in os.environ)
    if workers is not None:
        kind = ("gunicorn sync workers" if args.server_threads <= 1
                else f"gunicorn gthread workers of {args.server_threads} threads")
        facts["server"] = (f"`jiceng serve --workers N --threads {args.server_threads}` ({kind}) started by the "
                           f"script with JICENG_THROTTLE_USER_WRITES={args.write_limit}")
    report = format_report(command=f"{env} {command}".strip(), facts=facts, officer=officer, kinds=kinds, runs=runs,
                           wrk_line=wrk_line, alone=alone, alone_note=alone_note, removed=removed)
    print(report)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
    shutil.rmtree(workdir, ignore_errors=True)
    if args.check and any(run.result.misses() for run in runs if run.target == "mix"):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
