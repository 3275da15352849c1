"""The demo district: the figures from seed 000 and the gap lists all show up, and loading is idempotent."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from jiceng.accounts.models import ROLE_TARGET, Notification, Role, RoleAssignment
from jiceng.demands.models import Category, Demand, DemandEvent, DemandStatus, Service, Visit
from jiceng.enterprises.models import Enterprise, Ownership
from jiceng.members.models import Member, Transfer, TransferState
from jiceng.operations.demo import DEMO_USERS, PASSWORD, load_demo
from jiceng.organizations.coverage import REPORT_KINDS, child_reports, coverage_report
from jiceng.organizations.models import CommitteeMember, Coverage, Organization
from jiceng.places.models import Place
from jiceng.risk.models import EnterpriseRisk, FollowUp, LevelChange, Signal

pytestmark = pytest.mark.django_db

MODELS = [Place, Enterprise, Organization, Coverage, CommitteeMember, Member, RoleAssignment, get_user_model(),
          Service, Visit, Demand, DemandEvent, Transfer, Signal, EnterpriseRisk, LevelChange, FollowUp, Notification]


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    # Histories too: a second run must not even re-save anything.
    counts.update({f"history:{m.__name__}": m.history.count() for m in MODELS if hasattr(m, "history")})
    return counts


def _place(name: str) -> Place:
    return Place.objects.get(name=name)


@pytest.fixture
def demo(shared_demo, db):
    """The demo, loaded once for this module (tests/conftest.py `shared_demo`)."""
    return shared_demo


def test_load_twice_changes_nothing(demo):
    assert demo["created"] is True
    before = _counts()
    again = load_demo()
    assert again["created"] is False
    assert _counts() == before
    assert again["logins"] == demo["logins"]
    assert again["areas"] == demo["areas"]


def test_chuangzhi_park_matches_seed_000(demo):
    park = _place("创智天地")
    report = coverage_report(park)
    assert report.enterprises == 195
    assert report.org_covered == 148
    assert report.joint_branches == 5
    assert report.independent_branches == 8
    assert report.work_covered > 0
    ents = Enterprise.objects.filter(place__path__startswith=park.path)
    assert set(ents.values_list("industry", flat=True)) == {"I"}
    assert ents.filter(ownership=Ownership.PRIVATE).count() > 150
    # No enterprise is covered twice.
    assert Coverage.objects.filter(enterprise__in=ents).values("enterprise").distinct().count() == 148
    panda = Organization.objects.get(name="攀达科技党支部")
    # Seed 000's 13 members, plus the demo applicants the branch has admitted (jiceng.members.demo).
    assert panda.members.filter(application__isnull=True).count() == 13


def test_jiaxing_building(demo):
    building = _place("嘉兴大厦")
    report = coverage_report(building)
    assert report.enterprises == 93
    assert report.members == 70
    total = Enterprise.objects.filter(place__path__startswith=building.path).aggregate(n=Sum("employees"))["n"]
    assert 780 <= total <= 820


def test_other_places(demo):
    assert coverage_report(_place("豫园小商品市场")).enterprises >= 25
    assert coverage_report(_place("福佑商务大厦")).enterprises == 20
    gaohe = _place("高和大厦")
    assert coverage_report(gaohe).enterprises == 40
    japanese = Enterprise.objects.get(place=gaohe, ownership=Ownership.FOREIGN, name__startswith="樱井")
    assert 0 <= (japanese.lease_end - timezone.localdate()).days <= 61
    assert Place.objects.filter(kind="station", parent=gaohe).exists()
    assert Place.objects.filter(kind="station", parent=_place("五角场街道"), name__contains="青年社区").exists()
    # Seed 001: market members each keep contact with 50 households.
    assert Member.objects.filter(organization__place__name="豫园小商品市场", households_contacted=50).exists()


def test_members_are_plausible(demo):
    members = Member.objects.all()
    assert 250 <= members.count() <= 500
    assert members.filter(status="probationary").exists() and members.filter(is_mobile=True).exists()
    today = timezone.localdate()
    for m in members.filter(status="probationary"):
        # A year's probation; a demo applicant whose probation was served may wait up to three months for the
        # higher committee's approval (细则第三十二条).
        assert (today - m.join_date).days <= (366 + 92 if hasattr(m, "application") else 366)
    # Pinyin search targets.
    assert Member.objects.filter(name="张三", name_pinyin="zhangsan", name_initials="zs").count() == 1
    assert Member.objects.filter(name="李四").count() == 1
    # Every demo record passes the models' own validation.
    for obj in [*members[:40], *Enterprise.objects.all()[:40]]:
        obj.full_clean(exclude=[f.name for f in obj._meta.fields if not f.editable])


def test_logins_exist_with_their_roles(demo):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(PASSWORD)
    expected_scope = {
        "district_admin": "杨浦区", "street_staff": "五角场街道", "street_staff_2": "豫园街道",
        "building_worker": "创智天地", "building_head": "创智天地1号楼", "org_secretary": "攀达科技党支部",
        "unit_contact": "上海攀达信息科技有限公司", "member": "张三", "department_staff": "黄浦区投资促进办公室",
    }
    for username, role, _display in DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(PASSWORD)
        if role is None:
            continue
        assignment = RoleAssignment.objects.get(user=user)
        assert assignment.role == role
        assignment.full_clean()
        assert str(getattr(assignment, ROLE_TARGET[Role(role)])) == expected_scope[username]
        assert (username, role, expected_scope[username]) in demo["logins"]


def test_wujiaochang_gap_lists(demo):
    report = coverage_report(_place("五角场街道"))
    assert report.must_cover_uncovered
    assert all(e.employees >= 50 for e in report.must_cover_uncovered)
    assert [e.name for e, _n in report.should_set_up] == ["上海数联智算科技有限公司"]
    assert report.no_committee and all(n >= 7 for _o, n in report.no_committee)
    assert report.terms_ending
    assert all((o.term_end - timezone.localdate()).days <= 90 for o in report.terms_ending)


SUMMARY = ("enterprises", "org_covered", "work_covered", "organizations", "joint_branches", "independent_branches",
           "members")


@pytest.mark.parametrize("kind", ["district", "street", "park"])
def test_child_rows_add_up_as_each_child_report_does(demo, kind):
    """The grouped child rows give what a report of each child gives, for every area of the kind."""
    parents = Place.objects.filter(kind=kind, children__kind__in=REPORT_KINDS).distinct()
    assert parents
    for parent in parents:
        grouped = child_reports(parent)
        one_by_one = [coverage_report(child) for child in Place.objects.filter(
            parent=parent, kind__in=REPORT_KINDS).order_by("name")]
        assert [(r.place, [getattr(r, k) for k in SUMMARY], r.terms_ended) for r in grouped] == \
            [(r.place, [getattr(r, k) for k in SUMMARY], r.terms_ended) for r in one_by_one]
    assert any(r.members for r in child_reports(parents[0]))


# --- the seeds' story (issue 15): read back through the API, as the administrator ---------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _api(username: str = "admin"):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username=username))
    return client


def _count(client, url: str, **params) -> int:
    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.content[:300])
    return response.json()["count"]


def _all(client, url: str, **params) -> list[dict]:
    response = client.get(url, {**params, "page_size": 500})
    assert response.status_code == 200, (url, response.content[:300])
    body = response.json()
    assert body["next"] is None
    return body["results"]


def test_the_story_through_the_api(demo):
    api = _api()
    # Issue 15's floor for the demo.
    assert _count(api, "/api/demands/") >= 50
    assert _count(api, "/api/visits/") >= 20
    assert _count(api, "/api/services/") >= 30
    assert _count(api, "/api/transfers/") >= 3
    assert _count(api, "/api/dues/payments/") >= 100
    assert _count(api, "/api/applications/") >= 10
    assert _count(api, "/api/risk/enterprises/", level=4) >= 1
    assert _count(api, "/api/risk/enterprises/", level=5) >= 1
    # Every status and every category of demand, over the past months; some open ones past their deadline.
    for status in DemandStatus.values:
        assert _count(api, "/api/demands/", status=status) >= 1, status
    for code in Category.objects.values_list("code", flat=True):
        assert _count(api, "/api/demands/", category=code) >= 1, code
    assert _count(api, "/api/demands/", overdue=True) >= 3
    today = timezone.localdate()
    created = sorted(dt.date.fromisoformat(d["created"][:10]) for d in _all(api, "/api/demands/"))
    assert (today - created[0]).days >= 90 and len({(d.year, d.month) for d in created}) >= 4
    # Visits over the past three months, with findings; some companies are due again this week.
    visits = _all(api, "/api/visits/")
    assert all(v["findings"] for v in visits)
    dates = [dt.date.fromisoformat(v["date"]) for v in visits]
    assert max(dates) < today and (today - min(dates)).days >= 80
    # The station's service list of seed 001.
    assert Service.objects.filter(station__name="五角场青年社区党群服务站").count() == 34
    # Transfers in every state.
    assert {t["state"] for t in _all(api, "/api/transfers/")} == set(TransferState.values)
    # Every colour of the five-colour analysis, and every follow-up with a due date.
    counts = api.get("/api/risk/enterprises/counts/").json()
    assert all(counts[str(level)] >= 1 for level in range(1, 6)), counts
    follow_ups = _all(api, "/api/risk/follow-ups/")
    assert follow_ups and all(f["due_date"] for f in follow_ups)
    # Seed 003: the 日资 company whose lease ends and that needs more room is orange (较不稳定).
    sakurai = Enterprise.objects.get(name="樱井商事（上海）有限公司")
    risk = api.get(f"/api/risk/enterprises/{sakurai.pk}/").json()
    assert risk["computed_level"] == 4
    assert {"outgrowing_premises", "expansion_need"} <= {s["type"] for s in risk["explanation"]}
    # The red one has its follow-up, open, for the street's officer.
    red = EnterpriseRisk.objects.get(computed_level=5).enterprise
    open_red = [f for f in follow_ups if f["enterprise"] == red.pk and f["level"] == 5 and f["status"] == "open"]
    assert open_red
    assert FollowUp.objects.get(pk=open_red[0]["id"]).assignees.filter(username="street_staff").exists()


def test_the_story_is_in_each_role_scope(demo):
    """What the workbenches will show: each role finds its own part of the story."""
    assert _count(_api("street_staff"), "/api/demands/", overdue=True) >= 1
    assert _count(_api("street_staff"), "/api/risk/follow-ups/", status="open", mine=True) >= 1
    assert _count(_api("building_worker"), "/api/demands/", mine=True) >= 3
    assert _count(_api("org_secretary"), "/api/transfers/", state="issued") >= 1  # letters to receive
    assert _count(_api("unit_contact"), "/api/demands/") >= 3
    assert _count(_api("member"), "/api/demands/") >= 2
    assert _count(_api("street_staff_2"), "/api/demands/") >= 3
    # Departments (issue 19): the 区投资促进办's login sees its work (awaiting 签收, signed, what it returned);
    # 豫园街道's board has work in every department state.
    assert _count(_api("department_staff"), "/api/demands/", department_state="pending") >= 1
    assert _count(_api("department_staff"), "/api/demands/", department_state="signed") >= 1
    assert _count(_api("department_staff"), "/api/demands/", department_state="returned") == 1
    assert _count(_api("department_staff"), "/api/demands/", department_state="callback") == 0  # 税务所's, 人社's
    for state in ("pending", "signed", "returned", "callback"):
        assert _count(_api("street_staff_2"), "/api/demands/", department_state=state) >= 1, state
    assert Demand.objects.filter(department__isnull=False, callback_result="satisfied").exists()
    assert Demand.objects.filter(department__short_name="城管", sign_escalated_at__isnull=False).exists()
