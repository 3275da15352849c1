"""The pure parts of benchmarks/throughput.py: wrk's output into figures, and the request mix (no wrk is run)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from collections import Counter
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "throughput.py"


@pytest.fixture(scope="module")
def tp():
    spec = importlib.util.spec_from_file_location("throughput_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


# wrk 4.1.0 with --latency and no script (units as wrk prints them)
PLAIN = """Running 30s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   152.31ms   88.10ms   1.21s    71.02%
    Req/Sec    53.12     12.40    90.00     68.00%
  Latency Distribution
     50%  131.07ms
     75%  190.55ms
     90%  262.00ms
     99%  840.12us
  3187 requests in 30.04s, 41.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    106.09
Transfer/sec:      1.37MB
"""

# the same run's summary line from the Lua done() hook of the generated script
HOOK = ('JICENG-WRK {"requests": 3187, "duration_us": 30040000, "bytes": 43200000, "mean_us": 152310.4, '
        '"p50_us": 131070, "p90_us": 262000, "p99_us": 1210500, "max_us": 1500000, "connect": 0, "read": 0, '
        '"write": 0, "timeout": 0, "status": 0, "statuses": {"200": 3170, "201": 12, "302": 4, "429": 1}}')


def test_parse_plain_wrk_output(tp):
    r = tp.parse_wrk(PLAIN)
    assert r.requests == 3187
    assert r.duration_s == pytest.approx(30.04)
    assert r.rps == pytest.approx(106.09)
    assert r.mean_ms == pytest.approx(152.31)
    assert r.max_ms == pytest.approx(1210.0)  # "1.21s"
    assert (r.p50_ms, r.p90_ms) == (pytest.approx(131.07), pytest.approx(262.0))
    assert r.p99_ms == pytest.approx(0.84012)  # "840.12us"
    assert r.non_2xx == 7
    assert r.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 3}
    assert r.errors == 12


def test_the_hook_line_supersedes_the_text_and_redirects_are_errors(tp):
    r = tp.parse_wrk(PLAIN + HOOK + "\n")
    assert r.requests == 3187
    assert r.rps == pytest.approx(3187 / 30.04)
    assert (r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms) == (131.07, 262.0, 1210.5, 1500.0)
    assert r.statuses == {"200": 3170, "201": 12, "302": 4, "429": 1}
    # wrk counts only >= 400 as "Non-2xx or 3xx"; a 302 to the login page is a failed request here
    assert r.non_2xx == 5
    assert r.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 0}


def test_nothing_answered_is_not_a_pass(tp):
    r = tp.parse_wrk("Running 5s test @ http://x/\n  0 requests in 5.02s, 0.00B read\nRequests/sec:      0.00\n")
    assert r.requests == 0 and math.isnan(r.p99_ms)
    assert r.misses() == ["0.0 requests/s < 100", "p99 nan ms ≥ 1000 ms"]


def test_target(tp):
    r = tp.parse_wrk(PLAIN + HOOK)
    assert r.misses() == ["p99 1210 ms ≥ 1000 ms", "5 errors"]
    met = tp.WrkResult(requests=3300, duration_s=30, rps=110.0, p99_ms=640.0)
    assert met.misses() == []
    assert tp.WrkResult(rps=99.9, p99_ms=10.0).misses() == ["99.9 requests/s < 100"]


@pytest.fixture
def scope(tp):
    return tp.Scope(enterprises=(11, 12, 13), demands=(21, 22), organizations=(31,), place=41, today="2026-12-07")


def test_the_mix_is_a_street_officers_day(tp, scope):
    kinds = tp.build_mix(scope)
    weights = {k.name: k.weight for k in kinds}
    assert sum(weights.values()) == 100
    writes = [k for k in kinds if k.method != "GET"]
    assert sum(k.weight for k in writes) == 5  # about 5 % writes
    assert all(k.auth == "token" and k.paths[0].startswith("/api/") for k in writes)  # no CSRF needed
    paths = {p for k in kinds for p in k.paths}
    assert {"/", "/demands/", "/enterprises/", "/members/", "/demands/inbox/", "/api/demands/?page_size=20",
            "/api/enterprises/?page_size=20"} <= paths
    assert {"/enterprises/11/", "/enterprises/13/", "/demands/22/", "/organizations/31/"} <= paths
    assert "/enterprises/?q=%E7%A7%91%E6%8A%80" in paths  # 科技, percent-encoded
    visit = json.loads(next(k for k in writes if k.paths == ("/api/visits/",)).bodies[0])
    assert visit["enterprise"] == 11 and visit["date"] == "2026-12-07" and visit["notes"].startswith(tp.MARKER)
    demand = json.loads(next(k for k in writes if k.paths == ("/api/demands/",)).bodies[2])
    assert demand["place"] == 41 and demand["requester_enterprise"] == 13 and demand["text"].startswith(tp.MARKER)


def test_the_cycle_keeps_the_weights_spreads_kinds_and_rotates_ids(tp, scope):
    kinds = tp.build_mix(scope)
    cycle = tp.request_cycle(kinds)
    assert len(cycle) == 300  # 3 rounds: the most variants any kind has (3 enterprises)
    counts = Counter(r.kind for r in cycle)
    assert counts == {k.name: 3 * k.weight for k in kinds}
    first_round = cycle[:100]
    assert Counter(r.kind for r in first_round) == {k.name: k.weight for k in kinds}
    # smooth round-robin: any 20 requests in a row hold a kind at most once more than its share
    weight = {k.name: k.weight for k in kinds}
    for start in range(len(cycle) - 20):
        window = Counter(r.kind for r in cycle[start:start + 20])
        assert all(n <= math.ceil(20 * weight[kind] / 100) + 1 for kind, n in window.items())
    details = [r.path for r in cycle if r.kind == "enterprise detail"]
    assert details[:4] == ["/enterprises/11/", "/enterprises/12/", "/enterprises/13/", "/enterprises/11/"]
    posts = [r for r in cycle if r.method == "POST"]
    assert len(posts) == 15 and all(r.body for r in posts)
    assert tp.request_cycle([tp.Kind("one", 1, ("/a/", "/b/"))], rounds=3) == [
        tp.Request("one", "GET", p, "session") for p in ("/a/", "/b/", "/a/")]
    with pytest.raises(ValueError):
        tp.request_cycle([])


def test_lua_strings(tp):
    assert tp.lua_string('a"b\\c') == '"a\\"b\\\\c"'
    assert tp.lua_string("科") == '"\\231\\167\\145"'  # UTF-8 bytes as decimal escapes
    assert tp.lua_string("x\ny") == '"x\\010y"'


def test_the_lua_script_carries_the_cycle_and_the_credentials(tp, scope):
    cycle = tp.request_cycle(tp.build_mix(scope), rounds=1)
    lua = tp.lua_script(cycle, session_cookie="sessionid=abc", token="t0k")
    assert lua.count('\n  {"GET", ') == 95 and lua.count('\n  {"POST", ') == 5
    assert '{"GET", "/", "session", nil},' in lua
    assert '["Cookie"] = "sessionid=abc"' in lua and '["Authorization"] = "Token t0k"' in lua
    assert '{"POST", "/api/visits/", "token", "{\\"enterprise\\": 11,' in lua
    assert "function done(summary, latency, requests)" in lua and tp.RESULT_PREFIX in lua
    # no credentials: the /healthz script
    bare = tp.lua_script([tp.Request("healthz", "GET", "/healthz", "none")])
    assert "Cookie" not in bare and "Authorization" not in bare and "session = {}," in bare


def test_access_log_summary(tp):
    log = "\n".join([
        '127.0.0.1 - - [07/Dec/2026:10:07:39 +0800] "GET /demands/123/ HTTP/1.1" 200 3400 "-" "-"',
        '127.0.0.1 - - [07/Dec/2026:10:07:39 +0800] "GET /demands/456/ HTTP/1.1" 200 3300 "-" "-"',
        '127.0.0.1 - - [07/Dec/2026:10:07:40 +0800] "POST /api/visits/ HTTP/1.1" 429 40 "-" "-"',
        '127.0.0.1 - - [07/Dec/2026:10:07:40 +0800] "GET /api/demands/?page_size=20 HTTP/1.1" 200 9 "-" "-"',
        "[2026-12-07 10:07:41 +0800] [42] [INFO] Booting worker with pid: 42",
    ])
    assert tp.access_summary(log) == {
        "GET /demands/{id}/": Counter({"200": 2}), "POST /api/visits/": Counter({"429": 1}),
        "GET /api/demands/?page_size=20": Counter({"200": 1})}
