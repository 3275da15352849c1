"""Pages: scoping (404 out of scope, lists exclude), organizer rights, sign-up and check-in through the pages,
public sign-up, calendar, compliance page and Excel, ICS feeds parsed back."""

import datetime as dt
import io
import time as time_module
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from jiceng.activities import feeds, services
from jiceng.activities.models import Activity, ActivityKind, Attendance, Club, SignUp
from jiceng.demands import intake
from jiceng.demands.models import PublicSubmission
from tests import factories as f

from .conftest import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def acts(world):
    return {
        "mine": make_activity(world["branch"], title="攀达主题党日"),
        "other": make_activity(world["other"], title="殷行支部大会", kind=ActivityKind.BRANCH_MEETING),
        "public": make_activity(world["other"], title="殷行公开讲座", kind=ActivityKind.LECTURE, public=True),
    }


def titles(response):
    return [obj.title for obj, _values in response.context["rows"]]


def test_scoping_lists_and_details(client, world, acts):
    # The secretary of the first branch, its member and the first street's staff see its activity; the other
    # branch's meeting is a 404 for them, the public lecture is visible to everyone signed in.
    for user in (world["secretary"], world["u1"], world["staff"]):
        client.force_login(user)
        r = client.get(reverse("activities:activity_list"))
        assert sorted(titles(r)) == ["攀达主题党日", "殷行公开讲座"], user
        assert client.get(reverse("activities:activity_detail", args=[acts["other"].pk])).status_code == 404
        assert client.get(reverse("activities:activity_detail", args=[acts["mine"].pk])).status_code == 200
    client.force_login(world["staff2"])
    assert sorted(titles(client.get(reverse("activities:activity_list")))) == ["殷行公开讲座", "殷行支部大会"]
    assert client.get(reverse("activities:activity_detail", args=[acts["mine"].pk])).status_code == 404
    client.force_login(world["admin"])
    assert len(titles(client.get(reverse("activities:activity_list")))) == 3
    r = client.get(reverse("activities:activity_list"), {"organization": world["other"].pk, "kind": "lecture"})
    assert titles(r) == ["殷行公开讲座"]
    assert titles(client.get(reverse("activities:activity_list"), {"organization": "x"})) == []


def test_pages_need_login(client, acts):
    # /activities/ itself answers visitors with the public list (issue 19; tests/portal).
    assert client.get(reverse("activities:activity_list")).status_code == 200
    for url in (reverse("activities:calendar"),
                reverse("activities:compliance"), reverse("activities:activity_detail", args=[acts["mine"].pk])):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r["Location"]


def test_only_organizers_manage(client, world, acts):
    client.force_login(world["u1"])
    assert client.get(reverse("activities:door", args=[acts["mine"].pk])).status_code == 403
    assert client.get(reverse("activities:activity_edit", args=[acts["mine"].pk])).status_code == 403
    assert client.get(reverse("activities:activity_add")).status_code == 403
    client.force_login(world["secretary2"])
    # In scope through "public", but not theirs to manage.
    assert client.get(reverse("activities:door", args=[acts["mine"].pk])).status_code == 404
    client.force_login(world["secretary"])
    r = client.get(reverse("activities:door", args=[acts["public"].pk]))
    assert r.status_code == 403
    assert client.get(reverse("activities:door", args=[acts["mine"].pk])).status_code == 200


def test_create_activity_through_the_form(client, world):
    client.force_login(world["secretary"])
    r = client.get(reverse("activities:activity_add"))
    assert r.status_code == 200
    form = r.context["form"]
    assert list(form.fields["organization"].queryset) == [world["branch"], world["group"]]
    data = {"title": "党课:学习党章", "kind": ActivityKind.PARTY_LECTURE, "organization": world["other"].pk,
            "start": "2026-05-14T12:00", "end": "2026-05-14T11:00", "capacity": "30", "speaker": world["m3"].pk}
    r = client.post(reverse("activities:activity_add"), data)
    assert r.status_code == 200 and set(r.context["form"].errors) == {"organization", "end"}
    data.update(organization=world["branch"].pk, end="2026-05-14T13:00")
    r = client.post(reverse("activities:activity_add"), data)
    activity = Activity.objects.get(title="党课:学习党章")
    assert r.status_code == 302 and r["Location"] == activity.get_absolute_url()
    assert activity.speaker_name == "王五" and activity.created_by == world["secretary"]
    assert timezone.localtime(activity.start).hour == 12


def test_sign_up_and_cancel_on_the_page(client, world, acts):
    client.force_login(world["u1"])
    url = reverse("activities:sign_up", args=[acts["mine"].pk])
    r = client.post(url, follow=True)
    assert "报名成功" in r.content.decode()
    r = client.post(url, follow=True)
    assert "不能重复报名" in r.content.decode()
    signup = SignUp.objects.get(member=world["m1"])
    r = client.post(reverse("activities:signup_cancel", args=[acts["mine"].pk, signup.pk]), follow=True)
    assert "已取消报名" in r.content.decode()
    # Someone else's sign-up cannot be cancelled by a member.
    other = services.sign_up(acts["mine"], member=world["m2"])
    assert client.post(reverse("activities:signup_cancel", args=[acts["mine"].pk, other.pk])).status_code == 403
    # Out of scope: 404 before anything happens.
    assert client.post(reverse("activities:sign_up", args=[acts["other"].pk])).status_code == 404


def test_check_in_through_the_qr_url(client, world):
    activity = make_activity(world["branch"], start=timezone.now() + dt.timedelta(minutes=10), hours=1)
    client.force_login(world["secretary"])
    door = client.get(reverse("activities:door", args=[activity.pk]))
    assert "<svg" in door.content.decode()
    url = door.context["checkin_url"]
    client.logout()
    r = client.get(url)
    assert r.status_code == 302 and "/accounts/login" in r["Location"]
    client.force_login(world["u2"])
    r = client.get(url)
    assert r.context["error"] is None and "确认签到" in r.content.decode()
    r = client.post(reverse("activities:check_in", args=[activity.pk]), {"code": r.context["code"]}, follow=True)
    assert "签到成功" in r.content.decode()
    assert Attendance.objects.filter(activity=activity, member=world["m2"], method="qr").exists()
    r = client.get(url)
    assert r.context["error"] == "您已签到,无需重复签到。"
    r = client.post(reverse("activities:check_in", args=[activity.pk]), {"code": "tampered"})
    assert r.status_code == 400 and "无效" in r.content.decode()


def test_check_in_page_is_404_without_a_code_of_that_activity(client, world):
    """Outside the activity's scope the check-in page says nothing (title, time, organizer) without a code the
    door screen issued for this very activity; with such a code, even an expired one, it explains."""
    activity = make_activity(world["branch"], title="攀达内部党课", start=timezone.now() + dt.timedelta(minutes=10))
    other = make_activity(world["other"], title="殷行支部大会", start=timezone.now() + dt.timedelta(minutes=10))
    url = reverse("activities:check_in", args=[activity.pk])
    valid = services.checkin_code(activity)
    client.force_login(world["u_out"])  # a member of another branch: the activity page is 404 for them
    assert client.get(activity.get_absolute_url()).status_code == 404
    for code in ["", "tampered", f"{activity.pk}:forged:sig", services.checkin_code(other), valid + "x"]:
        response = client.get(url, {"code": code})
        assert response.status_code == 404, code
        assert "攀达内部党课" not in response.content.decode()
        assert client.post(url, {"code": code}).status_code == 404, code
    assert not Attendance.objects.filter(activity=activity).exists()
    # The door's code opens the page (and checks in whoever stands at the door, as before).
    response = client.get(url, {"code": valid})
    assert response.status_code == 200 and "攀达内部党课" in response.content.decode()
    # An expired code of this activity still explains what happened.
    with mock.patch("django.core.signing.time.time", return_value=time_module.time() + 3600 * 3):
        response = client.get(url, {"code": valid})
    assert response.status_code == 200 and "过期" in response.context["error"]
    # Who sees the activity anyway gets the explanation rather than a 404.
    client.force_login(world["u2"])
    response = client.get(url, {"code": "tampered"})
    assert response.status_code == 200 and "无效" in response.context["error"]


def test_public_sign_up_page(client, world, acts):
    assert client.get(reverse("activities:public_sign_up", args=[acts["mine"].pk])).status_code == 404
    url = reverse("activities:public_sign_up", args=[acts["public"].pk])
    r = client.get(url)
    assert r.status_code == 200
    token = r.context["form"].initial["form_token"]
    r = client.post(url, {"name": "白领小李", "phone": "13912345678", "form_token": token})
    assert r.context["form"].non_field_errors() == ["提交得太快了,请稍等几秒再点“提交”。"]  # too fast for a person
    with mock.patch("jiceng.demands.intake.spam_reason", return_value=None):
        r = client.post(url, {"name": "白领小李", "phone": "1391234", "form_token": token})
        assert r.status_code == 200 and "phone" in r.context["form"].errors
        r = client.post(url, {"name": "白领小李", "phone": "139 1234 5678", "form_token": token})
    assert "报名成功" in r.content.decode()
    assert SignUp.objects.get(activity=acts["public"]).phone == "13912345678"
    # The bot trap: filling the hidden field is refused.
    r = client.post(url, {"name": "bot", "phone": "13912345679", "form_token": token, "website": "x"})
    assert r.context["form"].non_field_errors()
    for _ in range(5):
        PublicSubmission.objects.create(client_hash=intake._client_hash("127.0.0.1"))
    assert client.post(url, {"name": "x", "phone": "13912345670", "form_token": token}).status_code == 429


def test_calendar_month(client, world):
    start = timezone.make_aware(dt.datetime(2026, 3, 12, 12))
    make_activity(world["branch"], start=start, title="三月主题党日")
    client.force_login(world["u1"])
    r = client.get(reverse("activities:calendar"), {"month": "2026-03"})
    days = {day: [a.title for a in items] for week in r.context["weeks"] for day, items in week}
    assert days[dt.date(2026, 3, 12)] == ["三月主题党日"]
    assert client.get(reverse("activities:calendar"), {"month": "2026-13"}).status_code == 404


def test_compliance_page_and_export(client, world):
    start = timezone.make_aware(dt.datetime(2026, 1, 8, 12))
    activity = make_activity(world["branch"], start=start)
    Attendance.objects.create(activity=activity, member=world["m1"])
    client.force_login(world["staff"])
    r = client.get(reverse("activities:compliance"), {"year": 2026, "quarter": 1})
    assert r.status_code == 200
    assert [row.organization.name for row in r.context["rows"]] == ["攀达科技党支部"]
    r = client.get(reverse("activities:compliance"), {"year": 2026, "quarter": 1, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == "攀达科技党支部"
    assert client.get(reverse("activities:compliance"), {"organization": world["other"].pk}).status_code == 404
    assert client.get(reverse("activities:compliance"), {"place": world["tree"]["street2"].pk}).status_code == 404
    assert client.get(reverse("activities:compliance"), {"quarter": 7}).status_code == 400


def test_ics_feeds_parse_back(client, world, acts):
    services.sign_up(acts["public"], member=world["m1"])
    client.force_login(world["u1"])
    mine = client.get(reverse("activities:mine"))
    links = dict(mine.context["feed_links"])
    member_url = links["我报名的活动"]
    client.logout()
    r = client.get(member_url)
    assert r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["SUMMARY"]) for e in events] == ["殷行公开讲座"]
    assert events[0].decoded("DTSTART") == acts["public"].start.replace(microsecond=0)
    org_url = reverse("activities:feed", args=[feeds.feed_token(feeds.ORGANIZATION, world["branch"].pk)])
    events = Calendar.from_ical(client.get(org_url).content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["攀达主题党日"]
    assert client.get(reverse("activities:feed", args=["forged:token"])).status_code == 404


def test_club_pages(client, world):
    # Guided by an organization above the members' branch: still open to the street's members.
    committee = f.organization(world["tree"]["park1"], "园区综合党委", kind="committee")
    club = Club.objects.create(name="创智青年羽毛球社", kind="youth_club", place=world["tree"]["park1"],
                               organization=committee)
    client.force_login(world["u1"])
    assert client.get(reverse("activities:club_detail", args=[club.pk])).status_code == 200
    r = client.post(reverse("activities:club_membership", args=[club.pk, "join"]), follow=True)
    assert "已加入社团" in r.content.decode() and club.members.filter(pk=world["m1"].pk).exists()
    client.force_login(world["u_out"])  # a member in the other street does not see it
    assert client.get(reverse("activities:club_detail", args=[club.pk])).status_code == 404
    client.force_login(world["staff2"])
    assert client.get(reverse("activities:club_detail", args=[club.pk])).status_code == 404
    r = client.get(reverse("activities:club_list"))
    assert titles_of(r) == []
    client.force_login(world["staff"])
    assert titles_of(client.get(reverse("activities:club_list"))) == ["创智青年羽毛球社"]
    r = client.post(reverse("activities:club_add"), {"name": "殷行读书会", "kind": "club",
                                                     "place": world["tree"]["park2"].pk})
    assert r.status_code == 200 and "place" in r.context["form"].errors


def titles_of(response):
    return [obj.name for obj, _values in response.context["rows"]]
