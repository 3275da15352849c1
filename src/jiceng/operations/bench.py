# The raw SQL below interpolates only table names (quoted by the backend) and constants; values are parameters.
# ruff: noqa: S608
"""Benchmark suite behind `jiceng bench`: the application's path against the raw SQL it needs.

Each benchmark pairs the code a user's request actually runs (the coverage service, a list page's
filterset and paginator, a whole API request through the URL resolver, middleware, DRF and the
serializer) with hand-written SQL that fetches the same rows — the least work the database must do
for that answer. The quality bar in the architecture is ORM/service time ≤ 2× raw-SQL time, with a
bounded number of queries.

Method: the targets are the largest district and street (by enterprises), so the figures are the
worst case of the current database; each side runs once to warm caches (a page's chrome caches a figure for
a minute), once more with its queries counted (CaptureQueriesContext), then `repeat` times, interleaved, timed with
`time.perf_counter`; the table shows medians. Nothing is written to the database: the requests run as
an unsaved superuser (forced authentication), so the bench can run against a live database.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone

from jiceng.demands.filters import DemandFilterSet
from jiceng.demands.models import Category, Demand
from jiceng.enterprises.filters import EnterpriseFilterSet
from jiceng.enterprises.models import NON_PUBLIC, Enterprise, EnterpriseKind
from jiceng.members.filters import MemberFilterSet
from jiceng.members.models import Member, MemberStatus
from jiceng.organizations.coverage import coverage_report
from jiceng.organizations.models import BRANCH_KINDS, Organization
from jiceng.places.models import Place

PAGE_SIZE = 50
RATIO_BAR = 2.0


class BenchError(Exception):
    """The database has nothing to measure (or a request failed)."""


@dataclass
class Benchmark:
    name: str
    orm: Callable[[], Any]
    raw: Callable[[], Any]
    note: str = ""


@dataclass
class Result:
    name: str
    orm_ms: float
    raw_ms: float
    queries: int
    raw_queries: int
    note: str = ""
    orm_samples: list[float] = field(default_factory=list)
    raw_samples: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.orm_ms / self.raw_ms if self.raw_ms else float("inf")


@dataclass
class Report:
    results: list[Result]
    repeat: int
    facts: dict[str, str]
    problems: list[str] = field(default_factory=list)  # baselines whose answer differs from the application's


# --- helpers ---------------------------------------------------------------------------------------------

def _fetch(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _bench_user():
    """An unsaved superuser: scoping sees "everything", and nothing is written to the database.

    It carries a primary key no row has (-1), so per-user lookups on a page (unread notifications, ...)
    run their query and find nothing, as for a new account.
    """
    return get_user_model()(pk=-1, username="bench", is_superuser=True, is_staff=True, is_active=True)


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    if not hosts or "*" in settings.ALLOWED_HOSTS or "testserver" in hosts:
        return "testserver"
    return hosts[0].lstrip(".")


def _api_client():
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST=_host())
    client.force_authenticate(user=_bench_user())
    return client


def _get(client, url: str) -> Any:
    response = client.get(url, secure=bool(settings.SECURE_SSL_REDIRECT))
    if response.status_code != 200:
        raise BenchError(f"GET {url} answered {response.status_code}")
    return response.content


def pick_targets() -> tuple[Place, Place]:
    """The district and the street with the most enterprises (the worst case in this database)."""
    def biggest(field_name: str) -> Place:
        row = (Enterprise.objects.exclude(**{f"{field_name}__isnull": True}).values(field_name)
               .annotate(n=Count("pk")).order_by("-n", field_name).first())
        if row is None:
            raise BenchError("数据库中没有两新组织，无可测量的数据（先运行 `jiceng seed --scale city`）。")
        return Place.objects.get(pk=row[field_name])

    return biggest("district"), biggest("street")


# --- raw SQL baselines -----------------------------------------------------------------------------------

def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def raw_coverage(district: Place, today: dt.date) -> list[list[tuple]]:
    """The aggregates and lists a district's coverage report needs, as plain SQL (one statement per answer).

    Keep in step with `coverage_report`: `compare_answers` checks both give the same answer.
    """
    from jiceng.organizations.models import CommitteeMember, Coverage

    cfg = settings.JICENG
    ent, cov, org, mem, seat = (_t(Enterprise), _t(Coverage), _t(Organization), _t(Member), _t(CommitteeMember))
    non_public = ", ".join(f"'{o}'" for o in NON_PUBLIC)
    own_branch = "'branch', 'temporary_branch', 'general_branch', 'committee'"
    branches = ", ".join(f"'{k}'" for k in BRANCH_KINDS)
    d = district.pk
    covered = f"EXISTS (SELECT 1 FROM {cov} c WHERE c.enterprise_id = e.id)"
    return [
        _fetch(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {covered}),"
               f" COUNT(*) FILTER (WHERE NOT {covered} AND e.instructor_id IS NOT NULL)"
               f" FROM {ent} e WHERE e.district_id = %s", [d]),
        _fetch(f"SELECT e.id, e.name, e.credit_code, e.kind, e.employees FROM {ent} e WHERE e.district_id = %s"
               f" AND ((e.kind = %s AND e.ownership IN ({non_public}) AND e.employees >= %s)"
               f" OR (e.kind = %s AND e.employees >= %s)) AND NOT {covered} ORDER BY e.employees DESC",
               [d, EnterpriseKind.ENTERPRISE, cfg["COVERAGE_ENTERPRISE_MIN_EMPLOYEES"], EnterpriseKind.SOCIAL_ORG,
                cfg["COVERAGE_SOCIAL_ORG_MIN_STAFF"]]),
        _fetch(f"SELECT e.id, e.name, e.credit_code, e.kind, e.employees, COUNT(*) AS n"
               f" FROM {ent} e JOIN {mem} m ON m.employer_id = e.id AND m.status = %s AND m.left_on IS NULL"
               f" WHERE e.district_id = %s"
               f" AND NOT EXISTS (SELECT 1 FROM {cov} c JOIN {org} o ON o.id = c.organization_id"
               f" WHERE c.enterprise_id = e.id AND o.kind IN ({own_branch}))"
               f" GROUP BY e.id, e.name, e.credit_code, e.kind, e.employees HAVING COUNT(*) >= %s ORDER BY n DESC",
               [MemberStatus.FULL, d, cfg["BRANCH_MIN_FULL_MEMBERS"]]),
        _fetch(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE kind = 'joint_branch'),"
               f" COUNT(*) FILTER (WHERE kind IN ('branch', 'temporary_branch')) FROM {org} WHERE district_id = %s",
               [d]),
        _fetch(f"SELECT COUNT(*) FROM {mem} m JOIN {org} o ON o.id = m.organization_id"
               f" WHERE o.district_id = %s AND m.left_on IS NULL", [d]),
        _fetch(f"SELECT o.id, o.name, COUNT(*) AS n FROM {org} o JOIN {mem} m ON m.organization_id = o.id"
               f" AND m.status = %s AND m.left_on IS NULL WHERE o.district_id = %s AND o.kind IN ({branches})"
               f" GROUP BY o.id, o.name HAVING COUNT(*) >= %s"
               f" AND (SELECT COUNT(*) FROM {seat} s WHERE s.organization_id = o.id) < %s ORDER BY n DESC",
               [MemberStatus.FULL, d, cfg["COMMITTEE_MIN_FULL_MEMBERS"], cfg["COMMITTEE_MIN_SIZE"]]),
        _fetch(f"SELECT id, name, term_end FROM {org} WHERE district_id = %s AND term_end >= %s AND term_end <= %s"
               f" ORDER BY term_end", [d, today, today + dt.timedelta(days=cfg["TERM_WARNING_DAYS"])]),
        _fetch(f"SELECT id, name, term_end FROM {org} WHERE district_id = %s AND term_end < %s ORDER BY term_end",
               [d, today]),
        # Structure checks: joint branches over the unit limit, branches over the member limit, overdue temporary
        # branches.
        _fetch(f"SELECT o.id, COUNT(DISTINCT c.id) AS n FROM {org} o JOIN {cov} c ON c.organization_id = o.id"
               f" WHERE o.district_id = %s AND o.kind = 'joint_branch' GROUP BY o.id HAVING COUNT(DISTINCT c.id) > %s",
               [d, cfg["JOINT_BRANCH_MAX_UNITS"]]),
        _fetch(f"SELECT o.id, COUNT(*) AS n FROM {org} o JOIN {mem} m ON m.organization_id = o.id"
               f" AND m.left_on IS NULL WHERE o.district_id = %s AND o.kind IN ({branches})"
               f" GROUP BY o.id HAVING COUNT(*) > %s", [d, cfg["BRANCH_MAX_MEMBERS"]]),
        _fetch(f"SELECT id, name, end_date FROM {org} WHERE district_id = %s AND kind = 'temporary_branch'"
               f" AND end_date < %s", [d, today]),
    ]


ENTERPRISE_LIST_COLUMNS = ("e.id, e.name, e.credit_code, e.kind, e.ownership, e.industry, e.employees, e.lease_end,"
                           " p.id, p.name")
ENTERPRISE_API_COLUMNS = ("e.id, e.name, e.credit_code, e.kind, e.ownership, e.industry, e.employees, e.place_id,"
                          " e.unit_no, e.lease_end, e.registered_address, e.actual_address, e.contact_name,"
                          " e.contact_phone, e.instructor_id, e.district_id, e.street_id")


def raw_enterprise_page(street: Place, columns: str, join_place: bool, coverages: bool) -> list:
    from jiceng.organizations.models import Coverage

    ent = _t(Enterprise)
    join = f" JOIN {_t(Place)} p ON p.id = e.place_id" if join_place else ""
    total = _fetch(f"SELECT COUNT(*) FROM {ent} WHERE street_id = %s", [street.pk])
    rows = _fetch(f"SELECT {columns} FROM {ent} e{join} WHERE e.street_id = %s ORDER BY e.name, e.id LIMIT %s",
                  [street.pk, PAGE_SIZE])
    result = [total, rows]
    if coverages and rows:
        ids = [row[0] for row in rows]
        marks = ", ".join(["%s"] * len(ids))
        result.append(_fetch(f"SELECT enterprise_id, organization_id FROM {_t(Coverage)}"
                             f" WHERE enterprise_id IN ({marks})", ids))
    return result


MEMBER_LIST_COLUMNS = ("m.id, m.name, m.gender, m.birth_date, m.id_number, m.phone, m.status, m.join_date,"
                       " o.id, o.name, e.id, e.name")
MEMBER_API_COLUMNS = ("m.id, m.name, m.gender, m.ethnicity, m.birth_date, m.id_number, m.phone, m.education,"
                      " m.join_date, m.full_date, m.status, m.organization_id, m.employer_id, m.residence,"
                      " m.is_mobile, m.households_contacted")


def raw_member_page(street: Place, columns: str, join_related: bool) -> list:
    mem, org = _t(Member), _t(Organization)
    join = f" LEFT JOIN {_t(Enterprise)} e ON e.id = m.employer_id" if join_related else ""
    total = _fetch(f"SELECT COUNT(*) FROM {mem} m JOIN {org} o ON o.id = m.organization_id WHERE o.street_id = %s",
                   [street.pk])
    rows = _fetch(f"SELECT {columns} FROM {mem} m JOIN {org} o ON o.id = m.organization_id{join}"
                  f" WHERE o.street_id = %s ORDER BY m.name, m.id LIMIT %s", [street.pk, PAGE_SIZE])
    return [total, rows]


# --- the application's paths -----------------------------------------------------------------------------

def orm_list_page(filterset_class, model, related: tuple[str, ...], params: dict[str, Any]) -> tuple[int, list]:
    """What ObjectListView does for page 1: scoped queryset, filterset, paginator count and the page."""
    user = _bench_user()
    qs = model.objects.restrict(user).select_related(*related)
    filterset = filterset_class(params, queryset=qs, request=None)
    page = Paginator(filterset.qs, PAGE_SIZE).page(1)
    return page.paginator.count, list(page.object_list)


def orm_html_page(path: str, params: dict[str, Any]) -> bytes:
    """The whole list page through the view and its template (no middleware), as a signed-in superuser."""
    request = RequestFactory().get(path, params, HTTP_HOST=_host())
    request.user = _bench_user()
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    response.render()
    if response.status_code != 200:
        raise BenchError(f"GET {path} answered {response.status_code}")
    return response.content


def build_benchmarks(district: Place, street: Place) -> list[Benchmark]:
    today = timezone.localdate()
    api = _api_client()
    s = street.pk
    ent_params, mem_params = {"street": str(s)}, {"street": str(s)}
    return [
        Benchmark("coverage report (district)", lambda: coverage_report(district, today=today),
                  lambda: raw_coverage(district, today), f"{district.name}"),
        Benchmark("enterprise list by street (view queryset)",
                  lambda: orm_list_page(EnterpriseFilterSet, Enterprise, ("place",), ent_params),
                  lambda: raw_enterprise_page(street, ENTERPRISE_LIST_COLUMNS, True, False), f"{street.name}"),
        Benchmark("enterprise list page (HTML)", lambda: orm_html_page("/enterprises/", ent_params),
                  lambda: raw_enterprise_page(street, ENTERPRISE_LIST_COLUMNS, True, False), "view + template"),
        Benchmark("enterprise API list by street", lambda: _get(api, f"/api/enterprises/?street={s}"),
                  lambda: raw_enterprise_page(street, ENTERPRISE_API_COLUMNS, False, True), "HTTP stack + JSON"),
        Benchmark("member list by street (view queryset)",
                  lambda: orm_list_page(MemberFilterSet, Member, ("organization", "employer"), mem_params),
                  lambda: raw_member_page(street, MEMBER_LIST_COLUMNS, True), f"{street.name}"),
        Benchmark("member API list by street", lambda: _get(api, f"/api/members/?street={s}"),
                  lambda: raw_member_page(street, MEMBER_API_COLUMNS, False), "HTTP stack + JSON"),
        *demand_benchmarks(street),
    ]


def raw_demand_page(street: Place, status: str, category_id: int) -> list:
    dem = _t(Demand)
    where = " WHERE d.street_id = %s AND d.status = %s AND d.category_id = %s"
    params = [street.pk, status, category_id]
    total = _fetch(f"SELECT COUNT(*) FROM {dem} d{where}", params)
    rows = _fetch(f"SELECT d.id, d.title, d.text, d.status, d.due_date, d.created, p.name, c.name FROM {dem} d"
                  f" JOIN {_t(Place)} p ON p.id = d.place_id LEFT JOIN {_t(Category)} c ON c.id = d.category_id"
                  f"{where} ORDER BY d.created DESC, d.id DESC LIMIT %s", [*params, PAGE_SIZE])
    return [total, rows]


def raw_demand_counts(street: Place) -> list:
    return _fetch(f"SELECT status, COUNT(*) FROM {_t(Demand)} WHERE street_id = %s GROUP BY status", [street.pk])


def orm_demand_counts(street: Place) -> dict:
    qs = Demand.objects.restrict(_bench_user()).filter(street=street).order_by()
    return dict(qs.values_list("status").annotate(n=Count("pk")))


def demand_benchmarks(street: Place) -> list[Benchmark]:
    """The street dispatch board (filtered list and counts), when the database holds demands."""
    category = Category.objects.filter(code="property").first()
    if category is None or not Demand.objects.filter(street=street).exists():
        return []
    params = {"street": str(street.pk), "status": "assigned", "category": "property"}
    return [
        Benchmark("dispatch board: filtered list (street)",
                  lambda: orm_list_page(DemandFilterSet, Demand, ("category", "place", "requester_enterprise",
                                                                  "assignee_user", "assignee_enterprise"), params),
                  lambda: raw_demand_page(street, "assigned", category.pk), "status + category"),
        Benchmark("dispatch board: counts by status (street)", lambda: orm_demand_counts(street),
                  lambda: raw_demand_counts(street), f"{street.name}"),
    ]


def compare_answers(district: Place, street: Place) -> list[str]:
    """Check that each raw SQL baseline returns the same answer as the application's path.

    A baseline that drifts from the code it stands for (a new filter in the service, say) would make the
    ratio meaningless, so `run()` reports any difference.
    """
    import json

    problems: list[str] = []

    def same(label: str, app: Any, raw: Any) -> None:
        if app != raw:
            problems.append(f"{label}: application {app!r} ≠ raw SQL {raw!r}")

    today = timezone.localdate()
    report = coverage_report(district, today=today)
    (counts, must, should, org_counts, members, no_committee, terms, ended, joint, large,
     temporary) = raw_coverage(district, today)
    same("coverage counts", (report.enterprises, report.org_covered, report.work_covered), tuple(counts[0]))
    same("must-cover uncovered", sorted(e.pk for e in report.must_cover_uncovered), sorted(r[0] for r in must))
    same("should set up", sorted((e.pk, n) for e, n in report.should_set_up), sorted((r[0], r[5]) for r in should))
    same("organization counts", (report.organizations, report.joint_branches, report.independent_branches),
         tuple(org_counts[0]))
    same("member count", report.members, members[0][0])
    same("no committee", sorted((o.pk, n) for o, n in report.no_committee), sorted((r[0], r[2]) for r in no_committee))
    same("terms ending", sorted(o.pk for o in report.terms_ending), sorted(r[0] for r in terms))
    same("terms ended", sorted(o.pk for o in report.terms_ended), sorted(r[0] for r in ended))
    same("joint branches over the unit limit", sorted((o.pk, n) for o, n in report.joint_too_many_units),
         sorted(tuple(r) for r in joint))
    same("branches over the member limit",
         sorted((o.pk, n) for o, n in report.suggest_general_branch + report.suggest_committee),
         sorted(tuple(r) for r in large))
    same("temporary branches overdue", sorted(o.pk for o in report.temporary_overdue), sorted(r[0] for r in temporary))

    params = {"street": str(street.pk)}
    total, rows = orm_list_page(EnterpriseFilterSet, Enterprise, ("place",), params)
    raw_total, raw_rows = raw_enterprise_page(street, ENTERPRISE_LIST_COLUMNS, True, False)
    same("enterprise page", (total, [e.pk for e in rows]), (raw_total[0][0], [r[0] for r in raw_rows]))
    body = json.loads(_get(_api_client(), f"/api/enterprises/?street={street.pk}"))
    raw_total, raw_rows, *raw_cov = raw_enterprise_page(street, ENTERPRISE_API_COLUMNS, False, True)
    same("enterprise API page", (body["count"], [r["id"] for r in body["results"]]),
         (raw_total[0][0], [r[0] for r in raw_rows]))
    covered = sorted((r["id"], org) for r in body["results"] for org in r.get("covered_by", []))
    same("enterprise API coverage", covered, sorted(raw_cov[0]) if raw_cov else [])
    total, rows = orm_list_page(MemberFilterSet, Member, ("organization", "employer"), params)
    raw_total, raw_rows = raw_member_page(street, MEMBER_LIST_COLUMNS, True)
    same("member page", (total, [m.pk for m in rows]), (raw_total[0][0], [r[0] for r in raw_rows]))
    body = json.loads(_get(_api_client(), f"/api/members/?street={street.pk}"))
    same("member API page", (body["count"], [r["id"] for r in body["results"]]),
         (raw_total[0][0], [r[0] for r in raw_rows]))
    return problems


# --- running and reporting -------------------------------------------------------------------------------

def measure(benchmark: Benchmark, repeat: int) -> Result:
    benchmark.orm()  # warm: the counted run is a steady-state request
    # Count now: captured_queries reads the connection's log lazily, and requests reset that log.
    with CaptureQueriesContext(connection) as orm_q:
        benchmark.orm()
    queries = len(orm_q.captured_queries)
    with CaptureQueriesContext(connection) as raw_q:
        benchmark.raw()
    raw_queries = len(raw_q.captured_queries)
    orm_samples, raw_samples = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        benchmark.orm()
        orm_samples.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        benchmark.raw()
        raw_samples.append((time.perf_counter() - started) * 1000)
    return Result(benchmark.name, statistics.median(orm_samples), statistics.median(raw_samples),
                  queries, raw_queries, benchmark.note, orm_samples, raw_samples)


def machine_facts() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    elif connection.vendor == "postgresql":
        version = connection.pg_version  # e.g. 150004
        database = f"PostgreSQL {version // 10000}.{version % 10000}"
    else:
        database = connection.vendor
    counts = {
        "places": Place.objects.count(), "enterprises": Enterprise.objects.count(),
        "organizations": Organization.objects.count(), "members": Member.objects.count(),
    }
    return {
        "date": timezone.localdate().isoformat(),
        "machine": f"{os.cpu_count()} cores, {cpu}, {platform.system()} {platform.release()}",
        "python / django": f"{platform.python_version()} / {django.get_version()}",
        "database": database,
        "load average (1 min) at start": f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a",
        "rows": ", ".join(f"{k} {v:,}" for k, v in counts.items()),
    }


def _check_migrated() -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise BenchError(f"数据库还有 {len(pending)} 个迁移未应用，请先运行 `jiceng migrate`。")


def run(repeat: int = 15, progress: Callable[[str], None] | None = None) -> Report:
    _check_migrated()
    district, street = pick_targets()
    benchmarks = build_benchmarks(district, street)
    facts = machine_facts()
    facts["targets"] = (f"district {district.name} (#{district.pk}, "
                        f"{Enterprise.objects.filter(district=district).count():,} enterprises), "
                        f"street {street.name} (#{street.pk}, "
                        f"{Enterprise.objects.filter(street=street).count():,} enterprises, "
                        f"{Member.objects.filter(organization__street=street).count():,} members)")
    problems = compare_answers(district, street)
    results = []
    for benchmark in benchmarks:
        if progress:
            progress(benchmark.name)
        results.append(measure(benchmark, repeat))
    return Report(results, repeat, facts, problems)


HEADER = ["benchmark", "ORM/service ms", "raw SQL ms", "ratio", "queries", "raw queries"]


def _cells(result: Result) -> list[str]:
    flag = " !" if result.ratio > RATIO_BAR else ""
    return [result.name, f"{result.orm_ms:.2f}", f"{result.raw_ms:.2f}", f"{result.ratio:.2f}×{flag}",
            str(result.queries), str(result.raw_queries)]


def format_table(report: Report) -> str:
    rows = [HEADER, *(_cells(r) for r in report.results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(f"median of {report.repeat} runs after one warm-up; '!' marks a ratio above {RATIO_BAR:g}×")
    lines += [f"WARNING baseline differs — {problem}" for problem in report.problems]
    return "\n".join(lines)


def format_markdown(report: Report) -> str:
    lines = [f"- **{key}**: {value}" for key, value in report.facts.items()]
    lines.append(f"- **method**: median of {report.repeat} runs after one warm-up, ORM and raw interleaved")
    lines += ["", "| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] + ["---:"] * (len(HEADER) - 1)) + "|"]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in report.results]
    if report.problems:
        lines += ["", *(f"- WARNING baseline differs — {problem}" for problem in report.problems)]
    else:
        lines += ["", "Every raw SQL baseline returned the same answer as the application's path "
                      "(checked before timing)."]
    return "\n".join(lines) + "\n"


__all__ = ["Benchmark", "BenchError", "Report", "Result", "build_benchmarks", "compare_answers", "format_markdown",
           "format_table", "measure", "pick_targets", "run"]
