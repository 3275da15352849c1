"""The venues API: rooms and bookings, scoped, with field-named 400s and the approval actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.accounts.models import Notification
from jiceng.venues.models import Booking, Room
from tests.venues.conftest import api_for, next_weekday

pytestmark = pytest.mark.django_db


def slot(day, start: str, end: str) -> dict:
    return {"start": f"{day.isoformat()}T{start}:00+08:00", "end": f"{day.isoformat()}T{end}:00+08:00"}


def test_request_list_filter_and_approve(world):
    day = next_weekday()
    contact = api_for(world["contact"])
    response = contact.post("/api/venues/bookings/", {"room": world["room"].pk, **slot(day, "10:00", "12:00"),
                                                      "purpose": "青年微党课", "attendees": 30,
                                                      "enterprise": world["ent"].pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested" and body["borrower"] == "攀达科技" and body["requested_by"] == "contact"
    assert body["start"] == f"{day.isoformat()}T10:00:00+08:00"
    booking_id = body["id"]
    # Naive times are Beijing time.
    naive = contact.post("/api/venues/bookings/", {"room": world["room"].pk, "start": f"{day}T13:00",
                                                   "end": f"{day}T14:00", "purpose": "座谈"}, format="json")
    assert naive.status_code == 201 and naive.json()["end"] == f"{day.isoformat()}T14:00:00+08:00"

    staff = api_for(world["staff"])
    listed = staff.get("/api/venues/bookings/", {"status": "requested", "room": world["room"].pk}).json()
    assert listed["count"] == 2
    assert staff.get("/api/venues/bookings/", {"date_from": day.isoformat(), "q": "微党课"}).json()["count"] == 1
    assert contact.get("/api/venues/bookings/", {"mine": "true"}).json()["count"] == 2

    assert contact.post(f"/api/venues/bookings/{booking_id}/approve/").status_code == 403
    approved = staff.post(f"/api/venues/bookings/{booking_id}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "staff1"
    assert Notification.objects.filter(user=world["contact"], message__contains="已批准").exists()
    again = staff.post(f"/api/venues/bookings/{booking_id}/approve/")
    assert again.status_code == 400 and "status" in again.json()


@pytest.mark.parametrize(("payload", "field"), [
    ({"start": "tomorrow"}, "start"),
    ({"end": None}, "end"),
    ({"attendees": -1}, "attendees"),
    ({"attendees": 999}, "attendees"),
    ({"purpose": ""}, "purpose"),
    ({"room": 999999}, "room"),
    ({"room": "abc"}, "room"),
    ({"enterprise": 999999}, "enterprise"),
    ({"organization": 999999}, "organization"),
    ({"start_hour": 1, "start": "{day}T08:00:00+08:00"}, "start"),
    ({"end": "{day}T09:30:00+08:00"}, "end"),
    ({"end": "{next}T10:00:00+08:00"}, "end"),
])
def test_bad_input_names_the_field(world, payload, field):
    day = next_weekday()
    data = {"room": world["room"].pk, **slot(day, "10:00", "11:00"), "purpose": "活动", "attendees": 5}
    payload = {k: (v.format(day=day.isoformat(), next=next_weekday(3).isoformat()) if isinstance(v, str) else v)
               for k, v in payload.items()}
    data.update(payload)
    response = api_for(world["contact"]).post("/api/venues/bookings/", data, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Booking.objects.exists()


def test_overlap_is_a_400_on_start(world):
    day = next_weekday()
    staff = api_for(world["staff"])
    first = staff.post("/api/venues/bookings/", {"room": world["room"].pk, **slot(day, "10:00", "12:00"),
                                                  "purpose": "街道活动", "auto_approve": True}, format="json")
    assert first.json()["status"] == "approved"
    clash = api_for(world["contact"]).post("/api/venues/bookings/", {"room": world["room"].pk,
                                                                       **slot(day, "11:00", "13:00"),
                                                                       "purpose": "冲突"}, format="json")
    assert clash.status_code == 400
    assert "已有已批准的预约" in clash.json()["start"][0]
    touching = api_for(world["contact"]).post("/api/venues/bookings/", {"room": world["room"].pk,
                                                                          **slot(day, "12:00", "13:00"),
                                                                          "purpose": "紧接着"}, format="json")
    assert touching.status_code == 201


def test_reject_and_cancel_actions(world):
    day = next_weekday()
    contact, worker = api_for(world["contact"]), api_for(world["worker"])
    a = contact.post("/api/venues/bookings/", {"room": world["room"].pk, **slot(day, "10:00", "11:00"),
                                               "purpose": "甲"}, format="json").json()["id"]
    b = contact.post("/api/venues/bookings/", {"room": world["room"].pk, **slot(day, "14:00", "15:00"),
                                               "purpose": "乙"}, format="json").json()["id"]
    missing = worker.post(f"/api/venues/bookings/{a}/reject/", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    rejected = worker.post(f"/api/venues/bookings/{a}/reject/", {"reason": "场地维修"}, format="json")
    assert rejected.json()["status"] == "rejected" and rejected.json()["reason"] == "场地维修"
    assert api_for(world["contact2"]).post(f"/api/venues/bookings/{b}/cancel/").status_code == 404
    assert api_for(world["secretary"]).post(f"/api/venues/bookings/{b}/cancel/").status_code == 404
    cancelled = contact.post(f"/api/venues/bookings/{b}/cancel/", {"reason": "活动改期"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_by"] == "contact"


def test_rooms_api_create_edit_and_photos(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    worker = api_for(world["worker"])
    data = {"place": world["station1"].pk, "name": "书吧", "capacity": 15, "equipment": ["wifi", "projector"],
            "opens_at": "10:00", "closes_at": "20:00", "open_weekdays": "76"}
    created = worker.post("/api/venues/rooms/", data, format="json")
    assert created.status_code == 201, created.content
    room = created.json()
    assert room["equipment"] == ["projector", "wifi"] and room["open_weekdays"] == "67"
    assert room["street"] == world["tree"]["street1"].pk
    bad = worker.post("/api/venues/rooms/", {**data, "name": "坏", "capacity": 0, "closes_at": "09:00",
                                             "equipment": ["laser"], "open_weekdays": "8"}, format="json")
    assert bad.status_code == 400 and {"capacity", "equipment", "open_weekdays"} <= set(bad.json())
    bad = worker.post("/api/venues/rooms/", {**data, "name": "坏", "closes_at": "09:00"}, format="json")
    assert bad.status_code == 400 and "closes_at" in bad.json()
    outside = worker.post("/api/venues/rooms/", {**data, "name": "越界", "place": world["station2"].pk},
                          format="json")
    assert outside.status_code == 400 and "place" in outside.json()
    assert api_for(world["contact"]).post("/api/venues/rooms/", data, format="json").status_code == 403
    # The building head reads the room but may not change it.
    head = api_for(world["head"])
    assert head.get(f"/api/venues/rooms/{room['id']}/").status_code == 200
    assert head.patch(f"/api/venues/rooms/{room['id']}/", {"capacity": 20}, format="json").status_code == 403
    patched = worker.patch(f"/api/venues/rooms/{room['id']}/", {"capacity": 20}, format="json")
    assert patched.status_code == 200 and Room.objects.get(pk=room["id"]).capacity == 20
    # Photos: multipart upload, type checked, served back with the room.
    png = SimpleUploadedFile("room.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "image/png")
    photo = worker.post(f"/api/venues/rooms/{room['id']}/photos/", {"file": png, "caption": "门口"},
                        format="multipart")
    assert photo.status_code == 201 and photo.json()["url"].endswith(f"/photos/{photo.json()['id']}/")
    bad = worker.post(f"/api/venues/rooms/{room['id']}/photos/",
                      {"file": SimpleUploadedFile("room.gif", b"GIF89a", "image/gif")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    detail = worker.get(f"/api/venues/rooms/{room['id']}/").json()
    assert len(detail["photos"]) == 1 and "/calendar.ics?token=" in detail["feed_url"]


def test_room_filters_and_delete_rule(world):
    admin = api_for(world["admin"])
    assert [r["name"] for r in admin.get("/api/venues/rooms/", {"street": world["tree"]["street2"].pk}).json()[
        "results"]] == ["会议室"]
    assert [r["name"] for r in admin.get("/api/venues/rooms/", {"equipment": "projector"}).json()["results"]] == [
        "多功能厅"]
    assert admin.get("/api/venues/rooms/", {"place": world["tree"]["park1"].pk}).json()["count"] == 1
    assert admin.get("/api/venues/rooms/", {"min_capacity": "x"}).status_code == 400
    day = next_weekday()
    admin.post("/api/venues/bookings/", {"room": world["room"].pk, **slot(day, "10:00", "11:00"),
                                         "purpose": "甲"}, format="json")
    refused = admin.delete(f"/api/venues/rooms/{world['room'].pk}/")
    assert refused.status_code == 400 and Room.objects.filter(pk=world["room"].pk).exists()
    assert admin.delete(f"/api/venues/rooms/{world['other_room'].pk}/").status_code == 204
