"""API: scoped lists and 404s, field-named 400s, sign_up/cancel actions with promotion, check-in, ratings, clubs,
series preview and generation, compliance report."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.activities import services
from jiceng.activities.models import Activity, ActivityKind, Attendance, Club, Rating, SignUp

from .conftest import api_for, make_activity

pytestmark = pytest.mark.django_db

BASE = "/api/activities"


@pytest.fixture
def acts(world):
    return {"mine": make_activity(world["branch"], title="攀达主题党日", capacity=1),
            "other": make_activity(world["other"], title="殷行支部大会", kind=ActivityKind.BRANCH_MEETING)}


def test_list_and_detail_are_scoped(world, acts):
    api = api_for(world["u1"])
    r = api.get(f"{BASE}/activities/")
    assert [a["title"] for a in r.json()["results"]] == ["攀达主题党日"]
    assert api.get(f"{BASE}/activities/{acts['other'].pk}/").status_code == 404
    assert api.get(f"{BASE}/activities/{acts['mine'].pk}/").json()["organizer"] == "攀达科技党支部"
    assert api_for(world["staff2"]).get(f"{BASE}/activities/{acts['mine'].pk}/").status_code == 404
    r = api.get(f"{BASE}/activities/", {"start_from": "nope"})
    assert r.json() == {"start_from": ["日期格式应为 YYYY-MM-DD。"]}


def test_create_with_field_errors(world):
    api = api_for(world["secretary"])
    r = api.post(f"{BASE}/activities/", {"title": "支委会", "kind": "committee_meeting",
                                         "start": "2026-06-04T19:00:00+08:00", "end": "2026-06-04T18:00:00+08:00"})
    assert r.status_code == 400 and {"organization", "end"} <= set(r.json())
    r = api.post(f"{BASE}/activities/", {"title": "支委会", "kind": "committee_meeting",
                                         "organization": world["other"].pk,
                                         "start": "2026-06-04T19:00:00+08:00", "end": "2026-06-04T20:00:00+08:00"})
    assert r.status_code == 400 and "organization" in r.json()
    # The branch has three full members: a secretary, no committee (支部工作条例 第九条), so no 支委会.
    r = api.post(f"{BASE}/activities/", {"title": "支委会", "kind": "committee_meeting",
                                         "organization": world["branch"].pk,
                                         "start": "2026-06-04T19:00:00+08:00", "end": "2026-06-04T20:00:00+08:00"})
    assert r.status_code == 400 and "支部正式党员不足7人,不设支委会" in r.json()["kind"][0]
    assert not Activity.objects.filter(title="支委会").exists()
    r = api.post(f"{BASE}/activities/", {"title": "支部党员大会", "kind": "branch_meeting",
                                         "organization": world["branch"].pk,
                                         "start": "2026-06-04T19:00:00+08:00", "end": "2026-06-04T20:00:00+08:00"})
    assert r.status_code == 201, r.json()
    assert api_for(world["u1"]).post(f"{BASE}/activities/", {"title": "x"}).status_code in (400, 403)
    activity = Activity.objects.get(pk=r.json()["id"])
    r = api_for(world["u1"]).patch(f"{BASE}/activities/{activity.pk}/", {"title": "改名"})
    assert r.status_code == 403


def test_sign_up_cancel_and_promotion(world, acts):
    first = api_for(world["u1"]).post(f"{BASE}/signups/sign_up/", {"activity": acts["mine"].pk})
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    second = api_for(world["u2"]).post(f"{BASE}/signups/sign_up/", {"activity": acts["mine"].pk})
    assert second.json()["status"] == "waitlisted" and "候补名单第 1 位" in second.json()["message"]
    again = api_for(world["u2"]).post(f"{BASE}/signups/sign_up/", {"activity": acts["mine"].pk})
    assert again.status_code == 400 and "member" in again.json()
    assert api_for(world["u2"]).post(f"{BASE}/signups/{first.json()['id']}/cancel/").status_code == 404
    r = api_for(world["u1"]).post(f"{BASE}/signups/{first.json()['id']}/cancel/")
    assert r.status_code == 200 and r.json()["promoted"] == second.json()["id"]
    assert SignUp.objects.get(pk=second.json()["id"]).status == "confirmed"
    assert api_for(world["u1"]).post(f"{BASE}/signups/sign_up/", {"activity": acts["other"].pk}).status_code == 404
    assert api_for(world["u1"]).post(f"{BASE}/signups/sign_up/", {"activity": "x"}).status_code == 400


def test_check_in_attendance_and_rating(world):
    start = timezone.now() + dt.timedelta(minutes=5)
    lecture = make_activity(world["branch"], start=start, hours=1, title="午间微课堂", kind="micro_lecture",
                            speaker=world["m3"])
    code = services.checkin_code(lecture)
    api = api_for(world["u1"])
    r = api.post(f"{BASE}/attendance/check_in/", {"activity": lecture.pk, "code": code})
    assert r.status_code == 201 and r.json()["method"] == "qr"
    r = api.post(f"{BASE}/attendance/check_in/", {"activity": lecture.pk, "code": code})
    assert r.status_code == 400 and "member" in r.json()
    r = api.post(f"{BASE}/attendance/check_in/", {"activity": lecture.pk, "code": code + "x"})
    assert r.status_code == 400 and "code" in r.json()
    r = api_for(world["secretary"]).post(f"{BASE}/attendance/", {"activity": lecture.pk, "member": world["m2"].pk})
    assert r.status_code == 201 and r.json()["hours"] == "1.00"
    assert api_for(world["u2"]).post(f"{BASE}/attendance/", {"activity": lecture.pk,
                                                             "member": world["m3"].pk}).status_code == 403
    r = api.post(f"{BASE}/ratings/", {"activity": lecture.pk, "score": 9})
    assert r.status_code == 400 and "score" in r.json()
    assert api.post(f"{BASE}/ratings/", {"activity": lecture.pk, "score": 5, "comment": "好"}).status_code == 201
    assert api.post(f"{BASE}/ratings/", {"activity": lecture.pk, "score": 4}).status_code == 400
    r = api_for(world["u3"]).post(f"{BASE}/ratings/", {"activity": lecture.pk, "score": 4})
    assert r.status_code == 400 and r.json() == {"member": ["只有签到出席的党员才能评价。"]}
    r = api.get(f"/api/activities/speakers/{world['m3'].pk}/")
    assert r.json()["average"] == 5.0 and r.json()["count"] == 1
    assert [a["member"] for a in api.get(f"{BASE}/attendance/").json()["results"]] == [world["m1"].pk]


def test_member_page_shows_speaker_average(client, world):
    lecture = make_activity(world["branch"], title="午间微课堂", kind="micro_lecture", speaker=world["m3"])
    for member in (world["m1"], world["m2"]):
        Attendance.objects.create(activity=lecture, member=member)
    Rating.objects.create(activity=lecture, member=world["m1"], score=5)
    Rating.objects.create(activity=lecture, member=world["m2"], score=4)
    client.force_login(world["secretary"])
    page = client.get(reverse("members:member_detail", args=[world["m3"].pk])).content.decode()
    assert "平均 4.50 分(2 次评价,授课 1 次)" in page
    assert 'data-testid="speaker"' not in client.get(reverse("members:member_detail",
                                                            args=[world["m1"].pk])).content.decode()


def test_clubs(world):
    api = api_for(world["staff"])
    r = api.post(f"{BASE}/clubs/", {"name": "创智青年足球社", "kind": "youth_club", "place": world["tree"]["park1"].pk})
    assert r.status_code == 201
    assert r.json()["member_count"] == 0  # as the list and detail answer it (the schema requires it)
    r2 = api.post(f"{BASE}/clubs/", {"name": "外街社团", "kind": "club", "place": world["tree"]["park2"].pk})
    assert r2.status_code == 400 and "place" in r2.json()
    club = Club.objects.get(pk=r.json()["id"])
    assert api_for(world["u_out"]).post(f"{BASE}/clubs/{club.pk}/join/").status_code == 404  # another street
    assert api_for(world["u1"]).post(f"{BASE}/clubs/{club.pk}/join/").status_code == 201
    assert api_for(world["u1"]).post(f"{BASE}/clubs/{club.pk}/join/").status_code == 400
    assert [m["name"] for m in api.get(f"{BASE}/clubs/{club.pk}/members/").json()] == ["张三"]
    assert api_for(world["staff2"]).get(f"{BASE}/clubs/{club.pk}/").status_code == 404


def test_series_preview_and_create(world):
    api = api_for(world["secretary"])
    body = {"title": "主题党日", "kind": "theme_day", "organization": world["branch"].pk, "freq": "monthly_weekday",
            "ordinal": 1, "weekday": 3, "start_date": "2026-09-01", "count": 3, "start_time": "12:00",
            "end_time": "13:00"}
    r = api.post(f"{BASE}/series/preview/", body, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["rrule"] == "FREQ=MONTHLY;BYDAY=+1TH"
    assert [(d["date"], d["workday"], d["next_workday"]) for d in r.json()["dates"]] == [
        ("2026-09-03", True, None), ("2026-10-01", False, "2026-10-08"), ("2026-11-05", True, None)]
    r = api.post(f"{BASE}/series/", {**body, "choices": {"2026-10-01": "keep"}}, format="json")
    assert r.status_code == 201 and len(r.json()["activities"]) == 3
    kept = Activity.objects.get(series_id=r.json()["id"], occurrence_date=dt.date(2026, 10, 1))
    assert timezone.localtime(kept.start).date() == dt.date(2026, 10, 1) and kept.on_holiday
    r = api.post(f"{BASE}/series/preview/", {**body, "freq": "monthly_day", "monthday": 31, "start_date": "2026-02-01",
                                            "count": None, "until": "2026-02-28"}, format="json")
    assert r.status_code == 400 and "rrule" in r.json()
    r = api.post(f"{BASE}/series/preview/", {**body, "ordinal": 9}, format="json")
    assert r.status_code == 400 and "ordinal" in r.json()


def test_compliance_api(world):
    start = timezone.make_aware(dt.datetime(2026, 1, 8, 12))
    activity = make_activity(world["branch"], start=start)
    services.set_status(activity, "held")
    r = api_for(world["staff"]).get(f"{BASE}/compliance/", {"year": 2026, "quarter": 1})
    assert r.status_code == 200
    rows = r.json()["rows"]
    assert [row["name"] for row in rows] == ["攀达科技党支部"]
    theme = next(rule for rule in rows[0]["rules"] if rule["kind"] == "theme_day")
    assert [p["held"] for p in theme["periods"]] == [1, 0, 0]
    assert api_for(world["staff"]).get(f"{BASE}/compliance/", {"quarter": "9"}).json() == {
        "quarter": ["季度须为 1 至 4。"]}
    assert api_for(world["staff"]).get(f"{BASE}/compliance/", {"organization": world["other"].pk}).status_code == 404


def test_compliance_api_pages_its_rows_but_counts_every_branch(world):
    from tests import factories as f

    for n in range(3):
        f.organization(world["branch"].place, f"分页测试第{n}党支部")
    api = api_for(world["staff"])
    everything = api.get(f"{BASE}/compliance/", {"year": 2026, "quarter": 1, "page_size": 500}).json()
    total = everything["count"]
    assert total == everything["branches"] == len(everything["rows"]) >= 4
    first = api.get(f"{BASE}/compliance/", {"year": 2026, "quarter": 1, "page_size": 2}).json()
    assert (first["count"], first["branches"], first["compliant"]) == (total, total, everything["compliant"])
    assert first["totals"] == everything["totals"] and first["previous"] is None
    assert [row["organization"] for row in first["rows"]] == [row["organization"] for row in everything["rows"][:2]]
    second = api.get(first["next"]).json()
    assert [row["organization"] for row in second["rows"]] == [row["organization"] for row in everything["rows"][2:4]]
    assert api.get(f"{BASE}/compliance/", {"year": 2026, "quarter": 1, "page": 99}).status_code == 404
