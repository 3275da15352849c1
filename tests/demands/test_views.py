"""Demands through the UI, the public form and the API: intake, dispatch, scoping, throttling, attachments."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.demands import intake, workflow
from jiceng.demands.models import Demand, DemandStatus, PublicSubmission, Service
from jiceng.places.models import PlaceKind
from tests import factories as f


def api_for(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def public_post(client, place, text="楼里电梯经常停运,希望尽快检修", **extra):
    token = intake.form_token()
    data = {"text": text, "place": place.pk, "requester_name": "李女士", "requester_phone": "13912345678",
            "website": "", "form_token": token, **extra}
    return client.post(reverse("demands:public_submit"), data)


@pytest.fixture
def past_token(monkeypatch):
    # Submissions faster than a human can type are treated as spam; tests pretend the form is older.
    monkeypatch.setattr(intake, "MIN_SECONDS", -1)


def test_public_form_creates_demand_and_tracking_page(client, world, past_token):
    r = public_post(client, world["tree"]["building1"])
    demand = Demand.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/track/{demand.tracking_code}/?new=1")
    page = client.get(r["Location"]).content.decode()
    assert demand.tracking_code in page and "已提交" in page and "13912345678" not in page
    assert demand.source == "public" and demand.street == world["tree"]["street1"]


def test_public_form_signed_in_resident_is_the_requester_and_is_told_when_resolved(client, world, past_token):
    from django.contrib.auth import get_user_model

    from jiceng.accounts.models import Notification

    resident = get_user_model().objects.create_user("13912345678", password="x")
    client.force_login(resident)
    public_post(client, world["tree"]["building1"])
    demand = Demand.objects.get()
    assert demand.requester_user == resident and demand.source == "public"
    assert not Notification.objects.filter(user=resident).exists()
    staff = world["staff"]
    workflow.accept(demand, user=staff)
    workflow.assign(demand, user=staff, assignee_user=staff)
    workflow.resolve(demand, user=staff, note="已修好")
    assert Notification.objects.filter(user=resident, key="demand.resolved").exists()


def test_public_form_anonymous_has_no_requester_account(client, world, past_token):
    public_post(client, world["tree"]["building1"])
    assert Demand.objects.get().requester_user is None


def test_public_form_spam_checks(client, world):
    # Submitted instantly (no monkeypatch): refused, nothing saved.
    r = public_post(client, world["tree"]["building1"])
    assert r.status_code == 200 and not Demand.objects.exists()
    intake.MIN_SECONDS  # noqa: B018
    r = client.post(reverse("demands:public_submit"), {"text": "广告广告广告", "place": world["tree"]["building1"].pk,
                                                      "website": "http://spam", "form_token": "forged"})
    assert r.status_code == 200 and not Demand.objects.exists()


def test_public_form_is_throttled(client, world, past_token):
    for _ in range(intake.MAX_PER_WINDOW):
        assert public_post(client, world["tree"]["building1"]).status_code == 302
    assert public_post(client, world["tree"]["building1"]).status_code == 429
    assert Demand.objects.count() == intake.MAX_PER_WINDOW
    assert PublicSubmission.objects.count() == intake.MAX_PER_WINDOW


def test_public_form_rejects_bad_attachment(client, world, past_token):
    exe = SimpleUploadedFile("a.exe", b"MZ", content_type="application/octet-stream")
    r = public_post(client, world["tree"]["building1"], attachments=exe)
    assert r.status_code == 200 and "类型不支持" in r.content.decode() and not Demand.objects.exists()
    big = SimpleUploadedFile("a.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024 + 1), content_type="application/pdf")
    r = public_post(client, world["tree"]["building1"], attachments=big)
    assert "5 MB" in r.content.decode() and not Demand.objects.exists()


def test_rating_on_tracking_page(client, world):
    d = workflow.submit(text="门禁卡坏了需要补办", place=world["tree"]["building1"])
    d = workflow.accept(d, user=world["staff"], today=dt.date(2026, 9, 14))
    d = workflow.assign(d, user=world["staff"], department="物业")
    workflow.resolve(d, user=world["staff"], note="已补办")
    url = reverse("demands:track", args=[d.tracking_code])
    client.post(url, {"rating": "9", "code": d.tracking_code})
    d.refresh_from_db()
    assert d.rating is None
    client.post(url, {"rating": "5", "comment": "满意", "code": d.tracking_code})
    d.refresh_from_db()
    assert d.rating == 5 and d.status == DemandStatus.CLOSED


def test_staff_intake_dispatch_and_board(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world["staff"])
    photo = SimpleUploadedFile("leak.png", b"\x89PNG\r\n", content_type="image/png")
    r = client.post(reverse("demands:demand_add"), {
        "text": "会议室天花板漏水", "place": world["tree"]["building1"].pk, "source": "phone",
        "requester_kind": "enterprise", "requester_enterprise": world["ent"].pk, "attachments": photo})
    demand = Demand.objects.get()
    assert r.status_code == 302 and demand.attachments.count() == 1
    page = client.get(demand.get_absolute_url()).content.decode()
    assert "物业与设施" in page and "受理" in page
    client.post(reverse("demands:demand_action", args=[demand.pk, "accept"]), {"category": "property"})
    client.post(reverse("demands:demand_action", args=[demand.pk, "assign"]), {"assignee_user": world["worker"].pk})
    demand.refresh_from_db()
    assert demand.status == DemandStatus.ASSIGNED and demand.assignee_user == world["worker"]
    board = client.get(reverse("demands:demand_list"), {"status": "assigned", "category": "property"})
    assert f'href="{demand.get_absolute_url()}"' in board.content.decode()
    client.force_login(world["worker"])
    inbox = client.get(reverse("demands:inbox")).content.decode()
    assert "会议室天花板漏水" in inbox
    client.post(reverse("demands:demand_action", args=[demand.pk, "resolve"]), {"note": "已修复"})
    demand.refresh_from_db()
    assert demand.status == DemandStatus.RESOLVED


def test_refused_transition_in_ui_shows_message(client, world):
    client.force_login(world["staff"])
    d = workflow.submit(text="需要办理居住证", place=world["tree"]["building1"])
    r = client.post(reverse("demands:demand_action", args=[d.pk, "resolve"]), {"note": "x"}, follow=True)
    assert "不能" in r.content.decode()
    d.refresh_from_db()
    assert d.status == DemandStatus.SUBMITTED


def test_worker_sees_only_their_buildings(client, world):
    mine = workflow.submit(text="园区停车位不够用", place=world["tree"]["building1"])
    theirs = workflow.submit(text="园区停车位不够", place=world["tree"]["building2"])
    client.force_login(world["worker"])
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    page = client.get(reverse("demands:demand_list")).content.decode()
    assert f'href="{mine.get_absolute_url()}"' in page and f'href="{theirs.get_absolute_url()}"' not in page
    api = api_for(world["worker"])
    assert api.get(f"/api/demands/{theirs.pk}/").status_code == 404
    ids = {row["id"] for row in api.get("/api/demands/").json()["results"]}
    assert ids == {mine.pk}
    assert api.post(f"/api/demands/{theirs.pk}/accept/", {}, format="json").status_code == 404


def test_requester_sees_own_demand_but_cannot_dispatch(client, world):
    api = api_for(world["member_user"])
    r = api.post("/api/demands/", {"text": "想转接组织关系到新单位", "place": world["tree"]["building1"].pk},
                 format="json")
    assert r.status_code == 201 and r.json()["suggested_category"] == "party_affairs"
    did = r.json()["id"]
    assert api.get(f"/api/demands/{did}/").status_code == 200
    assert api.post(f"/api/demands/{did}/accept/", {}, format="json").status_code == 403


def test_api_dispatch_and_bad_input(world):
    api = api_for(world["staff"])
    r = api.post("/api/demands/", {"text": "", "place": world["tree"]["building1"].pk}, format="json")
    assert r.status_code == 400 and "text" in r.json()
    r = api.post("/api/demands/", {"text": "好好好好好", "place": 999999}, format="json")
    assert r.status_code == 400 and "place" in r.json()
    r = api.post("/api/demands/", {"text": "办公楼电梯故障困人", "place": world["tree"]["building1"].pk,
                                   "category": "nonsense"}, format="json")
    assert r.status_code == 400 and "category" in r.json()
    r = api.post("/api/demands/", {"text": "办公楼电梯故障困人", "place": world["tree"]["building1"].pk}, format="json")
    did = r.json()["id"]
    assert api.post(f"/api/demands/{did}/resolve/", {"note": "x"}, format="json").status_code == 400
    r = api.post(f"/api/demands/{did}/accept/", {"category": "property"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["due_date"]
    r = api.post(f"/api/demands/{did}/assign/", {"assignee_user": world["worker2"].pk}, format="json")
    assert r.status_code == 400 and "assignee_user" in r.json()
    r = api.post(f"/api/demands/{did}/assign/", {"assignee_user": world["worker"].pk}, format="json")
    assert r.status_code == 200
    counts = api.get("/api/demands/counts/").json()
    assert counts["status"] == {"assigned": 1}


def test_service_order_creates_demand(client, world, past_token):
    station = f.place("青年社区服务站", PlaceKind.STATION, world["tree"]["park1"])
    from jiceng.demands.models import Category

    Service.objects.create(station=station, code="legal-advice", name="法律咨询", category=Category.objects.get(
        code="legal"))
    assert "法律咨询" in client.get(reverse("demands:catalog")).content.decode()
    r = public_post(client, world["tree"]["building1"], text="预约下周二的法律咨询", service="legal-advice")
    assert r.status_code == 302
    d = Demand.objects.get()
    assert d.source == "service_order" and d.service.code == "legal-advice" and d.category.code == "legal"


def test_visit_with_demands_and_signals(client, world):
    client.force_login(world["worker"])
    r = client.post(reverse("demands:visit_add"), {
        "enterprise": world["ent"].pk, "date": dt.date.today().isoformat(), "people_met": "王经理",
        "notes": "了解经营情况", "signals": ["lease_ending", "expansion_need"],
        "demand_1": "租约两个月后到期,想找更大的办公室", "demand_2": "希望对接银行贷款"})
    assert r.status_code == 302
    visit = world["ent"].visits.get()
    assert visit.signals == ["lease_ending", "expansion_need"]
    codes = sorted(d.suggested_category.code for d in visit.demands.all())
    assert codes == ["finance", "office_space"]
    assert world["ent"].visit_plan.next_visit > dt.date.today()
    r = client.post(reverse("demands:visit_add"), {"enterprise": world["other_ent"].pk,
                                                   "date": dt.date.today().isoformat()})
    assert r.status_code == 200 and "enterprise" in r.context["form"].errors
    route = client.get(reverse("demands:route")).content.decode()
    assert "攀达科技" not in route  # just visited


def test_duplicates_partial(client, world):
    client.force_login(world["staff"])
    workflow.submit(text="三楼厕所水龙头一直漏水", place=world["tree"]["building1"], requester_enterprise=world["ent"])
    r = client.get(reverse("demands:duplicates"),
                   {"text": "三楼厕所水龙头漏水", "place": world["tree"]["building1"].pk})
    assert "可能重复" in r.content.decode() and "物业与设施" in r.content.decode()
