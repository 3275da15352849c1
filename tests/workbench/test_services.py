"""The workbench of each role: every section matches the database (clock frozen), stays within the user's scope,
and links to a list whose filter shows the same rows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.activities.models import ActivityStatus, SignUp, SignUpStatus
from jiceng.demands.models import OPEN_STATUSES, Demand, DemandStatus, VisitPlan
from jiceng.matching.models import ClaimKind, JointConference, MemberUnit, Project, ProjectStatus
from jiceng.members import dues
from jiceng.members.models import Transfer, TransferDirection, TransferState
from jiceng.members.pipeline import create_application, due_list
from jiceng.organizations.models import OrgKind
from jiceng.risk.choices import FollowUpStatus
from jiceng.risk.models import EnterpriseRisk, FollowUp
from jiceng.workbench import services
from tests import factories as f
from tests.activities.conftest import make_activity
from tests.matching.conftest import make_need

SHANGHAI = ZoneInfo("Asia/Shanghai")
FROZEN = dt.datetime(2026, 3, 18, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
TODAY = FROZEN.date()
DAY = dt.timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def world(tree, clock):
    """Street 1 (building 1) holds most things; street 2 holds one of each, which street 1's people never see."""
    b1, b2 = tree["building1"], tree["building2"]
    e1 = f.enterprise(b1, "攀达科技")
    e1b = f.enterprise(b1, "创智物业")
    e1c = f.enterprise(b1, "乐图网络")
    e2 = f.enterprise(b2, "殷行贸易")
    VisitPlan.objects.create(enterprise=e1, next_visit=TODAY + 3 * DAY)  # due within the week
    VisitPlan.objects.create(enterprise=e1b, next_visit=TODAY + 30 * DAY)  # not due
    # e1c and e2: never planned, due now.
    top = f.organization(tree["street1"], "五角场街道党工委", kind=OrgKind.COMMITTEE, transfer_authority=True)
    branch = f.organization(b1, "攀达科技党支部", parent=top)
    other_branch = f.organization(b2, "殷行贸易党支部")
    sender = f.organization(tree["park1"], "乐图党支部", parent=top)
    m1 = f.member(branch, "张三")
    m2 = f.member(branch, "李四")
    f.member(other_branch, "赵六")
    users = {
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "root": f.user("root", superuser=True),
        "worker": f.user("worker", Role.BUILDING_WORKER, tree["park1"]),
        "head": f.user("head", Role.BUILDING_HEAD, b1),
        "secretary": f.user("secretary", Role.ORG_SECRETARY, branch),
        "contact": f.user("contact", Role.UNIT_CONTACT, e1),
        "member": f.user("member", Role.MEMBER, m1),
    }

    def demand(place, status, due, text, **kw):
        return Demand.objects.create(text=text, title=text, place=place, status=status, due_date=due, **kw)

    demands = {
        "overdue": demand(b1, DemandStatus.ACCEPTED, TODAY - 2 * DAY, "电梯维修超期"),
        "today": demand(b1, DemandStatus.ASSIGNED, TODAY, "空调今天到期", assignee_user=users["worker"]),
        "later": demand(b1, DemandStatus.ASSIGNED, TODAY + 3 * DAY, "停车下周到期", assignee_user=users["worker"]),
        "new": demand(b1, DemandStatus.SUBMITTED, None, "路灯新提交", requester_enterprise=e1),
        "done": demand(b1, DemandStatus.RESOLVED, TODAY - 5 * DAY, "保洁已办结"),
        "other": demand(b2, DemandStatus.ACCEPTED, TODAY - DAY, "殷行超期"),
    }
    now = timezone.now()
    EnterpriseRisk.objects.create(enterprise=e1, score=80, computed_level=5)
    EnterpriseRisk.objects.create(enterprise=e2, score=60, computed_level=4)
    follow_ups = {
        "red": FollowUp.objects.create(enterprise=e1, level=5, due_date=TODAY - DAY, created=now),
        "other": FollowUp.objects.create(enterprise=e2, level=4, due_date=TODAY + DAY, created=now),
        "closed": FollowUp.objects.create(enterprise=e1b, level=4, due_date=TODAY, created=now,
                                          status=FollowUpStatus.CLOSED),
    }
    # A letter to the secretary's branch waits to be received; one between other branches does not concern them.
    incoming = Transfer.objects.create(member=f.member(sender, "王五"), direction=TransferDirection.INTERNAL,
                                       from_organization=sender, to_organization=branch, letter_no="ZJ1",
                                       state=TransferState.ISSUED, issue_date=TODAY - DAY,
                                       valid_until=TODAY + 20 * DAY)
    Transfer.objects.create(member=f.member(other_branch, "钱七"), direction=TransferDirection.OUTGOING,
                            from_organization=other_branch, external_organization="外地", letter_no="ZJ2",
                            state=TransferState.ISSUED, issue_date=TODAY - DAY, valid_until=TODAY + 20 * DAY)
    # Dues: 张三 declared a base in January and paid January only; 李四 paid up.
    dues.declare_base(m1, category="in_service", base="4000", effective_month=dt.date(2026, 1, 1))
    dues.record_payment(m1, month=dt.date(2026, 1, 1), method="cash", paid_on=dt.date(2026, 1, 20))
    dues.declare_base(m2, category="in_service", base="4000", effective_month=dt.date(2026, 3, 1))
    dues.record_payment(m2, month=dt.date(2026, 3, 1), method="cash", paid_on=dt.date(2026, 3, 2))
    birth = dt.date(1998, 6, 15)
    create_application(name="李小红", gender="F", birth_date=birth, id_number=f.id_number(birth=birth, male=False),
                       organization=branch, applied_on=TODAY - 10 * DAY)
    # Activities: one this week (signed up by 张三), one next week open for sign-up, one cancelled.
    week = make_activity(branch, start=FROZEN + 2 * DAY, title="本周主题党日")
    later = make_activity(branch, start=FROZEN + 8 * DAY, title="下周微党课")
    make_activity(branch, start=FROZEN + DAY, title="取消的活动", status=ActivityStatus.CANCELLED)
    make_activity(other_branch, start=FROZEN + DAY, title="殷行的活动")
    SignUp.objects.create(activity=week, member=m1, status=SignUpStatus.CONFIRMED)
    # The three lists: the contact's unit posted a need and claimed another unit's need.
    conf = JointConference.objects.create(name="五角场联席会议", place=tree["street1"])
    unit = MemberUnit.objects.create(conference=conf, name="攀达科技", enterprise=e1)
    neighbour = MemberUnit.objects.create(conference=conf, name="创智物业", enterprise=e1b)
    own_need = make_need(conf, users["staff"], unit=unit, title="午间停车位")
    their_need = make_need(conf, users["staff"], unit=neighbour, title="物业培训场地")
    claim = Project.objects.create(conference=conf, need=their_need, provider=unit, category=their_need.category,
                                   quantity=1, claim_kind=ClaimKind.NEED, status=ProjectStatus.PROPOSED)
    running = Project.objects.create(conference=conf, need=own_need, provider=neighbour, category=own_need.category,
                                     quantity=1, claim_kind=ClaimKind.NEED, status=ProjectStatus.IN_PROGRESS)
    return {"tree": tree, "users": users, "demands": demands, "follow_ups": follow_ups, "branch": branch,
            "e1": e1, "e1b": e1b, "e1c": e1c, "e2": e2, "m1": m1, "incoming": incoming, "week": week, "later": later,
            "own_need": own_need, "claim": claim, "running": running}


def sections(user) -> dict[str, services.Section]:
    return {s.key: s for panel in services.workbench(user, TODAY) for s in panel.sections}


def labels(section: services.Section) -> list[str]:
    return [row.label for row in section.rows]


# --- each role's sections match the database ---------------------------------------------------------------------

def test_street_staff_sees_deadlines_visits_follow_ups_transfers_and_the_trend(world):
    s = sections(world["users"]["staff"])
    assert [p.key for p in services.workbench(world["users"]["staff"], TODAY)] == ["street"]
    assert s["overdue_demands"].count == 1 and labels(s["overdue_demands"]) == ["电梯维修超期"]
    assert s["due_today"].count == 1 and labels(s["due_today"]) == ["空调今天到期"]
    # Due within the route's week: e1 (planned in 3 days) and e1c (never planned); not e1b (in 30 days).
    assert s["visits_due"].count == 2 and set(labels(s["visits_due"])) == {"攀达科技", "乐图网络"}
    assert s["risk_follow_ups"].count == 1 and labels(s["risk_follow_ups"]) == ["攀达科技"]
    assert {f.key: f.value for f in s["risk_follow_ups"].figures} == {"level4": 0, "level5": 1}
    assert s["risk_follow_ups"].rows[0].tone == services.DANGER  # its due date has passed
    assert s["transfers"].count == 1 and labels(s["transfers"]) == ["王五"]
    assert s["bookings"].count == 0 and s["bookings"].is_empty
    trend = s["demand_trend"]
    assert trend.count == 5 and trend.chart["months"][-1] == "2026-03" and len(trend.chart["months"]) == 6
    assert sum(sum(series["data"]) for series in trend.chart["series"]) == 5


def test_the_street_trend_read_from_the_roll_ups_matches_a_count_of_the_demands(world):
    """The chart reads the roll-ups (decision 057); counting the street's demands gives the same series, with a
    demand without a category, one filed at the street itself and one at the month's first local hour."""
    street = world["tree"]["street1"]
    Demand.objects.create(text="未分类", title="未分类", place=world["tree"]["building1"])
    # Submission times are set after creation (`created` is filled on insert), through save(): the roll-ups follow.
    for text, place, created in (
            ("街道本级", street, FROZEN - 60 * DAY),
            # 00:30 in Shanghai on the 1st of February is still the 31st of January in UTC: it counts for February.
            ("月初", world["tree"]["building1"], dt.datetime(2026, 2, 1, 0, 30, tzinfo=SHANGHAI))):
        demand = Demand.objects.create(text=text, title=text, place=place)
        demand.created = created
        demand.save()
    Demand.objects.create(text="别的街道", title="别的街道", place=world["tree"]["building2"])
    demands = Demand.objects.filter(street_id=street.pk)
    from_rollups = services.trend_chart(Demand.objects.none(), TODAY, streets=[street.pk])
    counted = services.trend_chart(demands, TODAY)
    assert from_rollups.count == counted.count == 8
    assert from_rollups.chart == counted.chart
    february = from_rollups.chart["months"].index("2026-02")
    assert sum(series["data"][february] for series in from_rollups.chart["series"]) == 1
    assert "未分类" in [series["name"] for series in from_rollups.chart["series"]]


def test_nothing_due_is_said_plainly(world):
    Demand.objects.all().delete()
    s = sections(world["users"]["staff"])
    assert s["due_today"].is_empty and s["due_today"].empty == "今天没有到期的需求"
    assert s["overdue_demands"].is_empty and s["demand_trend"].is_empty and s["demand_trend"].chart is None


def test_building_worker_sees_inbox_route_colours_and_the_week(world):
    s = sections(world["users"]["worker"])
    inbox = {f.key: f.value for f in s["inbox"].figures}
    assert inbox == {"mine": 2, "waiting": 1, "overdue": 1}
    assert labels(s["inbox"]) == ["空调今天到期", "停车下周到期"]  # soonest deadline first
    assert s["visits_due"].count == 2
    colours = {f.key: f.value for f in s["colours"].figures}
    assert colours == {"level1": 2, "level2": 0, "level3": 0, "level4": 0, "level5": 1}  # e1 red, e1b and e1c green
    assert s["activities_week"].count == 2 and labels(s["activities_week"]) == ["取消的活动", "本周主题党日"]
    assert s["activities_week"].rows[0].note.endswith("已取消")


def test_building_head_shares_the_building_panel(world):
    panels = services.workbench(world["users"]["head"], TODAY)
    assert [(p.key, p.title) for p in panels] == [("building", "楼长/楼事会成员")]
    s = {sec.key: sec for sec in panels[0].sections}
    assert {f.key: f.value for f in s["inbox"].figures}["waiting"] == 1


def test_secretary_sees_compliance_applications_transfers_and_arrears(world):
    s = sections(world["users"]["secretary"])
    assert s["compliance"].count == 1 and labels(s["compliance"]) == ["攀达科技党支部"]
    assert f"organization={world['branch'].pk}" in s["compliance"].url
    from jiceng.members.models import Application

    expected = due_list(Application.objects.filter(organization=world["branch"]))
    assert s["applications"].count == len(expected) > 0
    assert s["transfers"].count == 1 and labels(s["transfers"]) == ["王五"]
    # 张三 owes February and March (4000 at 1 %, the 2008 table: 40 a month); 李四 is paid up.
    assert s["dues"].count == 1 and labels(s["dues"]) == ["张三"]
    assert {f.key: f.value for f in s["dues"].figures} == {"amount": "80.00"}


def test_unit_contact_sees_needs_claims_projects_and_demands(world):
    s = sections(world["users"]["contact"])
    assert s["unit_needs"].count == 1 and labels(s["unit_needs"]) == ["午间停车位"]
    assert s["unit_claims"].count == 1 and labels(s["unit_claims"]) == [str(world["claim"])]
    assert labels(s["unit_projects"]) == [str(world["running"])]
    assert {f.key: f.value for f in s["unit_projects"].figures} == {"agreed": 0, "in_progress": 1}
    assert s["unit_demands"].count == 1 and labels(s["unit_demands"]) == ["路灯新提交"]


def test_member_sees_own_activities_dues_pioneer_and_sign_up(world):
    s = sections(world["users"]["member"])
    assert labels(s["my_activities"]) == ["本周主题党日"]
    assert labels(s["sign_up"]) == ["下周微党课"]  # not the one signed up for, not the cancelled one
    figures = {f.key: f.value for f in s["my_dues"].figures}
    assert figures == {"monthly": "40.00", "months": 2, "amount": "80.00"} and s["my_dues"].count == 2
    assert {f.key for f in s["my_pioneer"].figures} == {"total"}


def test_district_admin_sees_each_street_with_links(world):
    s = sections(world["users"]["admin"])
    table = s["areas"].table
    by_street = {row[0][0]: row for row in table.rows}
    assert set(by_street) == {"五角场街道", "殷行街道"}
    street1 = world["tree"]["street1"].pk
    name, enterprises, _rate, _members, open_, overdue = by_street["五角场街道"]
    assert enterprises[0] == "3" and open_[0] == "4" and overdue[0] == "1"
    assert overdue[1] == f"/demands/?overdue=true&street={street1}"
    assert name[1] == f"/organizations/coverage/?place={street1}"
    assert by_street["殷行街道"][5][0] == "1"
    assert {f.key: f.value for f in s["areas"].figures}["overdue"] == 2


def test_superuser_sees_each_district(world):
    panels = services.workbench(world["users"]["root"], TODAY)
    assert [p.key for p in panels] == ["overview"]
    table = panels[0].sections[0].table
    assert [row[0][0] for row in table.rows] == ["杨浦区"] and table.rows[0][5][0] == "2"


def test_the_overview_is_reused_until_what_it_counts_changes(world, settings):
    settings.JICENG = {**settings.JICENG, "WORKBENCH_OVERVIEW_SECONDS": 300}
    services.OVERVIEWS.clear()
    admin = world["users"]["admin"]

    def street1_open() -> str:
        rows = {row[0][0]: row for row in sections(admin)["areas"].table.rows}
        return rows["五角场街道"][4][0]

    street1 = Demand.objects.filter(street=world["tree"]["street1"], status__in=OPEN_STATUSES)
    assert street1_open() == "4" == str(street1.count())
    # A write that sends no signal is not seen while the figures are kept...
    street1.filter(status=DemandStatus.SUBMITTED).update(status=DemandStatus.CLOSED)
    assert street1.count() < 4 and street1_open() == "4"
    # ...a recorded save retires them at once.
    Demand.objects.create(text="又一个需求", title="又一个需求", place=world["tree"]["building1"])
    assert street1_open() == str(street1.count())
    services.OVERVIEWS.clear()


@pytest.fixture
def kept_streets(settings):
    """The street workbench kept as in production (decision 082), in caches emptied before and after."""
    from django.core.cache import caches

    settings.JICENG = {**settings.JICENG, "WORKBENCH_STREET_SECONDS": 120}
    caches["kept"].clear(), caches["shared"].clear()
    yield
    caches["kept"].clear(), caches["shared"].clear()


def test_a_street_workbench_is_kept_until_a_write_to_the_street_commits(world, kept_streets,
                                                                         django_capture_on_commit_callbacks):
    staff, staff2 = world["users"]["staff"], world["users"]["staff2"]
    b1 = world["tree"]["building1"]

    def overdue(user) -> list[str]:
        fresh = type(user).objects.get(pk=user.pk)  # a new request's user
        return labels(sections(fresh)["overdue_demands"])

    assert overdue(staff) == ["电梯维修超期"] and overdue(staff2) == ["殷行超期"]
    with CaptureQueriesContext(connection) as kept:
        assert overdue(staff) == ["电梯维修超期"]
    assert len(kept) <= 3  # the user and the role assignments; no section is computed again
    # A write that sends no signal is not seen while the workbench is kept...
    Demand.objects.filter(pk=world["demands"]["overdue"].pk).update(title="电梯维修(改)")
    assert overdue(staff) == ["电梯维修超期"]
    # ...a saved demand in the street retires it once the write commits; street 2's stays kept.
    with django_capture_on_commit_callbacks(execute=True):
        Demand.objects.create(text="门禁超期", title="门禁超期", place=b1, status=DemandStatus.ACCEPTED,
                              due_date=TODAY - 3 * DAY)
    assert overdue(staff) == ["门禁超期", "电梯维修(改)"]
    Demand.objects.filter(street=world["tree"]["street2"]).update(title="殷行(改)")
    assert overdue(staff2) == ["殷行超期"]
    # A visit plan or a follow-up is located through its enterprise. It retires the sections that show it (the
    # visits due: 殷行贸易 is planned now), not the demand sections, still as kept before the update() above.
    assert "殷行贸易" in labels(sections(type(staff2).objects.get(pk=staff2.pk))["visits_due"])
    with django_capture_on_commit_callbacks(execute=True):
        VisitPlan.objects.create(enterprise=world["e2"], next_visit=TODAY + 60 * DAY)
    assert "殷行贸易" not in labels(sections(type(staff2).objects.get(pk=staff2.pk))["visits_due"])
    assert overdue(staff2) == ["殷行超期"]
    with django_capture_on_commit_callbacks(execute=True):
        Demand.objects.create(text="殷行新需求", title="殷行新需求", place=world["tree"]["building2"])
    assert overdue(staff2) == ["殷行(改)"]
    before = overdue(staff)
    with django_capture_on_commit_callbacks(execute=True):
        world["follow_ups"]["red"].delete()
    fresh = type(staff).objects.get(pk=staff.pk)
    assert sections(fresh)["risk_follow_ups"].count == 0 and overdue(staff) == before


def test_a_street_workbench_with_other_grants_is_computed_each_time(world, kept_streets):
    user = world["users"]["staff"]
    RoleAssignment.objects.create(user=user, role=Role.BUILDING_WORKER, place=world["tree"]["building2"])
    user = type(user).objects.get(pk=user.pk)
    sections(user)
    Demand.objects.filter(pk=world["demands"]["overdue"].pk).update(title="电梯维修(改)")
    assert labels(sections(type(user).objects.get(pk=user.pk))["overdue_demands"]) == ["电梯维修(改)"]


def test_a_user_with_several_roles_sees_each_panel(world):
    user = world["users"]["staff"]
    RoleAssignment.objects.create(user=user, role=Role.MEMBER, member=world["m1"])
    user = type(user).objects.get(pk=user.pk)  # a fresh scope
    assert [p.key for p in services.workbench(user, TODAY)] == ["street", "member"]
    assert services.role_labels(user) == ["街道党工委工作人员", "党员"]


# --- scope -------------------------------------------------------------------------------------------------------

def test_a_street_officer_never_sees_another_streets_items(world):
    staff, staff2 = world["users"]["staff"], world["users"]["staff2"]
    mine = sections(staff)
    everything = " ".join(row.label for s in mine.values() for row in s.rows)
    for name in ("殷行超期", "殷行贸易", "钱七"):
        assert name not in everything
    theirs = sections(staff2)
    assert labels(theirs["overdue_demands"]) == ["殷行超期"] and theirs["due_today"].count == 0
    assert labels(theirs["visits_due"]) == ["殷行贸易"]
    assert {f.key: f.value for f in theirs["risk_follow_ups"].figures} == {"level4": 1, "level5": 0}
    # The letter out of the platform is completed by its issuing end, a branch in street 2.
    assert labels(theirs["transfers"]) == ["钱七"]
    # Every row links to something the user may open (a 200, not a 404).
    client = Client()
    client.force_login(staff2)
    for section in theirs.values():
        for row in section.rows:
            if row.url:
                assert client.get(row.url).status_code == 200, row.url


# --- the links: each section opens the list that explains it -----------------------------------------------------

def _list_total(response) -> int:
    ctx = response.context
    if ctx.get("paginator") is not None:
        return ctx["paginator"].count
    if "stops" in ctx:  # the route
        return sum(len(rows) for rows in ctx["stops"].values())
    if "rows" in ctx:  # the due list
        return len(ctx["rows"])
    raise AssertionError("not a list page")


@pytest.mark.parametrize("who, keys", [
    ("staff", ["overdue_demands", "due_today", "visits_due", "risk_follow_ups", "transfers", "bookings"]),
    ("staff2", ["overdue_demands", "visits_due", "risk_follow_ups"]),
    ("secretary", ["applications", "transfers"]),
    ("contact", ["unit_needs", "unit_claims", "unit_projects"]),
    ("worker", ["activities_week", "visits_due"]),
])
def test_each_section_links_to_a_list_with_the_same_rows(world, who, keys):
    user = world["users"][who]
    client = Client()
    client.force_login(user)
    found = sections(user)
    for key in keys:
        section = found[key]
        response = client.get(section.url)
        assert response.status_code == 200, section.url
        if section.count is not None:
            assert _list_total(response) == section.count, (key, section.url)
        for figure in section.figures:
            if figure.url and isinstance(figure.value, int):
                assert _list_total(client.get(figure.url)) == figure.value, (key, figure.url)


def test_inbox_figures_open_the_matching_lists(world):
    client = Client()
    client.force_login(world["users"]["worker"])
    for figure in sections(world["users"]["worker"])["inbox"].figures:
        assert client.get(figure.url).context["paginator"].count == figure.value, figure.url


def test_colour_figures_open_the_risk_list_at_that_level(world):
    client = Client()
    client.force_login(world["users"]["head"])
    for figure in sections(world["users"]["head"])["colours"].figures:
        assert client.get(figure.url).context["paginator"].count == figure.value, figure.url


# --- the page ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["staff", "admin", "root", "worker", "head", "secretary", "contact", "member"])
def test_page_shows_role_labels_within_the_query_bound(world, who):
    client = Client()
    client.force_login(world["users"][who])
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert len(queries) <= 20, "\n".join(q["sql"][:300] for q in queries)
    roles = html[html.index('data-testid="roles"'):]
    roles = roles[:roles.index("</div>")]
    assert "角色: " not in html
    for code in ("street_staff", "building_worker", "building_head", "org_secretary", "unit_contact", "district_admin"):
        assert code not in roles
    assert all(label in roles for label in services.role_labels(world["users"][who]))


def test_chart_data_is_a_json_script_for_the_static_chart_code(world):
    client = Client()
    client.force_login(world["users"]["staff"])
    html = client.get("/").content.decode()
    assert 'id="chart-street-demand_trend-data" type="application/json"' in html
    assert 'data-chart-data="chart-street-demand_trend-data"' in html
    assert "workbench/trend_chart.js" in html and "vendor/echarts/echarts.min.js" in html


def test_a_user_without_a_role_sees_the_residents_workbench(db, clock):
    # A registered resident or white-collar worker (issue 19): their demands, notifications, activities, settings.
    client = Client()
    client.force_login(f.user("newcomer"))
    html = client.get("/").content.decode()
    assert 'data-testid="panel-resident"' in html
    for key in ("my_demands", "my_notifications", "open_activities", "my_settings"):
        assert f'data-testid="section-{key}"' in html


def test_the_workbench_speaks_english_too(world):
    Demand.objects.all().delete()
    client = Client()
    client.force_login(world["users"]["staff"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "No demands due today" in html and "Street party working committee staff" in html


def test_a_kept_street_workbench_shows_its_sections_in_the_computed_order(world, kept_streets, settings):
    staff = world["users"]["staff"]

    def keys() -> list[str]:
        fresh = type(staff).objects.get(pk=staff.pk)
        return [s.key for panel in services.workbench(fresh, TODAY) for s in panel.sections]

    kept_first, kept_again = keys(), keys()  # computed group by group, then read back group by group
    settings.JICENG = {**settings.JICENG, "WORKBENCH_STREET_SECONDS": 0}
    assert kept_first == kept_again == keys()
    assert kept_first[:3] == ["overdue_demands", "due_today", "department_board"] and "demand_trend" in kept_first


def test_a_street_officers_list_and_inbox_counts_are_kept_with_the_workbench(world, kept_streets,
                                                                            django_capture_on_commit_callbacks):
    """The demand list's counts by status (unfiltered) and the inbox's overdue count and department board are
    the street's: kept beside the workbench's demand sections and retired by the same writes (decision 083)."""
    client = Client()
    client.force_login(world["users"]["staff"])
    street1 = Demand.objects.filter(street=world["tree"]["street1"])

    def status_counts(query: str = "") -> dict[str, int]:
        return {value: n for value, _label, n in client.get("/demands/" + query).context["status_counts"]}

    def overdue() -> int:
        return client.get("/demands/inbox/").context["overdue_count"]

    submitted = street1.filter(status=DemandStatus.SUBMITTED).count()
    assert status_counts()[DemandStatus.SUBMITTED] == submitted > 0
    assert overdue() == street1.filter(status__in=(DemandStatus.ACCEPTED, DemandStatus.ASSIGNED),
                                       due_date__lt=TODAY).count() > 0
    # What sends no signal is not seen while kept, except by a filtered list, which is counted each time...
    street1.filter(status=DemandStatus.SUBMITTED).update(status=DemandStatus.CLOSED)
    street1.filter(due_date__lt=TODAY).update(due_date=TODAY + 30 * DAY)
    assert status_counts()[DemandStatus.SUBMITTED] == submitted and overdue() > 0
    assert status_counts(f"?status={DemandStatus.SUBMITTED}")[DemandStatus.SUBMITTED] == 0
    # ...a demand saved in the street retires them once the write commits.
    with django_capture_on_commit_callbacks(execute=True):
        Demand.objects.create(text="门禁故障", title="门禁故障", place=world["tree"]["building1"])
    assert status_counts()[DemandStatus.SUBMITTED] == 1 and overdue() == 0


def test_a_demand_or_a_building_moved_out_of_a_street_leaves_its_kept_counts(world, kept_streets,
                                                                            django_capture_on_commit_callbacks):
    """A save that takes a demand to another street renews the street it left as well; a building moved to
    another street (its demands follow by update(), without a signal) renews both streets."""
    client = Client()
    client.force_login(world["users"]["staff"])
    tree = world["tree"]

    def total() -> int:
        return sum(n for _value, _label, n in client.get("/demands/").context["status_counts"])

    before = total()
    assert before == Demand.objects.filter(street=tree["street1"]).count() > 1
    with django_capture_on_commit_callbacks(execute=True):
        demand = Demand.objects.filter(street=tree["street1"], place=tree["building1"]).first()
        demand.place = tree["building2"]
        demand.save()
    assert total() == before - 1
    with django_capture_on_commit_callbacks(execute=True):
        building = tree["building1"]
        building.parent = tree["street2"]
        building.save()
    assert total() == Demand.objects.filter(street=tree["street1"]).count() < before - 1
