"""The page sweep behind `jiceng bench --pages` and tests/test_sweep.py: every page a user meets, timed.

For each user, the targets are derived, never hand-listed, so a new page or endpoint joins by existing:

- every entry of the menu (`NAVIGATION` in jiceng.core.context_processors), the home page, and "我的" for a
  member;
- for every menu entry that is a list of a model, the detail page of its first row as that user sees it
  (the view's own `get_queryset()` for that user, so the row is in scope);
- every GET operation of the OpenAPI schema (`/api/schema/`) that has no path parameter (the lists and the
  reports), and every list operation whose path parameters can be filled from the first row of its parent
  list (e.g. `/api/activities/clubs/{id}/members/`). Retrieve operations are left to the detail pages.

Method: Django's test Client in-process (no network, no server), logged in with `force_login`; each target
is requested once to warm caches, once more with CaptureQueriesContext to count its queries (so the timed
runs carry no instrumentation), then `repeat` times, timed with `time.perf_counter`. The table reports
the median and the 95th percentile (nearest rank) of the timed runs. API requests ask for JSON (the
browsable HTML renderer would add its own forms and queries). For API lists of a scoped model, the ids
returned are checked against `Model.objects.restrict(user)`: anything else is a leak.
"""

from __future__ import annotations

import logging
import math
import statistics
import time
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from jiceng.accounts.models import ROLE_TARGET, Role, RoleAssignment
from jiceng.core.context_processors import menu_url_names
from jiceng.core.scoping import scope_for
from jiceng.departments.models import Department
from jiceng.enterprises.models import Enterprise
from jiceng.organizations.models import BRANCH_KINDS, Organization
from jiceng.places.models import Place, PlaceKind

from .bench import BenchError, _host, machine_facts, pick_targets

SUPERUSER = "superuser"
# The order of the table's users: the widest scope first.
ROLE_ORDER = [SUPERUSER, *(role.value for role in Role)]
BENCH_PREFIX = "bench-"  # usernames of the users `jiceng bench --pages` makes: bench-street_staff, ...
SLOW_MS = 300  # the bound for a menu page or API list at city scale (issue 13)
MANY_QUERIES = 20
# The areas a building worker looks after (园区, 商务楼宇, 居民区, 商品市场, 村).
AREA_KINDS = (PlaceKind.PARK, PlaceKind.COMMERCIAL_BUILDING, PlaceKind.COMMUNITY, PlaceKind.MARKET, PlaceKind.VILLAGE)


@dataclass
class SweepUser:
    label: str  # the role (or "superuser"), as the table shows it
    user: Any
    scope: str = ""  # what the role is assigned to, for the report


@dataclass
class Target:
    key: str  # stable name: the URL name of a page ("members:member_detail") or the schema path of an API
    url: str
    kind: str  # "page" or "api"
    # The scoped model a list shows; for API lists, the ids returned must stay within the user's scope.
    model: Any = None
    lookup: str = "id"


@dataclass
class Measurement:
    user: str
    role: str
    key: str
    url: str
    kind: str
    status: int
    queries: int
    samples: list[float] = field(default_factory=list)
    rows: int | None = None  # API lists: items on the page
    leaks: list[Any] = field(default_factory=list)  # ids returned that the user's scope does not contain
    error: str = ""  # the traceback of a 500
    model: Any = None  # the scoped model a list shows (pages and API lists), for tests that add rows of it

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95_ms(self) -> float:
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class SweepReport:
    measurements: list[Measurement]
    repeat: int
    facts: dict[str, str]
    skipped: list[str] = field(default_factory=list)  # targets that could not be derived, and why


# --- users -----------------------------------------------------------------------------------------------

def _enterprises_under(place: Place) -> int:
    return Enterprise.objects.filter(place__path__startswith=place.path).count()


def _largest_child(place: Place, kinds: Iterable[str] | None = None) -> Place | None:
    children = Place.objects.filter(parent=place)
    if kinds is not None:
        children = children.filter(kind__in=list(kinds))
    best = max(((_enterprises_under(child), -child.pk, child) for child in children), default=None,
               key=lambda item: item[:2])
    return best[2] if best else None


def role_targets() -> dict[str, Any]:
    """What each role is assigned to, in the worst case of the current database: the district and the street
    with the most enterprises, that street's largest area and the largest building in it, the branch there
    with the most members, the largest enterprise it covers, and one of its members."""
    district, street = pick_targets()
    area = _largest_child(street, AREA_KINDS) or street
    building = _largest_child(area) or area
    branches = Organization.objects.filter(kind__in=BRANCH_KINDS, place__path__startswith=area.path)
    if not branches.exists():
        branches = Organization.objects.filter(kind__in=BRANCH_KINDS, street=street)
    branch = branches.annotate(n=Count("members")).order_by("-n", "pk").first()
    enterprises = Enterprise.objects.filter(place__path__startswith=area.path)
    if branch is not None and enterprises.filter(coverages__organization=branch).exists():
        enterprises = enterprises.filter(coverages__organization=branch)
    enterprise = enterprises.order_by("-employees", "pk").first()
    member = branch.members.order_by("pk").first() if branch is not None else None
    return {
        Role.DISTRICT_ADMIN: district, Role.STREET_STAFF: street, Role.BUILDING_WORKER: area,
        Role.BUILDING_HEAD: building, Role.ORG_SECRETARY: branch, Role.UNIT_CONTACT: enterprise,
        Role.MEMBER: member,
        Role.DEPARTMENT_STAFF: Department.objects.filter(district=district, active=True).order_by("pk").first(),
    }


def ensure_role_users(roles: Iterable[str] | None = None) -> list[SweepUser]:
    """A `bench-<role>` user for each role (and `bench-superuser`), made if missing, assigned as in
    `role_targets()`. The accounts get no usable password: they exist only to be logged in with force_login."""
    wanted = list(roles) if roles is not None else ROLE_ORDER
    targets = role_targets()
    User = get_user_model()
    users = []
    for label in ROLE_ORDER:
        if label not in wanted:
            continue
        user, created = User.objects.get_or_create(
            username=f"{BENCH_PREFIX}{label}",
            defaults={"is_superuser": label == SUPERUSER, "is_staff": label == SUPERUSER},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if label == SUPERUSER:
            users.append(SweepUser(label, user, "全部"))
            continue
        target = targets.get(Role(label))
        if target is None:
            continue  # nothing of that kind in this database (e.g. no branch): no such user to measure
        RoleAssignment.objects.get_or_create(user=user, role=label, **{ROLE_TARGET[Role(label)]: target})
        users.append(SweepUser(label, user, f"{target} (#{target.pk})"))
    return users


def user_label(user) -> str:
    if user.is_superuser:
        return SUPERUSER
    roles = sorted(scope_for(user).roles, key=lambda r: ROLE_ORDER.index(r) if r in ROLE_ORDER else 99)
    return "+".join(roles) or "-"


# --- targets ---------------------------------------------------------------------------------------------

def _client(user) -> Client:
    # The response to an exception is recorded as a 500 with its traceback instead of raising.
    client = Client(HTTP_HOST=_host(), raise_request_exception=False)
    client.force_login(user)
    return client


def _get(client: Client, url: str, kind: str):
    headers = {"HTTP_ACCEPT": "application/json"} if kind == "api" else {}
    return client.get(url, secure=bool(settings.SECURE_SSL_REDIRECT), **headers)


def _view_name(url: str) -> str:
    try:
        return resolve(url.split("?", 1)[0]).view_name
    except Resolver404:
        return url


def first_row_url(url: str, user) -> str | None:
    """The detail page of the first row a list page shows this user, from the list view's own queryset."""
    view_class = getattr(resolve(url).func, "view_class", None)
    if view_class is None or not hasattr(view_class, "get_queryset"):
        return None
    request = RequestFactory().get(url)
    request.user = user
    view = view_class()
    view.setup(request, **resolve(url).kwargs)
    try:
        queryset = view.get_queryset()
    except Exception:  # a list that needs more than a GET to build its queryset: no detail target
        return None
    row = queryset.first() if hasattr(queryset, "first") else None
    if row is None or not hasattr(row, "get_absolute_url"):
        return None
    return row.get_absolute_url()


def page_targets(user) -> tuple[list[Target], list[str]]:
    """The whole menu (every role's entries: a page left out of a role's menu must still answer as before), the
    home page, "我的" for a member, and a detail page for each list."""
    targets, skipped = [Target("home", reverse("home"), "page")], []
    if "member" in scope_for(user).roles:
        targets.append(Target("members:me", reverse("members:me"), "page"))
    for name in menu_url_names():
        try:
            url = reverse(name)
        except NoReverseMatch:  # a capability that is not installed: the menu leaves it out too
            continue
        model = getattr(getattr(resolve(url).func, "view_class", None), "model", None)
        targets.append(Target(name, url, "page", model if hasattr(getattr(model, "objects", None), "restrict")
                              else None))
        detail = first_row_url(url, user)
        if detail is not None:
            targets.append(Target(_view_name(detail), detail, "page"))
    return targets, skipped


_SCHEMA_CACHE: dict[str, Any] = {}


def api_operations() -> list[tuple[str, str, Any, list[str]]]:
    """(path, operationId, view, required query parameters) for every GET operation in the OpenAPI schema."""
    if "ops" not in _SCHEMA_CACHE:
        from drf_spectacular.generators import SchemaGenerator

        generator = SchemaGenerator()
        schema = generator.get_schema(request=None, public=True)
        views = {path: view for path, _regex, method, view in generator._get_paths_and_endpoints()
                 if method == "GET"}
        ops = []
        for path, operations in schema["paths"].items():
            if "get" in operations:
                operation = operations["get"]
                required = [p["name"] for p in operation.get("parameters", [])
                            if p["in"] == "query" and p.get("required")]
                ops.append((path, operation["operationId"], views.get(path), required))
        _SCHEMA_CACHE["ops"] = ops
    return _SCHEMA_CACHE["ops"]


def _api_model(view) -> Any:
    model = getattr(getattr(view, "queryset", None), "model", None)
    if model is None and view is not None:
        try:
            model = view.get_queryset().model
        except Exception:  # noqa: S110 - a view without a model-backed queryset (a report): no scope check
            pass
    return model if model is not None and hasattr(model.objects, "restrict") else None


def _items(payload: Any) -> list:
    if isinstance(payload, dict) and isinstance(payload.get("results"), list):
        return payload["results"]
    return payload if isinstance(payload, list) else []


def _required_query(names: list[str], user) -> str | None:
    """A query string for required parameters named after a scoped model (`?organization=<id>`): the first
    object of that model in the user's scope. None when one cannot be filled."""
    from django.apps import apps

    values = {}
    for name in names:
        models_ = [m for m in apps.get_models() if m._meta.model_name == name and hasattr(m.objects, "restrict")]
        row = models_[0].objects.restrict(user).order_by("pk").first() if models_ else None
        if row is None:
            return None
        values[name] = row.pk
    return "?" + urlencode(values) if values else ""


def api_targets(user, client: Client) -> tuple[list[Target], list[str]]:
    targets, skipped = [], []
    for path, operation_id, view, required in api_operations():
        if "{" not in path:
            query = _required_query(required, user)
            if query is None:
                skipped.append(f"{path}: no value in scope for its required parameters {', '.join(required)}")
                continue
            targets.append(Target(path, path + query, "api", _api_model(view),
                                  getattr(view, "lookup_field", "id") or "id"))
            continue
        if not operation_id.endswith("_list"):
            continue  # a retrieve: the detail pages stand for those
        # Fill the parameters from the first row of the parent list (e.g. /api/activities/clubs/ for
        # /api/activities/clubs/{id}/members/): a real object in the user's scope.
        parent = path[: path.index("{")]
        param = path[path.index("{") + 1: path.index("}")]
        response = _get(client, parent, "api")
        items = _items(response.json()) if response.status_code == 200 else []
        value = items[0].get(param) if items and isinstance(items[0], dict) else None
        if value is None:
            skipped.append(f"{path}: {parent} is empty for this user")
            continue
        url = path.replace("{" + param + "}", str(value))
        if "{" in url:
            skipped.append(f"{path}: more than one path parameter")
            continue
        # No scope check here: the rows of a nested list are not the parent view's model (a club's members are
        # memberships, not clubs), and the parent object was itself found through the user's scope.
        targets.append(Target(path, url, "api"))
    return targets, skipped


# --- measuring -------------------------------------------------------------------------------------------

def _leaks(target: Target, user, payload: Any) -> list:
    """Ids in an API list that the user's scope does not contain (compared with Model.objects.restrict)."""
    if target.model is None:
        return []
    items = [item for item in _items(payload) if isinstance(item, dict)]
    key = "id" if items and "id" in items[0] else target.lookup
    ids = {item.get(key) for item in items} - {None}
    if not ids:
        return []
    lookup = "pk" if key == "id" else key
    allowed = set(target.model.objects.restrict(user).filter(**{f"{lookup}__in": ids})
                  .values_list(lookup, flat=True))
    return sorted(ids - allowed, key=str)


def _first_request(client: Client, target: Target):
    """Request the target; a page that redirects within the site (e.g. the coverage report to the user's own
    place) is measured at its destination, which becomes the target's URL. Redirects to the login page are not
    followed (they are answers in their own right)."""
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, target.url, target.kind)
        location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
        parts = urlsplit(location)
        if not location or parts.netloc not in ("", _host()) or parts.path == resolve_url(settings.LOGIN_URL):
            break
        target.url = parts.path + (f"?{parts.query}" if parts.query else "")
    return response, queries


def measure(client: Client, sweep_user: SweepUser, target: Target, repeat: int, warm: bool = True) -> Measurement:
    response, queries = _first_request(client, target)
    if warm:  # the first request warmed the caches; count a second one
        with CaptureQueriesContext(connection) as queries:
            response = _get(client, target.url, target.kind)
    result = Measurement(sweep_user.user.username, sweep_user.label, target.key, target.url, target.kind,
                         response.status_code, len(queries))
    result.model = target.model
    if response.status_code >= 500 and getattr(response, "exc_info", None):
        result.error = "".join(traceback.format_exception(*response.exc_info))
    if target.kind == "api" and response.status_code == 200:
        payload = response.json()
        result.rows = len(_items(payload)) if isinstance(payload, dict | list) else None
        result.leaks = _leaks(target, sweep_user.user, payload)
    for _ in range(repeat):
        started = time.perf_counter()
        _get(client, target.url, target.kind)
        result.samples.append((time.perf_counter() - started) * 1000)
    return result


@contextmanager
def _restore_level(logger: logging.Logger, level: int) -> Iterator[None]:
    try:
        yield
    finally:
        logger.setLevel(level)


def sweep(users: list[SweepUser], repeat: int = 0, *, warm: bool = True, progress: bool = False,
          progress_file=None) -> SweepReport:
    """Visit every target of every user; `repeat` timed runs each (0: status and query counts only)."""
    plan, skipped = [], []
    for sweep_user in users:
        client = _client(sweep_user.user)
        pages, skipped_pages = page_targets(sweep_user.user)
        apis, skipped_apis = api_targets(sweep_user.user, client)
        skipped += [f"{sweep_user.label}: {text}" for text in skipped_pages + skipped_apis]
        plan += [(sweep_user, client, target) for target in pages + apis]
    measurements = []
    from tqdm import tqdm

    # 4xx responses are expected for some roles; Django would log each as a warning over the progress bar.
    # Errors (5xx) are still logged, and recorded with their traceback.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    bar = tqdm(total=len(plan), desc="pages", unit=" url", disable=not progress, file=progress_file,
               dynamic_ncols=True)
    with _restore_level(request_log, level), bar:
        for sweep_user, client, target in plan:
            bar.set_postfix_str(f"{sweep_user.label} {target.url}"[:60], refresh=False)
            measurements.append(measure(client, sweep_user, target, repeat, warm=warm))
            bar.update(1)
    return SweepReport(measurements, repeat, {}, skipped)


def run(usernames: list[str] | None = None, repeat: int = 5, progress: bool = False,
        progress_file=None) -> SweepReport:
    """`jiceng bench --pages`: the role users (made if missing), or the named users, swept and timed."""
    from .bench import _check_migrated

    _check_migrated()
    names = usernames or ROLE_ORDER
    roles = [name for name in names if name in ROLE_ORDER]
    users = ensure_role_users(roles) if roles else []
    User = get_user_model()
    for name in names:
        if name in ROLE_ORDER:
            continue
        user = User.objects.filter(username=name).first()
        if user is None:
            raise BenchError(f"没有用户 {name}（--users 接受角色名 {', '.join(ROLE_ORDER)} 或已有的用户名）。")
        users.append(SweepUser(user_label(user), user, ""))
    if not users:
        raise BenchError("没有可测量的用户。")
    facts = machine_facts()
    facts["users"] = "; ".join(f"{u.label} = {u.user.username}" + (f" on {u.scope}" if u.scope else "")
                               for u in users)
    report = sweep(users, repeat, progress=progress, progress_file=progress_file)
    report.facts = facts
    report.measurements.sort(key=lambda m: (-m.median_ms, -m.queries))
    return report


# --- output ----------------------------------------------------------------------------------------------

HEADER = ["#", "role", "kind", "page or endpoint", "status", "median ms", "p95 ms", "queries"]


def _cells(index: int, m: Measurement) -> list[str]:
    flags = []
    if m.median_ms > SLOW_MS:
        flags.append("slow")
    if m.queries > MANY_QUERIES:
        flags.append("queries")
    if m.leaks:
        flags.append(f"LEAK {len(m.leaks)}")
    status = str(m.status) + (" !" if m.status >= 500 else "")
    return [str(index), m.role, m.kind, m.url, status, f"{m.median_ms:.1f}", f"{m.p95_ms:.1f}",
            f"{m.queries}{' !' if m.queries > MANY_QUERIES else ''}"] + ([", ".join(flags)] if flags else [""])


def summary(report: SweepReport) -> list[str]:
    ms = report.measurements
    lines = [f"{len(ms)} requests for {len({m.user for m in ms})} users; "
             f"{sum(m.median_ms > SLOW_MS for m in ms)} over {SLOW_MS} ms, "
             f"{sum(m.queries > MANY_QUERIES for m in ms)} over {MANY_QUERIES} queries, "
             f"{sum(m.status >= 500 for m in ms)} errors (5xx), {sum(bool(m.leaks) for m in ms)} with out-of-scope "
             "rows"]
    lines += [f"skipped {text}" for text in report.skipped]
    return lines


def format_table(report: SweepReport) -> str:
    rows = [[*HEADER, ""], *(_cells(i, m) for i, m in enumerate(report.measurements, 1))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    left = {1, 2, 3, 8}
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                               for i, (cell, w) in enumerate(zip(row, widths, strict=True))).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append(f"median and p95 of {report.repeat} runs after one warm-up (queries counted on a separate run); "
                 "slowest first")
    return "\n".join(lines + summary(report))


def format_markdown(report: SweepReport) -> str:
    lines = [f"- **{key}**: {value}" for key, value in report.facts.items()]
    lines.append(f"- **method**: Django test Client in-process, force_login; per page one warm-up, one run counting "
                 f"queries, then {report.repeat} timed runs (median, nearest-rank p95); slowest first")
    lines += ["", "| " + " | ".join([*HEADER, "flags"]) + " |",
              "|" + "|".join(["---:", "---", "---", "---", "---:", "---:", "---:", "---:", "---"]) + "|"]
    for i, m in enumerate(report.measurements, 1):
        cells = _cells(i, m)
        cells[3] = f"`{cells[3]}`"
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *(f"- {line}" for line in summary(report))]
    errors = [m for m in report.measurements if m.status >= 500]
    for m in errors:
        lines += ["", f"### {m.status} {m.role} {m.url}", "", "```", m.error.strip() or "(no traceback)", "```"]
    return "\n".join(lines) + "\n"


__all__ = ["Measurement", "SweepReport", "SweepUser", "Target", "api_targets", "ensure_role_users", "format_markdown",
           "format_table", "measure", "page_targets", "role_targets", "run", "sweep"]
