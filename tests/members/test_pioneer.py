"""Pioneer index (先锋指数): components, weights as data, periods, scoping, the leaderboard pages and API, the
创新先锋 selection and its audited Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from jiceng.accounts.models import AuditEvent, Role
from jiceng.activities.models import Activity, ActivityKind, ActivityStatus, Attendance, Rating
from jiceng.matching.models import JointConference, MemberUnit, Need, Project, ProjectStatus
from jiceng.members import pioneer
from jiceng.members.models import Member, PioneerWeight
from jiceng.organizations.models import OrgKind
from tests import factories as f

pytestmark = pytest.mark.django_db
K = ActivityKind
Q3 = pioneer.parse_period("2026-Q3")
IN_Q3 = dt.date(2026, 8, 12)


def at(day: dt.date, hour: int = 14, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def activity(org, kind=K.THEME_DAY, day=IN_Q3, hours=2, status=ActivityStatus.HELD, **kw) -> Activity:
    start = kw.pop("start", None) or at(day)
    return Activity.objects.create(title=str(kind), kind=kind, organization=org, start=start,
                                   end=start + dt.timedelta(hours=hours), status=status, **kw)


def attend(act: Activity, *members, hours=None) -> None:
    for member in members:
        Attendance.objects.create(activity=act, member=member, checked_in_at=act.start, hours=hours)


def project(world, member, status=ProjectStatus.AGREED, claimed=IN_Q3, completed=None) -> Project:
    start = at(claimed)
    need = Need.objects.create(conference=world["conf"], requester_name="国和居民区", title="夜间停车",
                               category="parking", quantity=5, start=start, end=start + dt.timedelta(days=30),
                               lat=Decimal("31.301"), lng=Decimal("121.514"))
    return Project.objects.create(conference=world["conf"], need=need, provider=world["unit"], category="parking",
                                  quantity=1, claim_kind="need", status=status, lead_member=member,
                                  claimed_at=start, completed_at=at(completed) if completed else None)


@pytest.fixture
def world(tree):
    """Branch A in building 1 (street 1) with a sub-branch under it, branch B in building 2 (street 2)."""
    branch = f.organization(tree["building1"], "攀达科技党支部", kind=OrgKind.GENERAL_BRANCH)
    sub = f.organization(tree["building1"], "攀达第二党支部", parent=branch)
    other = f.organization(tree["building2"], "殷行贸易党支部")
    m1, m2, m3 = f.member(branch, "张三"), f.member(branch, "李四"), f.member(sub, "王五")
    outsider = f.member(other, "赵六")
    conf = JointConference.objects.create(name="五角场联席会议", place=tree["street1"])
    unit = MemberUnit.objects.create(conference=conf, name="五角场街道", kind="street", place=tree["street1"])
    return {
        "tree": tree, "branch": branch, "sub": sub, "other": other, "m1": m1, "m2": m2, "m3": m3,
        "outsider": outsider, "conf": conf, "unit": unit,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "secretary": f.user("secretary", Role.ORG_SECRETARY, sub),
        "u1": f.user("member1", Role.MEMBER, m1),
    }


@pytest.fixture
def busy(world):
    """A quarter of m1's, m2's and the outsider's activities, projects and ratings (see the expected values)."""
    m1, m2, m3, out = world["m1"], world["m2"], world["m3"], world["outsider"]
    branch, other = world["branch"], world["other"]
    attend(activity(branch, K.THEME_DAY), m1, m2)
    attend(activity(branch, K.BRANCH_MEETING, day=dt.date(2026, 9, 20)), m1)
    attend(activity(branch, K.LECTURE), m1)
    attend(activity(other, K.VOLUNTEERING, hours=3), m1)
    attend(activity(other, K.VOLUNTEERING, hours=4), m2, hours=Decimal("2.5"))
    attend(activity(branch, K.THEME_DAY, status=ActivityStatus.CANCELLED), m1)  # counts nothing
    attend(activity(branch, K.THEME_DAY, day=dt.date(2026, 6, 30)), m1)  # the quarter before
    attend(activity(other, K.THEME_DAY), out)
    talk = activity(branch, K.MICRO_LECTURE, speaker=m1)
    attend(talk, m1, m2, m3, out)
    for rater, score in ((m2, 5), (m3, 4), (out, 2), (m1, 5)):  # m1's own rating does not count
        Rating.objects.create(activity=talk, member=rater, score=score)
    project(world, m1)  # claimed in Q3
    project(world, m1, ProjectStatus.COMPLETED, claimed=dt.date(2026, 5, 1), completed=dt.date(2026, 9, 1))
    project(world, m1, ProjectStatus.CANCELLED)  # counts nothing
    project(world, m2, ProjectStatus.EVALUATED, completed=dt.date(2026, 9, 30))  # claimed and completed in Q3
    return world


# m1 in Q3 with the shipped weights: life 2×2, other 2×1 (lecture, micro-lecture), 3 h × 1, claimed 1×3,
# completed 1×5, ratings above 3: (5-3)+(4-3) = 3 × 1.
M1 = {"organizational_life": 2, "activity": 2, "volunteer_hours": 3, "project_claimed": 1, "project_completed": 1,
      "lecture_rating": 3}
M1_TOTAL = Decimal(4 + 2 + 3 + 3 + 5 + 3)
# m2: life 1×2, micro-lecture 1, 2.5 h, claimed 1×3 and completed 1×5.
M2_TOTAL = Decimal("2") + 1 + Decimal("2.5") + 3 + 5


def quantities(row: pioneer.ScoreRow) -> dict[str, Decimal]:
    return {c.code: c.quantity for c in row.components if c.quantity}


# --- the service -------------------------------------------------------------------------------------------------
def test_shipped_weights():
    assert pioneer.weights() == {"organizational_life": 2, "activity": 1, "volunteer_hours": 1, "project_claimed": 3,
                                 "project_completed": 5, "lecture_rating": 1}


def test_components_and_total(busy):
    rows = pioneer.scores(Member.objects.all(), Q3.start, Q3.end)
    by_member = {r.member_id: r for r in rows}
    m1 = by_member[busy["m1"].pk]
    assert quantities(m1) == M1
    assert m1.total == M1_TOTAL
    assert by_member[busy["m2"].pk].total == M2_TOTAL
    assert [r.member_id for r in rows[:2]] == [busy["m1"].pk, busy["m2"].pk]
    # The breakdown of one member is the same row.
    one = pioneer.breakdown(busy["m1"], Q3.start, Q3.end)
    assert [(c.code, c.quantity, c.points) for c in one.components] == \
        [(c.code, c.quantity, c.points) for c in m1.components]
    assert sum(c.points for c in one.components) == one.total == M1_TOTAL


def test_ranks_share_ties_and_zero_scores_are_listed(world):
    m1, m2, m3 = world["m1"], world["m2"], world["m3"]
    attend(activity(world["branch"]), m1, m2)
    rows = pioneer.scores(Member.objects.filter(organization__in=[world["branch"], world["sub"]]), Q3.start, Q3.end)
    assert [(r.name, r.rank, r.total) for r in rows] == [("张三", 1, 2), ("李四", 1, 2), ("王五", 3, 0)]
    assert [r.name for r in pioneer.innovation_pioneers(rows, top=1)] == ["张三", "李四"]  # the tie comes along
    assert pioneer.innovation_pioneers(rows, threshold=Decimal("0")) == rows[:2]  # nobody with 0 points
    assert m3.pk not in [r.member_id for r in pioneer.innovation_pioneers(rows, top=3)]


def test_weights_change_the_score(busy):
    PioneerWeight.objects.filter(component="organizational_life").update(points=Decimal("10"))
    PioneerWeight.objects.filter(component="volunteer_hours").update(points=Decimal("0.5"))
    PioneerWeight.objects.filter(component="lecture_rating").delete()  # a missing row counts nothing
    row = pioneer.breakdown(busy["m1"], Q3.start, Q3.end)
    assert row.component("organizational_life").points == 20
    assert row.component("volunteer_hours").points == Decimal("1.5")
    assert row.component("lecture_rating").points == 0
    assert row.total == M1_TOTAL - 4 + 20 - 3 + Decimal("1.5") - 3


@settings(max_examples=200)
@given(quantity=st.lists(st.decimals(min_value=0, max_value=100_000, places=2), min_size=6, max_size=6),
       weight=st.lists(st.decimals(min_value=0, max_value=1000, places=2), min_size=6, max_size=6))
def test_breakdown_sums_to_score_for_any_weights(quantity, weight):
    found = dict(zip(pioneer.COMPONENTS, quantity, strict=True))
    weights = dict(zip(pioneer.COMPONENTS, weight, strict=True))
    row = pioneer.ScoreRow(1, "张三", None, "", found, weights)
    assert row.total == sum(c.points for c in row.components)
    for component, q, w in zip(row.components, quantity, weight, strict=True):
        assert component.points == (q * w).quantize(pioneer.CENT)


KINDS = [K.THEME_DAY, K.BRANCH_MEETING, K.PARTY_LECTURE, K.LECTURE, K.SPORTS, K.VOLUNTEERING]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 120), st.integers(1, 4),
                               st.sets(st.integers(0, 2), min_size=1)), max_size=8),
       weight=st.lists(st.decimals(min_value=0, max_value=50, places=2), min_size=6, max_size=6))
def test_scores_match_a_naive_count_and_sum_to_their_breakdown(world, plan, weight):
    members = [world["m1"], world["m2"], world["m3"]]
    weights = dict(zip(pioneer.COMPONENTS, weight, strict=True))
    with transaction.atomic():
        expected = {m.pk: {"organizational_life": 0, "activity": 0, "volunteer_hours": Decimal(0)} for m in members}
        for kind, offset, hours, who in plan:
            act = activity(world["branch"], kind, day=dt.date(2026, 6, 1) + dt.timedelta(days=offset), hours=hours)
            attend(act, *[members[i] for i in who])
            if Q3.start <= act.start.astimezone(timezone.get_current_timezone()).date() <= Q3.end:
                for i in who:
                    if kind == K.VOLUNTEERING:
                        expected[members[i].pk]["volunteer_hours"] += hours
                    elif kind in (K.THEME_DAY, K.BRANCH_MEETING, K.PARTY_LECTURE):
                        expected[members[i].pk]["organizational_life"] += 1
                    else:
                        expected[members[i].pk]["activity"] += 1
        rows = pioneer.scores(Member.objects.filter(pk__in=[m.pk for m in members]), Q3.start, Q3.end,
                              weight=weights)
        for row in rows:
            assert {c.code: c.quantity for c in row.components if c.code in expected[row.member_id]} == \
                expected[row.member_id]
            assert row.total == sum(c.points for c in row.components)
            single = pioneer.breakdown(Member.objects.get(pk=row.member_id), Q3.start, Q3.end, weight=weights)
            assert single.total == row.total
        transaction.set_rollback(True)


# --- periods -----------------------------------------------------------------------------------------------------
def test_periods_parse_and_bound():
    assert (Q3.start, Q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    q4 = pioneer.parse_period("2026-q4")
    assert (q4.key, q4.end) == ("2026-Q4", dt.date(2026, 12, 31))
    h1 = pioneer.parse_period("2026-H1")
    assert (h1.start, h1.end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    year = pioneer.parse_period("2025")
    assert (year.start, year.end, year.kind) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year")
    today = dt.date(2026, 5, 20)
    assert pioneer.parse_period("", today).key == "2026-Q2"
    assert pioneer.parse_period("half", today).key == "2026-H1"
    assert pioneer.parse_period("year", today).key == "2026"
    for bad in ("2026-Q5", "2026-H3", "26", "1999", "abc", "2026-Q0", "2026-X1"):
        with pytest.raises(ValidationError) as exc:
            pioneer.parse_period(bad)
        assert "period" in exc.value.message_dict
    keys = [p.key for p in pioneer.recent_periods(today)]
    assert keys[:3] == ["2026-Q2", "2026-Q1", "2025-Q4"] and "2025-H2" in keys and keys[-1] == "2024"


def test_period_boundaries_follow_local_time(world):
    m1 = world["m1"]
    last = activity(world["branch"], start=at(dt.date(2026, 9, 30), 23, 30))  # the last half hour of Q3
    first = activity(world["branch"], K.BRANCH_MEETING, start=at(dt.date(2026, 10, 1), 0, 0))  # the first minute of Q4
    attend(last, m1)
    attend(first, m1)
    q4 = pioneer.parse_period("2026-Q4")
    assert quantities(pioneer.breakdown(m1, Q3.start, Q3.end)) == {"organizational_life": 1}
    assert quantities(pioneer.breakdown(m1, q4.start, q4.end)) == {"organizational_life": 1}
    assert quantities(pioneer.breakdown(m1, dt.date(2026, 9, 30), dt.date(2026, 10, 1))) == {"organizational_life": 2}
    # Projects: claimed at the period's last moment counts, the first moment after does not.
    p = project(world, m1)
    Project.objects.filter(pk=p.pk).update(claimed_at=at(dt.date(2026, 9, 30), 23, 59))
    assert pioneer.breakdown(m1, Q3.start, Q3.end).component("project_claimed").quantity == 1
    Project.objects.filter(pk=p.pk).update(claimed_at=at(dt.date(2026, 10, 1), 0, 0))
    assert pioneer.breakdown(m1, Q3.start, Q3.end).component("project_claimed").quantity == 0


def test_selection_parameters():
    assert pioneer.parse_selection(None, None) == (10, None)
    assert pioneer.parse_selection("3", "") == (3, None)
    assert pioneer.parse_selection("", "12.5") == (None, Decimal("12.5"))
    for top, threshold, field in (("0", "", "top"), ("x", "", "top"), ("", "-1", "threshold"),
                                  ("", "NaN", "threshold"), ("", "abc", "threshold")):
        with pytest.raises(ValidationError) as exc:
            pioneer.parse_selection(top, threshold)
        assert field in exc.value.message_dict


# --- pages -------------------------------------------------------------------------------------------------------
URL = reverse("activities:pioneer")


def test_page_needs_login(client):
    r = client.get(URL)
    assert r.status_code == 302 and "/accounts/login" in r["Location"]


def test_leaderboard_of_a_building_is_scoped(client, busy):
    client.force_login(busy["staff"])
    r = client.get(URL, {"place": busy["tree"]["building1"].pk, "period": "2026-Q3"})
    assert r.status_code == 200
    rows = r.context["rows"]
    assert [row.name for row in rows] == ["张三", "李四", "王五"]  # the outsider's organization is in street 2
    assert rows[0].total == M1_TOTAL
    page = r.content.decode()
    assert "赵六" not in page and f'data-member="{busy["m1"].pk}"' in page
    # Another street's building or organization: not found.
    assert client.get(URL, {"place": busy["tree"]["building2"].pk}).status_code == 404
    assert client.get(URL, {"organization": busy["other"].pk}).status_code == 404
    # The whole district is in the district admin's scope, but not in the street staff's.
    assert client.get(URL, {"place": busy["tree"]["district"].pk}).status_code == 404
    client.force_login(busy["admin"])
    r = client.get(URL, {"place": busy["tree"]["district"].pk, "period": "2026-Q3"})
    assert {row.name for row in r.context["rows"]} == {"张三", "李四", "王五", "赵六"}


def test_leaderboard_of_an_organization_includes_its_subtree(client, busy):
    client.force_login(busy["staff"])
    r = client.get(URL, {"organization": busy["branch"].pk, "period": "2026-Q3"})
    assert [row.name for row in r.context["rows"]] == ["张三", "李四", "王五"]
    r = client.get(URL, {"organization": busy["sub"].pk, "period": "2026-Q3"})
    assert [row.name for row in r.context["rows"]] == ["王五"]


def test_defaults_to_the_users_own_scope(client, busy):
    client.force_login(busy["staff"])
    r = client.get(URL, {"period": "2026-Q3"})
    assert r.context["target"].place == busy["tree"]["street1"]
    client.force_login(busy["secretary"])  # secretary of the sub-branch: its members only
    r = client.get(URL, {"period": "2026-Q3"})
    assert r.context["target"].organization == busy["sub"]
    assert [row.name for row in r.context["rows"]] == ["王五"]
    client.force_login(busy["u1"])  # a member sees themselves only
    r = client.get(URL, {"period": "2026-Q3"})
    assert [row.name for row in r.context["rows"]] == ["张三"]


def test_member_breakdown_on_the_page_and_out_of_scope(client, busy):
    client.force_login(busy["staff"])
    r = client.get(URL, {"period": "2026-Q3", "member": busy["m1"].pk})
    assert r.status_code == 200
    assert r.context["breakdown"].total == M1_TOTAL
    assert 'data-testid="breakdown-total">20<' in r.content.decode().replace(" ", "")
    assert client.get(URL, {"member": busy["outsider"].pk}).status_code == 404
    assert client.get(URL, {"member": "x"}).status_code == 400


def test_bad_parameters_name_the_field(client, world):
    client.force_login(world["staff"])
    for params, label in (({"period": "2026-Q9"}, "统计周期"), ({"top": "-3"}, "前 N 名"),
                          ({"threshold": "lots"}, "分数线"), ({"place": "abc"}, "楼宇/街道"),
                          ({"organization": "9" * 30}, "党组织"), ({"member": "9" * 30}, "党员")):
        r = client.get(URL, params)
        assert r.status_code == 400, params
        assert label in r.content.decode()


def test_leaderboard_paginates_with_bounded_queries(client, world):
    client.force_login(world["staff"])
    counts = []
    for extra in (3, 70):
        for i in range(extra):
            f.member(world["branch"], f"党员{i:03d}")
        attend(activity(world["branch"]), *Member.objects.filter(organization=world["branch"])[:5])
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(URL, {"place": world["tree"]["building1"].pk, "period": "2026-Q3", "page": 2})
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert r.context["page_obj"].number == 2 and len(r.context["rows"]) == 76 - 50
    assert r.context["total"] == 76


def test_export_is_audited_and_holds_the_selection_and_the_leaderboard(client, busy):
    client.force_login(busy["staff"])
    r = client.get(URL, {"place": busy["tree"]["street1"].pk, "period": "2026-Q3", "top": "1", "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "pioneer-2026-Q3.xlsx" in r["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="members.pioneer")
    assert event.user == busy["staff"] and "top=1" in event.detail
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["创新先锋", "先锋指数排行", "说明"]
    pioneers = list(wb["创新先锋"].values)
    assert pioneers[0][:3] == ("排名", "姓名", "所在党组织") and pioneers[0][-1] == "先锋指数"
    assert [(row[0], row[1], row[-1]) for row in pioneers[1:]] == [(1, "张三", 20)]
    board = list(wb["先锋指数排行"].values)[1:]
    assert [row[1] for row in board] == ["张三", "李四", "王五"]
    assert "赵六" not in str(board)
    # quantity and points per component sit side by side: organizational life is 2 attendances, 4 points.
    assert board[0][3:5] == (2, 4)


def test_my_page_shows_my_pioneer_index(client, world):
    attend(activity(world["branch"], day=timezone.localdate(), hours=1), world["m1"])
    client.force_login(world["u1"])
    r = client.get(reverse("members:me"))
    assert r.status_code == 200
    assert r.context["pioneer_period"].start <= timezone.localdate() <= r.context["pioneer_period"].end
    assert r.context["pioneer"].total == 2
    assert 'data-testid="my-pioneer"' in r.content.decode()


# --- API ---------------------------------------------------------------------------------------------------------
def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_leaderboard(busy):
    client = api(busy["staff"])
    r = client.get("/api/pioneer/", {"place": busy["tree"]["building1"].pk, "period": "2026-Q3", "page_size": 2})
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 3 and data["next"] and data["period"]["key"] == "2026-Q3"
    assert data["target"] == {"place": busy["tree"]["building1"].pk, "organization": None, "label": "创智天地1号楼"}
    first = data["results"][0]
    assert (first["rank"], first["member"], first["name"], first["total"]) == (1, busy["m1"].pk, "张三", "20.00")
    parts = {c["code"]: c for c in first["components"]}
    assert parts["lecture_rating"] == {"code": "lecture_rating", "label": "授课好评", "quantity": "3.00",
                                       "weight": "1.00", "points": "3.00"}
    assert sum(Decimal(c["points"]) for c in first["components"]) == Decimal(first["total"])
    r = client.get("/api/pioneer/", {"organization": busy["other"].pk})
    assert r.status_code == 404
    r = client.get("/api/pioneer/", {"period": "2026-Q7"})
    assert r.status_code == 400 and "period" in r.json()
    assert client.get("/api/pioneer/", {"place": "x"}).json().keys() == {"place"}
    assert client.get("/api/pioneer/", {"organization": "9" * 30}).json().keys() == {"organization"}
    assert client.get(f"/api/pioneer/members/{'9' * 30}/").status_code == 404
    assert APIClient().get("/api/pioneer/").status_code in (401, 403)


def test_api_member_breakdown_is_scoped(busy):
    client = api(busy["staff"])
    r = client.get(f"/api/pioneer/members/{busy['m1'].pk}/", {"period": "2026-Q3"})
    assert r.status_code == 200
    assert r.json()["total"] == "20.00" and r.json()["member"] == busy["m1"].pk
    assert client.get(f"/api/pioneer/members/{busy['outsider'].pk}/").status_code == 404
    assert api(busy["staff2"]).get(f"/api/pioneer/members/{busy['outsider'].pk}/").status_code == 200
    # A member sees their own breakdown and nobody else's.
    assert api(busy["u1"]).get(f"/api/pioneer/members/{busy['m1'].pk}/").status_code == 200
    assert api(busy["u1"]).get(f"/api/pioneer/members/{busy['m2'].pk}/").status_code == 404


def test_api_selection_and_weights(busy):
    client = api(busy["admin"])
    r = client.get("/api/pioneer/pioneers/", {"place": busy["tree"]["district"].pk, "period": "2026-Q3",
                                              "threshold": "12"})
    assert r.status_code == 200
    assert [row["name"] for row in r.json()["results"]] == ["张三", "李四"]
    r = client.get("/api/pioneer/pioneers/", {"place": busy["tree"]["district"].pk, "period": "2026-Q3", "top": 1})
    assert [row["name"] for row in r.json()["results"]] == ["张三"]
    r = client.get("/api/pioneer/pioneers/", {"top": "0"})
    assert r.status_code == 400 and "top" in r.json()
    weights = client.get("/api/pioneer/weights/").json()
    assert [w["code"] for w in weights] == list(pioneer.COMPONENTS)
    assert weights[0]["points"] == "2.00"


def test_api_leaderboard_queries_are_bounded(world):
    counts = []
    for extra in (2, 40):
        for i in range(extra):
            member = f.member(world["sub"], f"党员{extra}-{i}")
            attend(activity(world["sub"], K.LECTURE, speaker=member), member)
        client = api(type(world["staff"]).objects.get(pk=world["staff"].pk))  # nothing cached on the user
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/pioneer/", {"period": "2026-Q3", "page_size": 100}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
