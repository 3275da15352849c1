"""Absurd input on the activities pages and API gets a clear 400, a 404 or a field error — never a 500."""

import pytest
from django.urls import reverse

from .conftest import api_for, make_activity

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


def test_pages(client, world):
    activity = make_activity(world["branch"])
    client.force_login(world["secretary"])
    for url, params in [
        (reverse("activities:activity_list"), {"organization": HUGE}),
        (reverse("activities:activity_list"), {"club": HUGE, "date_from": "9999-99-99"}),
        (reverse("activities:calendar"), {"month": HUGE}),
        (reverse("activities:calendar"), {"month": "2026-03", "organization": HUGE}),
        (reverse("activities:compliance"), {"organization": HUGE}),
        (reverse("activities:compliance"), {"place": HUGE}),
        (reverse("activities:compliance"), {"year": HUGE, "quarter": HUGE}),
        (reverse("activities:check_in", args=[activity.pk]), {"code": "x" * 5000}),
        (reverse("activities:feed", args=["x" * 300]), {}),
    ]:
        assert client.get(url, params).status_code in (200, 400, 404), (url, params)
    r = client.post(reverse("activities:activity_add"), {"title": "x", "kind": "lecture", "organization": HUGE,
                                                         "start": "9999-12-31T10:00", "end": "bad", "capacity": HUGE})
    assert r.status_code == 200 and {"organization", "end", "capacity"} <= set(r.context["form"].errors)
    r = client.post(reverse("activities:series_add"), {"title": "x", "kind": "theme_day",
                                                       "organization": world["branch"].pk, "freq": "monthly_weekday",
                                                       "interval": HUGE, "ordinal": "9",
                                                       "start_date": "2026-01-01", "count": HUGE,
                                                       "start_time": "25:00", "end_time": "12:00",
                                                       "holiday_default": "move"})
    assert r.status_code == 200 and {"interval", "ordinal", "count", "start_time"} <= set(r.context["form"].errors)
    r = client.post(reverse("activities:attendance", args=[activity.pk]), {"member": [HUGE, "abc"]})
    assert r.status_code == 302


def test_api(world):
    api = api_for(world["secretary"])
    for url in ["/api/activities/activities/?organization=" + HUGE, f"/api/activities/activities/{HUGE}/",
                "/api/activities/compliance/?place=" + HUGE, "/api/activities/compliance/?year=abc",
                "/api/activities/signups/?activity=" + HUGE, f"/api/activities/speakers/{HUGE}/"]:
        assert api.get(url).status_code in (400, 404), url
    assert api.post("/api/activities/signups/sign_up/", {"activity": HUGE}).status_code in (400, 404)
    assert api.post("/api/activities/attendance/check_in/", {"activity": HUGE, "code": "x"}).status_code in (400, 404)
    assert api.post("/api/activities/ratings/", {"activity": 1, "score": HUGE}).status_code == 400
    r = api.post("/api/activities/series/preview/", {"title": "x", "kind": "theme_day",
                                                     "organization": world["branch"].pk, "rrule": "FREQ=DAILY",
                                                     "start_date": "2026-01-01", "count": 9999,
                                                     "start_time": "12:00", "end_time": "13:00"}, format="json")
    assert r.status_code == 400 and "count" in r.json()
    r = api.post("/api/activities/series/", {"title": "x", "kind": "theme_day", "organization": world["branch"].pk,
                                             "rrule": "FREQ=DAILY", "start_date": "2026-01-01", "count": 2,
                                             "start_time": "12:00", "end_time": "13:00",
                                             "choices": {"not-a-date": "move"}}, format="json")
    assert r.status_code == 400 and "choices" in r.json()
