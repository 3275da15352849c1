"""The report by matrix cell (page, `/api/reports/matrix/`, Excel) against counts made independently from the rows,
for each viewer's scope; its links lead to lists of exactly the rows counted; its query count does not grow."""

import io
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.accounts.models import AuditEvent
from jiceng.activities import services as activity_services
from jiceng.activities.models import Activity, Attendance
from jiceng.matching import services as list_services
from jiceng.matching.models import Project
from jiceng.matrix import tags
from tests.matrix.conftest import activity, api_for, at, project

pytestmark = pytest.mark.django_db

FIGURES = ("activities", "attendance", "projects")


def populate(world, seed: int = 7, n: int = 30) -> None:
    """Random tags on activities of both streets over two years, some cancelled, with attendance; projects too."""
    rng = random.Random(seed)
    for i in range(n):
        street2 = rng.random() < 0.35
        org = world["branch2"] if street2 else world["branch"]
        members = world["members2"] if street2 else world["members"]
        year = 2026 if rng.random() < 0.8 else 2025
        act = activity(org, at(rng.randint(1, 12), rng.randint(1, 28), year=year), title=f"活动{i}",
                       cells=rng.randrange(512) if rng.random() < 0.8 else 0, themes=rng.randrange(8))
        Attendance.objects.bulk_create([Attendance(activity=act, member=m, hours=Decimal(2)) for m in members
                                        if rng.random() < 0.6])
        if rng.random() < 0.15:
            Activity.objects.filter(pk=act.pk).update(status="cancelled")
    for i in range(12):
        street2 = rng.random() < 0.35
        p = project(world, "conf2" if street2 else "conf", "c" if street2 else rng.choice("ab"), title=f"需求{i}")
        Project.objects.filter(pk=p.pk).update(cells=rng.randrange(512), themes=rng.randrange(8))
        if rng.random() < 0.2:
            list_services.advance(p, "cancel", by=world["root"])
    # One project of last year, which this year's report leaves out.
    Project.objects.filter(pk=project(world, title="去年").pk).update(claimed_at=at(12, 30, year=2025), cells=1)


def expected(street_ids: set[int] | None, year: int = 2026) -> dict:
    """The figures recounted row by row in Python (no grouping, no bit arithmetic in SQL)."""
    acts = [a for a in Activity.objects.all() if a.status != "cancelled"
            and a.start.astimezone(tz()).year == year and (street_ids is None or a.street_id in street_ids)]
    attendance = {a.pk: Attendance.objects.filter(activity=a).count() for a in acts}
    projects = [p for p in Project.objects.select_related("conference__place") if p.status != "cancelled"
                and p.claimed_at.astimezone(tz()).year == year
                and (street_ids is None or p.conference.place_id in street_ids)]
    out = {}
    for cell in tags.CELLS:
        in_cell = [a for a in acts if cell.code in tags.cell_codes(a.cells)]
        out[cell.code] = {"activities": len(in_cell), "attendance": sum(attendance[a.pk] for a in in_cell),
                          "projects": sum(1 for p in projects if cell.code in tags.cell_codes(p.cells))}
        for theme in tags.THEMES:
            both = [a for a in in_cell if theme in tags.theme_codes(a.themes)]
            out[cell.code, theme] = {
                "activities": len(both), "attendance": sum(attendance[a.pk] for a in both),
                "projects": sum(1 for p in projects if cell.code in tags.cell_codes(p.cells)
                                and theme in tags.theme_codes(p.themes))}
    for theme in tags.THEMES:
        held = [a for a in acts if theme in tags.theme_codes(a.themes)]
        out[theme] = {"activities": len(held), "attendance": sum(attendance[a.pk] for a in held),
                      "projects": sum(1 for p in projects if theme in tags.theme_codes(p.themes))}
    out["total"] = {"activities": len(acts), "attendance": sum(attendance.values()), "projects": len(projects)}
    out["untagged"] = {"activities": sum(1 for a in acts if not a.cells),
                       "attendance": sum(attendance[a.pk] for a in acts if not a.cells),
                       "projects": sum(1 for p in projects if not p.cells)}
    return out


def tz():
    from django.utils import timezone

    return timezone.get_current_timezone()


def figures(body: dict) -> dict:
    got = {}
    for cell in body["cells"]:
        got[cell["cell"]] = {k: cell[k] for k in FIGURES}
        for theme, values in cell["themes"].items():
            got[cell["cell"], theme] = {k: values[k] for k in FIGURES}
    for theme in body["themes"]:
        got[theme["theme"]] = {k: theme[k] for k in FIGURES}
    got["total"] = {k: body["total"][k] for k in FIGURES}
    got["untagged"] = body["untagged"]
    return got


@pytest.mark.parametrize("who, streets", [("root", None), ("admin", None), ("staff", "street1"),
                                          ("staff2", "street2")])
def test_figures_match_an_independent_count(world, who, streets):
    populate(world)
    street_ids = None if streets is None else {world["tree"][streets].pk}
    r = api_for(world[who]).get("/api/reports/matrix/", {"year": 2026})
    assert r.status_code == 200, r.content
    body = r.json()
    want = expected(street_ids)
    assert figures(body) == want
    assert body["year"] == 2026 and body["place"] is None and len(body["cells"]) == 9
    assert want["total"]["activities"] > 5 and any(want[c.code]["projects"] for c in tags.CELLS)  # not vacuous
    assert body["tagged"]["activities"] == want["total"]["activities"] - want["untagged"]["activities"]


def test_place_narrows_within_the_scope_and_another_street_is_404(world):
    populate(world)
    admin = api_for(world["admin"])
    body = admin.get("/api/reports/matrix/", {"year": 2026, "place": world["tree"]["street2"].pk}).json()
    assert figures(body) == expected({world["tree"]["street2"].pk})
    assert body["place"]["name"] == world["tree"]["street2"].name
    # A street officer sees their street only: the report of their scope equals the district's for their street,
    # and the other street reads as not found (page and API).
    staff = api_for(world["staff"])
    mine = staff.get("/api/reports/matrix/", {"year": 2026}).json()
    assert figures(mine) == figures(admin.get("/api/reports/matrix/", {
        "year": 2026, "place": world["tree"]["street1"].pk}).json())
    assert staff.get("/api/reports/matrix/", {"place": world["tree"]["street2"].pk}).status_code == 404
    # A park inside the street: only the activities hosted there (the branch sits in building 1 of park 1).
    park = staff.get("/api/reports/matrix/", {"year": 2026, "place": world["tree"]["park1"].pk}).json()
    assert park["total"]["activities"] == mine["total"]["activities"]
    assert park["total"]["projects"] == 0  # the conference sits at the street, not in the park


def test_secretary_sees_their_branch_and_a_member_nothing_of_others(world):
    populate(world)
    body = api_for(world["secretary"]).get("/api/reports/matrix/", {"year": 2026}).json()
    want = expected({world["tree"]["street1"].pk})
    assert body["total"]["activities"] == want["total"]["activities"]  # the street's activities are the branch's
    assert body["total"]["projects"] == 0  # the branch is no side of any project
    from jiceng.accounts.models import Role
    from tests import factories as f

    member = f.user("m1", Role.MEMBER, world["members"][0])
    body = api_for(member).get("/api/reports/matrix/", {"year": 2026}).json()
    assert body["total"] == {**body["total"], "activities": 0, "projects": 0}


def test_links_lead_to_lists_of_exactly_the_rows_counted(client, world):
    populate(world)
    user = world["staff"]
    public = activity(world["branch2"], at(5, 5), title="公开的别街道活动", cells=1, public=True)  # seen, not counted
    assert public.pk
    body = api_for(user).get("/api/reports/matrix/", {"year": 2026}).json()
    client.force_login(user)
    checked = 0
    for entry in [*body["cells"], *body["themes"], body["total"],
                  *(dict(v, cell=c["cell"]) for c in body["cells"] for v in c["themes"].values())]:
        for figure, list_name in (("activities", "activities"), ("projects", "projects")):
            r = client.get(entry["links"][list_name])
            assert r.status_code == 200
            assert r.context["paginator"].count == entry[figure], (entry["links"][list_name], entry[figure])
            checked += 1
        # The attendance number links to the same activities; their attendance adds up to it.
        r = client.get(entry["links"]["attendance"])
        shown = [a.pk for a in r.context["paginator"].object_list]
        assert Attendance.objects.filter(activity__in=shown).count() == entry["attendance"]
    assert checked > 40


def test_page_shows_the_grid_and_exports_excel_with_an_audit_row(client, world):
    populate(world)
    client.force_login(world["admin"])
    r = client.get(reverse("matrix:report"), {"year": 2026})
    assert r.status_code == 200
    page = r.content.decode()
    want = expected(None)
    assert page.count('data-testid="cell-') == 9
    assert f'data-testid="total-activities">{want["total"]["activities"]}<' in page
    r = client.get(reverse("matrix:report"), {"year": 2026, "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    grid, themes = wb.worksheets
    rows = list(grid.iter_rows(values_only=True))
    assert rows[0][:5] == ("工作对象", "工作目标", "活动", "出席人次", "项目") and len(rows) == 10
    assert rows[1][2:5] == tuple(want["employees:organize"][k] for k in FIGURES)
    assert list(themes.iter_rows(values_only=True))[1][1] == want["service"]["activities"]
    assert AuditEvent.objects.filter(action="export", object_type="matrix.report", user=world["admin"]).count() == 1
    # Bad input on the page: a message, not a 500; another street's place: 404.
    assert client.get(reverse("matrix:report"), {"year": "x"}).status_code == 400
    client.force_login(world["staff"])
    assert client.get(reverse("matrix:report"), {"place": world["tree"]["street2"].pk}).status_code == 404


def test_query_count_does_not_grow_with_rows(world):
    api = api_for(world["admin"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/reports/matrix/", {"year": 2026, "place": world["tree"]["street1"].pk}
                           ).status_code == 200
        return len(ctx.captured_queries)

    populate(world, seed=1, n=5)
    count()  # warm the per-process caches
    small = count()
    populate(world, seed=2, n=40)
    assert count() == small <= 10


def test_a_tag_added_in_the_form_changes_the_cell(client, world):
    act = activity(world["branch"], at(6, 20))
    Attendance.objects.create(activity=act, member=world["members"][0])
    api = api_for(world["staff"])

    def cell() -> dict:
        body = api.get("/api/reports/matrix/", {"year": 2026}).json()
        return next(c for c in body["cells"] if c["cell"] == "users:lead")

    assert (cell()["activities"], cell()["attendance"]) == (0, 0)
    activity_services.update_activity(act, user=world["secretary"], cells=tags.cells_mask(["users:lead"]))
    assert (cell()["activities"], cell()["attendance"]) == (1, 1)
