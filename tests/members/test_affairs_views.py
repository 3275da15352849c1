"""Member affairs through the UI and the API: the same rules, scoping, and self-service."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.members import dues, transfers
from jiceng.members.models import Application, DuesPayment, Member, Stage, Transfer, TransferState
from jiceng.organizations.models import OrgKind
from tests import factories as f

D = dt.date


@pytest.fixture
def setup(tree):
    # The branches' committee issues transfer letters (组织关系接转权限); branch secretaries request them.
    committee = f.organization(tree["street1"], "五角场街道党工委", kind=OrgKind.COMMITTEE, transfer_authority=True)
    a = f.organization(tree["park1"], "甲支部", parent=committee)
    b = f.organization(tree["park2"], "乙支部")
    secretary = f.user("sec_a", Role.ORG_SECRETARY, a)
    member = f.member(a, "张三", join_date=D(2015, 7, 1))
    return {"a": a, "b": b, "committee": committee, "secretary": secretary, "member": member, "tree": tree}


@pytest.fixture
def sec_client(client, setup):
    client.force_login(setup["secretary"])
    return client


@pytest.fixture
def sec_api(setup):
    api = APIClient()
    api.force_authenticate(setup["secretary"])
    return api


def application_payload(org, **kw):
    birth = D(1999, 1, 2)
    data = {"name": "王小明", "gender": "M", "birth_date": birth.isoformat(), "id_number": f.id_number(birth=birth),
            "phone": "13900001111", "organization": org.pk, "applied_on": "2025-01-10"}
    data.update(kw)
    return data


def test_application_created_and_step_recorded_in_ui(sec_client, setup):
    r = sec_client.post(reverse("members:application_add"), application_payload(setup["a"]))
    assert r.status_code == 302
    app = Application.objects.get(name="王小明")
    detail = sec_client.get(app.get_absolute_url()).content.decode()
    assert "党组织派人谈话" in detail and "已逾期" in detail  # the talk was due within a month
    r = sec_client.post(reverse("members:application_step", args=[app.pk, "talk"]),
                        {"date": "2025-02-11", "people": "书记"})
    assert r.status_code == 400 and "最迟 2025-02-10" in r.content.decode()
    sec_client.post(reverse("members:application_step", args=[app.pk, "talk"]), {"date": "2025-02-10",
                                                                                  "people": "书记"})
    r = sec_client.post(reverse("members:application_step", args=[app.pk, "activist"]), {"date": "2025-02-20"})
    assert r.status_code == 302
    app.refresh_from_db()
    assert app.stage == Stage.ACTIVIST


def test_underage_application_refused_in_ui_with_field_error(sec_client, setup):
    birth = D(2010, 1, 1)
    r = sec_client.post(reverse("members:application_add"), application_payload(
        setup["a"], birth_date=birth.isoformat(), id_number=f.id_number(birth=birth)))
    assert r.status_code == 200 and "18" in r.content.decode()
    assert not Application.objects.exists()


def test_application_api_and_step_out_of_order(sec_api, setup):
    r = sec_api.post("/api/applications/", application_payload(setup["a"]), format="json")
    assert r.status_code == 201, r.json()
    app_id = r.json()["id"]
    r = sec_api.post(f"/api/applications/{app_id}/steps/", {"code": "activist", "date": "2025-01-20"}, format="json")
    assert r.status_code == 400 and "须先完成" in str(r.json())
    r = sec_api.post(f"/api/applications/{app_id}/steps/", {"code": "talk", "date": "2025-01-20", "people": "书记"},
                     format="json")
    assert r.status_code == 201 and [s["code"] for s in r.json()["steps"]] == ["apply", "talk"]


def test_application_for_other_branch_refused(sec_api, setup):
    r = sec_api.post("/api/applications/", application_payload(setup["b"]), format="json")
    assert r.status_code == 400 and "organization" in r.json()


def test_due_list_page(sec_client, setup):
    sec_client.post(reverse("members:application_add"), application_payload(setup["a"]))
    page = sec_client.get(reverse("members:due_list")).content.decode()
    assert "王小明" in page and "党组织派人谈话" in page


def test_transfer_issue_complete_in_ui_and_letter(sec_client, setup):
    m = setup["member"]
    r = sec_client.post(reverse("members:transfer_issue", args=[m.pk]), {
        "to_organization": setup["b"].pk, "issue_date": dt.date.today().isoformat()})
    assert r.status_code == 302
    t = Transfer.objects.get(member=m)
    # The branch secretary only requests; the committee with transfer authority issues the letter.
    assert t.state == TransferState.REQUESTED and t.letter_no == ""
    sec_client.post(reverse("members:transfer_action", args=[t.pk, "issue"]))
    t.refresh_from_db()
    assert t.state == TransferState.REQUESTED
    authority = f.user("org_dept", Role.STREET_STAFF, setup["tree"]["street1"])
    sec_client.force_login(authority)
    assert "开具介绍信" in sec_client.get(t.get_absolute_url()).content.decode()
    sec_client.post(reverse("members:transfer_action", args=[t.pk, "issue"]))
    sec_client.force_login(setup["secretary"])
    t.refresh_from_db()
    assert t.state == TransferState.ISSUED and t.issued_by == setup["committee"] and t.letter_no
    letter = sec_client.get(reverse("members:transfer_letter", args=[t.pk])).content.decode()
    assert t.letter_no in letter and "乙支部" in letter and "回执" in letter
    r = sec_client.post(reverse("members:transfer_issue", args=[m.pk]), {
        "external_organization": "外地", "issue_date": dt.date.today().isoformat()})
    assert "正在办理" in r.content.decode()
    # The issuing side cannot complete the move; the receiving organization does.
    sec_client.post(reverse("members:transfer_action", args=[t.pk, "complete"]))
    t.refresh_from_db()
    assert t.state == TransferState.ISSUED
    sec_client.force_login(f.user("sec_b", Role.ORG_SECRETARY, setup["b"]))
    sec_client.post(reverse("members:transfer_action", args=[t.pk, "complete"]))
    sec_client.force_login(setup["secretary"])
    t.refresh_from_db()
    m.refresh_from_db()
    assert t.state == TransferState.COMPLETED and m.organization == setup["b"]
    # After the move the member left the secretary's scope; the transfer stays visible from its origin.
    assert sec_client.get(m.get_absolute_url()).status_code == 404
    assert sec_client.get(t.get_absolute_url()).status_code == 200


def test_transfer_api_second_open_refused_and_reopen_refused(sec_api, setup):
    m = setup["member"]
    r = sec_api.post("/api/transfers/", {"member": m.pk, "to_organization": setup["b"].pk}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["state"] == "requested"
    tid = r.json()["id"]
    # The secretary cannot issue; the authority (the committee's staff) can.
    assert sec_api.post(f"/api/transfers/{tid}/issue/", {}, format="json").status_code == 403
    staff = APIClient()
    staff.force_authenticate(f.user("org_dept", Role.STREET_STAFF, setup["tree"]["street1"]))
    r = staff.post(f"/api/transfers/{tid}/issue/", {}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "issued" and r.json()["issued_by"] == setup["committee"].pk
    r2 = sec_api.post("/api/transfers/", {"member": m.pk, "external_organization": "外地"}, format="json")
    assert r2.status_code == 400 and "正在办理" in str(r2.json())
    assert sec_api.post(f"/api/transfers/{tid}/complete/", {}, format="json").status_code == 403
    receiving = APIClient()
    receiving.force_authenticate(f.user("sec_b", Role.ORG_SECRETARY, setup["b"]))
    assert receiving.post(f"/api/transfers/{tid}/complete/", {}, format="json").status_code == 200
    r3 = receiving.post(f"/api/transfers/{tid}/receive/", {}, format="json")
    assert r3.status_code == 400 and "不能重新打开" in str(r3.json())


def test_transfer_of_member_outside_scope_refused(sec_api, setup):
    other = f.member(setup["b"], "李四")
    r = sec_api.post("/api/transfers/", {"member": other.pk, "external_organization": "外地"}, format="json")
    assert r.status_code == 400 and "member" in r.json()


def test_dues_in_ui_and_api(sec_client, sec_api, setup):
    m = setup["member"]
    month = dt.date.today().replace(day=1)
    sec_client.post(reverse("members:member_dues", args=[m.pk, "base"]), {
        "category": "in_service", "base": "6000", "effective_month": month.isoformat()})
    page = sec_client.get(m.get_absolute_url()).content.decode()
    assert "¥90.00" in page
    sec_client.post(reverse("members:member_dues", args=[m.pk, "pay"]), {
        "month": month.isoformat(), "amount": "", "method": "wechat", "paid_on": dt.date.today().isoformat()})
    assert DuesPayment.objects.get(member=m).amount == 90
    r = sec_api.post("/api/dues/payments/", {"member": m.pk, "month": month.isoformat(), "amount": "90",
                                            "method": "cash"}, format="json")
    assert r.status_code == 400 and "month" in r.json()
    r = sec_api.post("/api/dues/bases/", {"member": m.pk, "category": "in_service", "base": "abc",
                                         "effective_month": month.isoformat()}, format="json")
    assert r.status_code == 400 and "base" in r.json()


def test_dues_api_optional_category_and_method_take_the_defaults(sec_api, setup):
    """category (bases) and method (payments) are optional in the API: leaving them out is a 201, not a 500."""
    m = setup["member"]
    month = dt.date.today().replace(day=1)
    r = sec_api.post("/api/dues/bases/", {"member": m.pk, "base": "6000", "effective_month": month.isoformat()},
                     format="json")
    assert r.status_code == 201, r.content
    assert r.json()["category"] == "in_service"
    assert m.dues_bases.get().category == "in_service"
    r = sec_api.post("/api/dues/payments/", {"member": m.pk, "month": month.isoformat()}, format="json")
    assert r.status_code == 201, r.content
    payment = DuesPayment.objects.get(member=m)
    assert payment.method == "wechat" and payment.amount == 90  # the amount due on the 6000 base
    # A wrong value still names its field.
    r = sec_api.post("/api/dues/bases/", {"member": m.pk, "base": "6000", "category": "nope",
                                         "effective_month": month.isoformat()}, format="json")
    assert r.status_code == 400 and "category" in r.json()


def test_dues_report_and_export(sec_client, setup):
    m = setup["member"]
    dues.declare_base(m, category="in_service", base="3000", effective_month=D(2026, 1, 1))
    page = sec_client.get(reverse("members:dues_report"), {"organization": setup["a"].pk}).content.decode()
    assert "张三" in page
    r = sec_client.get(reverse("members:dues_report"), {"organization": setup["a"].pk, "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sec_client.get(reverse("members:dues_report"), {"organization": setup["b"].pk}).status_code == 404


def test_inactivity_report_lists_members_without_payments(sec_client, setup):
    f.member(setup["a"], "新党员", join_date=dt.date.today())
    page = sec_client.get(reverse("members:inactivity"), {"organization": setup["a"].pk}).content.decode()
    assert "张三" in page and "新党员" not in page


def test_member_self_service_page_and_api(client, setup):
    m = setup["member"]
    user = f.user("zhangsan", Role.MEMBER, m)
    transfers.issue_transfer(m, to_organization=setup["b"], issue_date=dt.date.today())
    dues.declare_base(m, category="in_service", base="3000", effective_month=dt.date.today().replace(day=1))
    dues.record_payment(m, month=dt.date.today(), method="cash")
    client.force_login(user)
    page = client.get(reverse("members:me")).content.decode()
    assert "乙支部" in page and "已开具" in page and "¥15.00" in page and m.id_number not in page
    api = APIClient()
    api.force_authenticate(user)
    data = api.get("/api/me/").json()
    assert data["name"] == "张三" and data["transfers"][0]["state"] == "issued" and "*" in data["id_number_masked"]
    # A member cannot act on affairs.
    assert api.post("/api/transfers/", {"member": m.pk, "external_organization": "x"}, format="json").status_code == 403
    other = f.member(setup["a"], "王五")
    assert client.get(other.get_absolute_url()).status_code == 404


def test_incoming_transfer_form(sec_client, setup):
    birth = D(1990, 2, 3)
    r = sec_client.post(reverse("members:transfer_incoming"), {
        "name": "赵六", "gender": "M", "birth_date": birth.isoformat(), "id_number": f.id_number(birth=birth),
        "phone": "", "join_date": "2012-07-01", "status": "full", "to_organization": setup["a"].pk,
        "external_organization": "浙江某支部", "letter_no": "ZJW-9", "issue_date": dt.date.today().isoformat()})
    assert r.status_code == 302
    t = Transfer.objects.get(letter_no="ZJW-9")
    sec_client.post(reverse("members:transfer_action", args=[t.pk, "complete"]))
    assert Member.objects.get(name="赵六").organization == setup["a"]


def test_application_documents_type_checked(sec_client, setup, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    sec_client.post(reverse("members:application_add"), application_payload(setup["a"]))
    app = Application.objects.get()
    url = reverse("members:application_document", args=[app.pk])
    bad = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")
    sec_client.post(url, {"title": "申请书", "file": bad})
    assert app.documents.count() == 0
    good = SimpleUploadedFile("apply.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    sec_client.post(url, {"title": "入党申请书", "file": good})
    assert app.documents.get().title == "入党申请书"


def test_expiry_task_runs(setup):
    from jiceng.members.tasks import expire_transfer_letters

    t = transfers.issue_transfer(setup["member"], to_organization=setup["b"], issue_date=D(2020, 1, 1))
    expire_transfer_letters.call_local()
    t.refresh_from_db()
    assert t.state == TransferState.EXPIRED


def test_document_download_is_scoped(sec_client, client, setup, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    sec_client.post(reverse("members:application_add"), application_payload(setup["a"]))
    app = Application.objects.get()
    sec_client.post(reverse("members:application_document", args=[app.pk]),
                    {"title": "谈话记录", "file": SimpleUploadedFile("t.pdf", b"%PDF-1.4 x")})
    doc = app.documents.get()
    url = reverse("members:application_document_download", args=[app.pk, doc.pk])
    assert b"".join(sec_client.get(url).streaming_content) == b"%PDF-1.4 x"
    client.force_login(f.user("sec_b", Role.ORG_SECRETARY, setup["b"]))
    assert client.get(url).status_code == 404


# --- the development procedure: bad input and permissions (UI and API) ----------------------------------
def _publicity_ready(setup):
    """A development target in 甲支部 with introducers, political review and training done (dates in 2023)."""
    from jiceng.members.pipeline import StepInput, create_application, record_step

    full = [f.member(setup["a"], name, full_date=D(2016, 7, 1)) for name in ("老党员甲", "老党员乙")]
    birth = D(1998, 6, 15)
    app = create_application(name="李小红", gender="F", birth_date=birth,
                             id_number=f.id_number(birth=birth, male=False), organization=setup["a"],
                             applied_on=D(2022, 3, 1))
    for code, day, kw in [
        ("talk", D(2022, 3, 10), {"people": "书记"}), ("activist", D(2022, 3, 20), {}),
        ("contacts", D(2022, 3, 25), {"contacts": full}), ("assessment", D(2022, 9, 15), {"reference": "考察"}),
        ("assessment", D(2023, 3, 10), {"reference": "考察"}), ("target", D(2023, 3, 20), {"reference": "备案"}),
        ("introducers", D(2023, 4, 1), {"introducers": full}),
        ("political_review", D(2023, 4, 3), {"reference": "政审"}),
        ("training", D(2023, 4, 5), {"training_days": 3}),
    ]:
        record_step(app, StepInput(code, day, **kw))
    return app


def test_publicity_one_working_day_short_refused_in_ui_under_its_field(sec_client, setup):
    app = _publicity_ready(setup)
    url = reverse("members:application_step", args=[app.pk, "publicity"])
    # Monday 10 to Thursday 13 April 2023: four working days.
    r = sec_client.post(url, {"date": "2023-04-10", "ends_on": "2023-04-13"})
    assert r.status_code == 400
    errors = r.context["step_form"].errors
    assert "不少于 5 个工作日" in errors["ends_on"][0] and "只有 4 个工作日" in errors["ends_on"][0]
    assert not app.steps.filter(code="publicity").exists()
    r = sec_client.post(url, {"date": "2023-04-10", "ends_on": "2023-04-14"})
    assert r.status_code == 302 and app.steps.get(code="publicity").ends_on == D(2023, 4, 14)
    page = sec_client.get(app.get_absolute_url()).content.decode()
    assert "公示至" in page and "基层党委预审" in page


def test_out_of_order_step_refused_in_ui_above_the_form(sec_client, setup):
    app = _publicity_ready(setup)
    r = sec_client.post(reverse("members:application_step", args=[app.pk, "pre_review"]),
                        {"date": "2023-04-20", "reference": "预审"})
    assert r.status_code == 400
    assert "须先完成:公示" in " ".join(r.context["step_form"].non_field_errors())
    assert 'data-testid="step-errors"' in r.content.decode()
    # The form of a step shows the article it comes from.
    page = sec_client.get(app.get_absolute_url(), {"step": "political_review"}).content.decode()
    assert "《细则》" in page


def test_step_api_names_the_field(sec_api, setup):
    app = _publicity_ready(setup)
    url = f"/api/applications/{app.pk}/steps/"
    r = sec_api.post(url, {"code": "pre_review", "date": "2023-04-20", "reference": "预审"}, format="json")
    assert r.status_code == 400 and "须先完成" in r.json()["code"][0] and "第十九条" in r.json()["code"][0]
    r = sec_api.post(url, {"code": "publicity", "date": "2023-04-10", "ends_on": "2023-04-13"}, format="json")
    assert r.status_code == 400 and "只有 4 个工作日" in r.json()["ends_on"][0]
    r = sec_api.post(url, {"code": "publicity", "date": "2023-04-10", "ends_on": "2023-04-14"}, format="json")
    assert r.status_code == 201
    assert [s["ends_on"] for s in r.json()["steps"] if s["code"] == "publicity"] == ["2023-04-14"]
    # The last assessment was on 2023-03-10: a pre-review after 2023-09-10 misses a half-year.
    r = sec_api.post(url, {"code": "pre_review", "date": "2023-09-11", "reference": "预审"}, format="json")
    assert r.status_code == 400 and "缺少半年考察" in r.json()["code"][0]
    assert app.steps.count() == 11


def test_step_api_refuses_members_outside_the_callers_scope(sec_api, setup):
    app = _publicity_ready(setup)
    app.steps.filter(code="introducers").delete()
    stranger = f.member(setup["b"], "外支部党员", full_date=D(2016, 7, 1))
    r = sec_api.post(f"/api/applications/{app.pk}/steps/", {
        "code": "introducers", "date": "2023-04-06", "introducers": [setup["member"].pk, stranger.pk]},
        format="json")
    assert r.status_code == 400 and "introducers" in r.json() and "外支部党员" not in str(r.json())
    assert not app.steps.filter(code="introducers").exists()


# Another branch's secretary does not see the application (404); a building worker sees it but may not write (403);
# a member's account may not write applications at all (API: 403 before any lookup) nor see this one (page: 404).
@pytest.mark.parametrize("who, api_status, ui_status", [
    ("other_secretary", 404, 404), ("building_worker", 403, 403), ("member", 403, 404)])
def test_step_endpoints_refuse_other_roles(setup, client, who, api_status, ui_status):
    app = _publicity_ready(setup)
    users = {
        "other_secretary": f.user("sec_b", Role.ORG_SECRETARY, setup["b"]),
        "building_worker": f.user("worker", Role.BUILDING_WORKER, setup["tree"]["park1"]),
        "member": f.user("zhangsan", Role.MEMBER, setup["member"]),
    }
    api = APIClient()
    api.force_authenticate(users[who])
    payload = {"code": "publicity", "date": "2023-04-10", "ends_on": "2023-04-14"}
    assert api.post(f"/api/applications/{app.pk}/steps/", payload, format="json").status_code == api_status
    client.force_login(users[who])
    r = client.post(reverse("members:application_step", args=[app.pk, "publicity"]),
                    {"date": "2023-04-10", "ends_on": "2023-04-14"})
    assert r.status_code == ui_status
    assert not app.steps.filter(code="publicity").exists()


def test_anonymous_cannot_record_steps(setup, client):
    app = _publicity_ready(setup)
    r = APIClient().post(f"/api/applications/{app.pk}/steps/", {"code": "oath", "date": "2023-04-10"},
                         format="json")
    assert r.status_code in (401, 403)
    r = client.post(reverse("members:application_step", args=[app.pk, "oath"]), {"date": "2023-04-10"})
    assert r.status_code == 302 and "login" in r["Location"]


def test_schema_lists_the_step_codes(client, db):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    enums = [s["enum"] for s in components.values() if "enum" in s and "political_review" in s["enum"]]
    assert enums, "no enum of step codes in the schema"
    for codes in enums:
        assert {"political_review", "pre_review", "volunteer_form", "superior_talk", "oath", "full_application",
                "publicity", "cancel_probation", "contacts", "assessment", "full_meeting"} <= set(codes)
    step_input = components["StepInputRequest"]["properties"]
    assert {"ends_on", "contacts"} <= set(step_input)
