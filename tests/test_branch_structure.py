"""Party structure rules: members only in branches (model, form, API, import, data migration), the coverage
report's structure checks at their boundaries, computed committee terms, and reduced or exempted dues."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.core.importing import read_rows, validate
from jiceng.members import dues
from jiceng.members.importing import MEMBER_IMPORT
from jiceng.members.models import DuesRelief, Member
from jiceng.members.placement import move_misplaced_members
from jiceng.organizations.coverage import coverage_report
from jiceng.organizations.models import Organization, OrgKind, TermLength
from jiceng.places.models import PlaceKind
from tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 3, 15)  # every date below is relative to this one, passed explicitly (the clock is never read)


@pytest.fixture
def orgs(tree):
    committee = f.organization(tree["street1"], "五角场街道党工委", kind=OrgKind.COMMITTEE, transfer_authority=True)
    general = f.organization(tree["park1"], "园区党总支", kind=OrgKind.GENERAL_BRANCH, parent=committee)
    branch = f.organization(tree["park1"], "甲支部", parent=general)
    group = f.organization(tree["park1"], "甲支部第一党小组", kind=OrgKind.PARTY_GROUP, parent=branch)
    other = f.organization(tree["park1"], "乙支部", parent=committee)
    return {"committee": committee, "general": general, "branch": branch, "group": group, "other": other}


def _member(org, n: int = 1, **kw) -> Member:
    birth = D(1990, 5, 17)
    return Member(name=f"党员{n}", gender="M", birth_date=birth, id_number=f.id_number(8000 + n, birth),
                  join_date=D(2015, 7, 1), organization=org, **kw)


# --- members only in branches -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["committee", "general"])
def test_model_refuses_member_in_committee_or_general_branch(orgs, kind):
    with pytest.raises(ValidationError) as exc:
        _member(orgs[kind]).full_clean()
    message = exc.value.message_dict["organization"][0]
    assert "党章第八条" in message and orgs[kind].name in message


def test_model_accepts_each_branch_kind_and_a_group_of_the_branch(orgs, tree):
    for kind in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH):
        org = f.organization(tree["park1"], f"{kind}支部", kind=kind, parent=orgs["committee"])
        _member(org).full_clean()
    _member(orgs["branch"], party_group=orgs["group"]).full_clean()


def test_party_group_is_beside_the_branch_not_instead(orgs):
    with pytest.raises(ValidationError) as exc:
        _member(orgs["group"]).full_clean()
    assert "党小组" in exc.value.message_dict["organization"][0]
    with pytest.raises(ValidationError) as exc:  # a group of another branch
        _member(orgs["other"], party_group=orgs["group"]).full_clean()
    assert "不属于" in exc.value.message_dict["party_group"][0]
    with pytest.raises(ValidationError) as exc:  # not a group at all
        _member(orgs["branch"], party_group=orgs["other"]).full_clean()
    assert "party_group" in exc.value.message_dict


def _form_data(org, n=1, **kw):
    birth = D(1990, 5, 17)
    data = {"name": "王小明", "gender": "M", "ethnicity": "汉族", "birth_date": birth.isoformat(),
            "id_number": f.id_number(8100 + n, birth), "join_date": "2015-07-01", "status": "full",
            "organization": org.pk, "households_contacted": 0}
    data.update(kw)
    return data


def test_form_refuses_committee_with_the_rule(client, orgs, tree):
    client.force_login(f.user("staff", Role.STREET_STAFF, tree["street1"]))
    r = client.post(reverse("members:member_add"), _form_data(orgs["committee"]))
    assert r.status_code == 200 and "党章第八条" in r.content.decode()
    assert not Member.objects.exists()
    r = client.post(reverse("members:member_add"), _form_data(orgs["branch"], party_group=orgs["group"].pk))
    assert r.status_code == 302
    assert Member.objects.get().party_group == orgs["group"]


def test_api_refuses_general_branch_with_the_rule(orgs, tree):
    api = APIClient()
    api.force_authenticate(f.user("staff", Role.STREET_STAFF, tree["street1"]))
    r = api.post("/api/members/", _form_data(orgs["general"]), format="json")
    assert r.status_code == 400 and "党章第八条" in r.json()["organization"][0]
    assert not Member.objects.exists()
    r = api.post("/api/members/", _form_data(orgs["branch"], party_group=orgs["group"].pk), format="json")
    assert r.status_code == 201 and r.json()["party_group"] == orgs["group"].pk


def test_import_refuses_committee_row_and_imports_nothing(orgs, tree):
    wb = Workbook()
    ws = wb.active
    headers = [str(c.header) for c in MEMBER_IMPORT.columns]
    ws.append(headers)
    birth = dt.datetime(1990, 5, 17)
    for n, org in ((1, "甲支部"), (2, "五角场街道党工委")):
        row = {"姓名": f"王{n}", "性别": "男", "出生日期": birth, "公民身份号码": f.id_number(8200 + n, birth.date()),
               "入党日期": dt.datetime(2015, 7, 1), "所在党组织": org}
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    result = validate(MEMBER_IMPORT, read_rows(out), f.user("staff", Role.STREET_STAFF, tree["street1"]))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(3, "所在党组织")]
    assert "党章第八条" in result.errors[0].reason
    assert not Member.objects.exists()


# --- the data migration's function --------------------------------------------------------------------------
def test_migration_moves_members_to_the_first_branch_or_a_new_direct_branch(orgs, tree):
    from jiceng.organizations.models import Organization as Org

    in_committee = f.member(orgs["committee"], "甲")  # the factory saves without clean(), as old data was
    in_general = f.member(orgs["general"], "乙")
    in_group = f.member(orgs["group"], "丙")
    lonely = f.organization(tree["street2"], "殷行街道党工委", kind=OrgKind.COMMITTEE)
    in_lonely = f.member(lonely, "丁")
    moved = move_misplaced_members(Org, Member, Member.history.model, Org.history.model, today=TODAY)
    for m in (in_committee, in_general, in_group, in_lonely):
        m.refresh_from_db()
    # The first branch under each by path: the committee's path sorts 甲支部 (under the 总支) before 乙支部 only if
    # its path does, so compare with the same ordering.
    first = Org.objects.filter(path__startswith=orgs["committee"].path,
                               kind__in=("branch", "joint_branch", "temporary_branch")).order_by("path").first()
    assert in_committee.organization == first
    assert in_general.organization == orgs["branch"]
    assert (in_group.organization, in_group.party_group) == (orgs["branch"], orgs["group"])
    direct = Org.objects.get(name="殷行街道党工委直属党支部")
    assert (direct.kind, direct.parent, direct.path) == ("branch", lonely, f"{lonely.path}{direct.pk}/")
    assert (direct.street, direct.established) == (tree["street2"], TODAY)
    assert in_lonely.organization == direct
    for m in (in_committee, in_general, in_group, in_lonely):
        m.full_clean()
        latest = m.history.first()
        assert latest.history_type == "~" and "决策记录039" in latest.history_change_reason
        assert latest.organization_id == m.organization_id
    assert direct.history.first().history_type == "+"
    assert sorted(n for _a, _b, n in moved) == [1, 1, 1, 1]
    assert move_misplaced_members(Org, Member, Member.history.model, Org.history.model, today=TODAY) == []


# --- coverage report: structure checks at their boundaries -------------------------------------------------
def _joint(tree, parent, units: int, name: str):
    org = f.organization(tree["park1"], name, kind=OrgKind.JOINT_BRANCH, parent=parent)
    for i in range(units):
        f.cover(org, f.enterprise(tree["building1"], f"{name}单位{i}"))
    return org


def test_joint_branch_with_five_units_passes_six_listed(orgs, tree):
    five = _joint(tree, orgs["committee"], 5, "五单位联合支部")
    six = _joint(tree, orgs["committee"], 6, "六单位联合支部")
    report = coverage_report(tree["street1"], today=TODAY)
    assert report.joint_too_many_units == [(six, 6)]
    assert five not in [o for o, _n in report.joint_too_many_units]


def test_branch_member_thresholds_50_51_100_101(orgs, tree):
    sizes = {50: None, 51: "general", 100: "general", 101: "committee"}
    made = {}
    for n in sizes:
        org = f.organization(tree["park1"], f"{n}人支部", parent=orgs["committee"])
        Member.objects.bulk_create([Member(name=f"党员{n}-{i}", gender="M", birth_date=D(1990, 5, 17),
                                           id_number=f.id_number(10000 + n * 200 + i), join_date=D(2015, 7, 1),
                                           organization=org) for i in range(n)])
        made[n] = org
    f.member(made[50], "已转出", left_on=D(2025, 1, 1))  # not on the rolls: the 50-member branch stays at 50
    report = coverage_report(tree["street1"], today=TODAY)
    assert report.suggest_general_branch == [(made[100], 100), (made[51], 51)]
    assert report.suggest_committee == [(made[101], 101)]


def test_temporary_branch_end_date_today_passes_yesterday_listed(orgs, tree):
    def temp(name, end):
        return f.organization(tree["park1"], name, kind=OrgKind.TEMPORARY_BRANCH, parent=orgs["committee"],
                              established=D(2025, 1, 1), end_date=end)

    temp("今天到期临时支部", TODAY)
    overdue = temp("昨天到期临时支部", TODAY - dt.timedelta(days=1))
    assert coverage_report(tree["street1"], today=TODAY).temporary_overdue == [overdue]


def test_only_temporary_branches_have_an_end_date(orgs, tree):
    org = Organization(name="某支部", kind=OrgKind.BRANCH, place=tree["park1"], parent=orgs["committee"],
                       end_date=TODAY)
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert "end_date" in exc.value.message_dict


def test_term_end_computed_from_election_date_and_the_kinds_length(orgs, tree):
    org = f.organization(tree["park1"], "换届支部", parent=orgs["committee"], term_start=D(2021, 6, 1))
    assert org.term_end == D(2026, 6, 1)  # five years (党章 2022 第三十条)
    report = coverage_report(tree["street1"], today=TODAY)  # 2026-06-01 is within 90 days of 2026-03-15
    assert org in report.terms_ending
    # A locality on three-year branch terms changes the data; stored ends follow at once.
    row = TermLength.objects.get(kind=OrgKind.BRANCH)
    row.years = 3
    row.save()
    org.refresh_from_db()
    assert org.term_end == D(2024, 6, 1)
    assert org in coverage_report(tree["street1"], today=TODAY).terms_ended
    # Temporary branches hold no elections: no term.
    temporary = f.organization(tree["park1"], "临时支部", kind=OrgKind.TEMPORARY_BRANCH, parent=orgs["committee"],
                               term_start=D(2025, 1, 1))
    assert temporary.term_end is None


def test_term_end_is_read_only_in_the_api(orgs, tree):
    api = APIClient()
    api.force_authenticate(f.user("staff", Role.STREET_STAFF, tree["street1"]))
    r = api.post("/api/organizations/", {"name": "新支部", "kind": "branch", "parent": orgs["committee"].pk,
                                         "place": tree["park1"].pk, "term_start": "2024-01-01",
                                         "term_end": "2030-12-31"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["term_end"] == "2029-01-01"


def test_structure_sections_in_page_api_and_excel(client, orgs, tree):
    six = _joint(tree, orgs["committee"], 6, "六单位联合支部")
    user = f.user("staff", Role.STREET_STAFF, tree["street1"])
    client.force_login(user)
    page = client.get(reverse("organizations:coverage"), {"place": tree["street1"].pk}).content.decode()
    assert "联合支部覆盖单位过多" in page and "六单位联合支部" in page and "临时支部逾期未撤销" in page
    api = APIClient()
    api.force_authenticate(user)
    data = api.get("/api/coverage/", {"place": tree["street1"].pk}).json()
    assert data["joint_too_many_units"] == [{"id": six.pk, "name": six.name, "units": 6}]
    assert data["suggest_general_branch"] == [] and data["temporary_overdue"] == []
    r = client.get(reverse("organizations:coverage"), {"place": tree["street1"].pk, "export": "xlsx"})
    book = load_workbook(io.BytesIO(r.content))
    assert "联合支部覆盖单位过多" in book.sheetnames
    assert [c.value for c in book["联合支部覆盖单位过多"][2]] == ["六单位联合支部", 6]


def test_report_query_count_does_not_grow_with_areas_or_flagged_rows(orgs, tree):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            coverage_report(tree["district"], today=TODAY, children=True)
        return len(queries)

    before = count()
    for i in range(4):
        park = f.place(f"新园区{i}", PlaceKind.PARK, tree["street1"])
        _joint(tree, orgs["committee"], 6, f"新联合支部{i}")
        f.organization(park, f"新临时支部{i}", kind=OrgKind.TEMPORARY_BRANCH, parent=orgs["committee"],
                       established=D(2025, 1, 1), end_date=D(2025, 6, 1))
    assert count() == before <= 16


# --- reduced and exempted dues --------------------------------------------------------------------------------
@pytest.fixture
def payer(orgs):
    m = f.member(orgs["branch"], "缴费人", join_date=D(2015, 7, 1))
    dues.declare_base(m, category="in_service", base="6000", effective_month=D(2026, 1, 1))  # 1.5% = 90.00
    return m


def _relief(m, kind, amount=None, start=D(2026, 2, 1), end=D(2026, 3, 1), **kw):
    values = {"reason": "生活困难", "approved_by": "五角场街道党工委", "approved_on": D(2026, 1, 20)}
    values.update(kw)
    return dues.grant_relief(m, kind=kind, amount=amount, start_month=start, end_month=end, **values)


def test_exemption_removes_arrears_and_reduction_owes_the_reduced_amount(payer):
    members = Member.objects.filter(pk=payer.pk)
    [owed] = dues.arrears(members, up_to=TODAY)
    assert (len(owed.months), owed.amount) == (3, Decimal("270.00"))
    _relief(payer, "exempt", start=D(2026, 2, 1), end=D(2026, 2, 1))
    _relief(payer, "reduced", amount="20", start=D(2026, 3, 1), end=D(2026, 12, 1))
    [owed] = dues.arrears(members, up_to=TODAY)
    assert owed.months == [D(2026, 1, 1), D(2026, 3, 1)] and owed.amount == Decimal("110.00")
    with pytest.raises(ValidationError, match="免交"):
        dues.record_payment(payer, month=D(2026, 2, 1), paid_on=TODAY)
    assert dues.record_payment(payer, month=D(2026, 3, 1), paid_on=TODAY).amount == Decimal("20.00")
    dues.record_payment(payer, month=D(2026, 1, 1), paid_on=TODAY)
    assert dues.arrears(members, up_to=TODAY) == []
    assert [r.kind for r in dues.reliefs_in_year(members, 2026)] == ["exempt", "reduced"]


def test_relief_needs_reason_approver_and_a_lower_amount(payer):
    for kw, field in (({"reason": " "}, "reason"), ({"approved_by": ""}, "approved_by")):
        with pytest.raises(ValidationError) as exc:
            _relief(payer, "exempt", **kw)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _relief(payer, "reduced", amount=None)
    assert "amount" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _relief(payer, "reduced", amount="90")  # not lower than the 90.00 due
    assert "amount" in exc.value.message_dict
    _relief(payer, "exempt")
    with pytest.raises(ValidationError) as exc:
        _relief(payer, "exempt", start=D(2026, 3, 1), end=D(2026, 4, 1))  # overlaps
    assert "start_month" in exc.value.message_dict
    assert DuesRelief.objects.count() == 1


def test_relief_shown_in_dues_report(client, orgs, tree, payer):
    _relief(payer, "exempt")
    client.force_login(f.user("staff", Role.STREET_STAFF, tree["street1"]))
    page = client.get(reverse("members:dues_report"), {"organization": orgs["branch"].pk,
                                                       "year": 2026}).content.decode()
    assert "免交" in page and "生活困难" in page
    r = client.get(reverse("members:dues_report"), {"organization": orgs["branch"].pk, "year": 2026,
                                                    "export": "xlsx"})
    assert "少交免交" in load_workbook(io.BytesIO(r.content)).sheetnames


def test_relief_api_permissions(orgs, tree, payer):
    body = {"member": payer.pk, "kind": "exempt", "start_month": "2026-02-01", "end_month": "2026-03-01",
            "reason": "生活困难", "approved_by": "五角场街道党工委", "approved_on": "2026-01-20"}
    member_user = f.user("self", Role.MEMBER, payer)
    other_street = f.user("staff_b", Role.STREET_STAFF, tree["street2"])
    staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
    api = APIClient()
    api.force_authenticate(member_user)
    assert api.post("/api/dues/reliefs/", body, format="json").status_code == 403
    api.force_authenticate(other_street)
    r = api.post("/api/dues/reliefs/", body, format="json")
    assert r.status_code == 400 and "member" in r.json()
    assert not DuesRelief.objects.exists()
    api.force_authenticate(staff)
    r = api.post("/api/dues/reliefs/", body, format="json")
    assert r.status_code == 201, r.json()
    relief_id = r.json()["id"]
    assert api.get("/api/dues/reliefs/").json()["count"] == 1
    api.force_authenticate(other_street)
    assert api.get("/api/dues/reliefs/").json()["count"] == 0
    assert api.get(f"/api/dues/reliefs/{relief_id}/").status_code == 404
    r = APIClient().get("/api/dues/reliefs/")
    assert r.status_code in (401, 403)
