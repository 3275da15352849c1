"""Venue pages: list and filters, room page with week calendar, booking form, queue, my bookings, export, photos."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from jiceng.accounts.models import AuditEvent
from jiceng.venues import services
from jiceng.venues.models import Booking, Room, RoomPhoto
from tests.venues.conftest import at, next_weekday

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client
    return login


def book(world, day, start, end, user="contact", approve_by=None, **kw):
    booking = services.request_booking(room=kw.pop("room", world["room"]), start=at(day, start), end=at(day, end),
                                       requested_by=world[user], purpose=kw.pop("purpose", "支部党员大会"),
                                       attendees=10, **kw)
    if approve_by:
        services.approve_booking(booking, by=world[approve_by])
    return booking


def test_room_list_search_and_filters(world, client_for):
    Room.objects.create(place=world["station1"], name="洽谈室", capacity=6, equipment=["whiteboard"])
    c = client_for(world["admin"])
    page = c.get(reverse("venues:room_list")).content.decode()
    assert "多功能厅" in page and "会议室" in page and "洽谈室" in page
    page = c.get(reverse("venues:room_list"), {"street": world["tree"]["street2"].pk}).content.decode()
    assert "会议室" in page and "多功能厅" not in page
    page = c.get(reverse("venues:room_list"), {"place": world["station1"].pk, "q": "洽谈"}).content.decode()
    assert "洽谈室" in page and "多功能厅" not in page
    page = c.get(reverse("venues:room_list"), {"equipment": "projector"}).content.decode()
    assert "多功能厅" in page and "洽谈室" not in page
    page = c.get(reverse("venues:room_list"), {"min_capacity": 20}).content.decode()
    assert "多功能厅" in page and "洽谈室" not in page and "会议室" not in page


def test_room_page_shows_hours_equipment_and_week(world, client_for):
    day = next_weekday()
    approved = book(world, day, 10, 12, approve_by="staff", purpose="青年微党课")
    pending_other = book(world, day, 14, 15, user="secretary", purpose="秘密的申请")
    c = client_for(world["contact"])
    response = c.get(reverse("venues:room_detail", args=[world["room"].pk]), {"week": day.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "投影仪" in page and "话筒" in page and "周一至周五 09:00–18:00" in page
    assert f'data-booking="{approved.pk}"' in page and "青年微党课" in page
    # Someone else's pending request does not show on the contact's calendar.
    assert f'data-booking="{pending_other.pk}"' not in page and "秘密的申请" not in page
    # The unit contact of another street sees the approved slot without its details.
    c = client_for(world["secretary"])
    page = c.get(reverse("venues:room_detail", args=[world["room"].pk]), {"week": day.isoformat()}).content.decode()
    assert f'data-booking="{approved.pk}"' in page
    assert "calendar.ics?token=" in page


def test_booking_form_round_trip_and_field_errors(world, client_for):
    day = next_weekday()
    c = client_for(world["contact"])
    url = reverse("venues:booking_create", args=[world["room"].pk])
    form = c.get(url, {"date": day.isoformat()}).content.decode()
    assert f'value="{day.isoformat()}"' in form
    bad = c.post(url, {"date": day.isoformat(), "start": "08:00", "end": "10:00", "purpose": "党课", "attendees": 50})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert 'data-field="start"' in page and "预约须在开放时间 09:00–18:00 之内" in page
    assert not Booking.objects.exists()
    bad = c.post(url, {"date": day.isoformat(), "start": "10:00", "end": "11:00", "purpose": "党课", "attendees": 50})
    assert 'data-field="attendees"' in bad.content.decode()
    ok = c.post(url, {"date": day.isoformat(), "start": "10:00", "end": "11:00", "purpose": "党课", "attendees": 20,
                      "enterprise": world["ent"].pk})
    booking = Booking.objects.get()
    assert ok.status_code == 302 and ok["Location"] == booking.get_absolute_url()
    assert booking.status == "requested" and booking.enterprise == world["ent"]
    # Not a manager: the auto-approve box is ignored.
    c.post(url, {"date": day.isoformat(), "start": "12:00", "end": "13:00", "purpose": "党课", "attendees": 5,
                 "auto_approve": "1"})
    assert Booking.objects.filter(status="approved").count() == 0


def test_manager_books_and_approves_at_once(world, client_for):
    day = next_weekday()
    c = client_for(world["worker"])
    c.post(reverse("venues:booking_create", args=[world["room"].pk]),
           {"date": day.isoformat(), "start": "10:00", "end": "11:00", "purpose": "楼宇活动", "attendees": 20,
            "auto_approve": "1"})
    assert Booking.objects.get().status == "approved"


def test_queue_approve_and_reject(world, client_for):
    day = next_weekday()
    first, second = book(world, day, 10, 12), book(world, day, 11, 13, user="secretary")
    c = client_for(world["worker"])
    queue = c.get(reverse("venues:approvals")).content.decode()
    assert f'data-booking="{first.pk}"' in queue and f'data-booking="{second.pk}"' in queue
    assert "另有 1 个申请争用此时段" in queue
    response = c.post(reverse("venues:booking_action", args=[first.pk, "approve"]),
                      {"next": reverse("venues:approvals")})
    assert response.status_code == 302 and response["Location"] == reverse("venues:approvals")
    queue = c.get(reverse("venues:approvals")).content.decode()
    assert f'data-booking="{first.pk}"' not in queue and 'data-testid="clash"' in queue
    response = c.post(reverse("venues:booking_action", args=[second.pk, "approve"]), follow=True)
    assert "已有已批准的预约" in response.content.decode()
    response = c.post(reverse("venues:booking_action", args=[second.pk, "reject"]), {"reason": ""}, follow=True)
    assert "驳回预约须说明理由" in response.content.decode()
    c.post(reverse("venues:booking_action", args=[second.pk, "reject"]), {"reason": "与其他活动冲突"})
    second.refresh_from_db()
    assert second.status == "rejected" and second.reason == "与其他活动冲突"
    # Street 2's staff see none of it.
    c = client_for(world["staff2"])
    assert f'data-booking="{first.pk}"' not in c.get(reverse("venues:approvals")).content.decode()


def test_non_manager_cannot_approve(world, client_for):
    booking = book(world, next_weekday(), 10, 11)
    c = client_for(world["head"])  # sees the booking? not in the station's subtree: 404
    assert c.post(reverse("venues:booking_action", args=[booking.pk, "approve"])).status_code == 404
    c = client_for(world["contact"])
    response = c.post(reverse("venues:booking_action", args=[booking.pk, "approve"]), follow=True)
    assert "只有该房间所在服务站的管理人员可以审批" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "requested"


def test_my_bookings_and_cancel(world, client_for):
    day = next_weekday()
    mine = book(world, day, 10, 11)
    theirs = book(world, day, 14, 15, user="secretary")
    c = client_for(world["contact"])
    page = c.get(reverse("venues:my_bookings")).content.decode()
    assert f'data-booking="{mine.pk}"' in page and f'data-booking="{theirs.pk}"' not in page
    detail = c.get(mine.get_absolute_url()).content.decode()
    assert 'data-testid="cancel"' in detail and 'data-testid="approve"' not in detail
    c.post(reverse("venues:booking_action", args=[mine.pk, "cancel"]))
    mine.refresh_from_db()
    assert mine.status == "cancelled"


def test_bookings_export_is_scoped_and_audited(world, client_for):
    day = next_weekday()
    book(world, day, 10, 11, purpose="街道一的活动")
    book(world, day, 10, 11, user="contact2", room=world["other_room"], purpose="街道二的活动")
    c = client_for(world["staff"])
    response = c.get(reverse("venues:booking_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "服务站", "房间")
    assert [r[4] for r in rows[1:]] == ["街道一的活动"]
    assert AuditEvent.objects.filter(action="export", object_type="venues.booking").exists()


def test_room_create_and_edit_by_managers_only(world, client_for):
    data = {"place": world["station1"].pk, "name": "书吧", "capacity": 15, "equipment": ["wifi", "tea"],
            "opens_at": "10:00", "closes_at": "20:00", "open_weekdays": ["6", "7"], "closed_on_holidays": "on",
            "description": "", "active": "on", "equipment_note": ""}
    c = client_for(world["worker"])
    response = c.post(reverse("venues:room_create"), data)
    room = Room.objects.get(name="书吧")
    assert response.status_code == 302 and room.open_weekdays == "67" and room.equipment == ["wifi", "tea"]
    # A place outside the worker's park is not a choice.
    bad = c.post(reverse("venues:room_create"), {**data, "name": "越界", "place": world["station2"].pk})
    assert bad.status_code == 200 and not Room.objects.filter(name="越界").exists()
    bad = c.post(reverse("venues:room_edit", args=[room.pk]), {**data, "closes_at": "09:00"})
    assert "关闭时间必须晚于开放时间" in bad.content.decode()
    assert client_for(world["contact"]).get(reverse("venues:room_create")).status_code == 403
    assert client_for(world["staff2"]).get(reverse("venues:room_edit", args=[room.pk])).status_code == 404


def test_photos_checked_and_served_in_scope(world, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    room = world["room"]
    c = client_for(world["worker"])
    url = reverse("venues:photo_upload", args=[room.pk])
    response = c.post(url, {"file": SimpleUploadedFile("hall.png", PNG, "image/png"), "caption": "全景"}, follow=True)
    assert "已上传照片" in response.content.decode()
    photo = RoomPhoto.objects.get()
    response = c.post(url, {"file": SimpleUploadedFile("fake.jpg", b"%PDF-1.4 not an image", "image/jpeg")},
                      follow=True)
    assert "不是有效的图片" in response.content.decode()
    response = c.post(url, {"file": SimpleUploadedFile("doc.pdf", b"%PDF-1.4", "application/pdf")}, follow=True)
    assert "类型不支持" in response.content.decode()
    assert RoomPhoto.objects.count() == 1
    served = client_for(world["contact"]).get(photo.get_absolute_url())
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    assert client_for(world["contact2"]).get(photo.get_absolute_url()).status_code == 404
    assert client_for(world["contact"]).post(url, {"file": SimpleUploadedFile("x.png", PNG)}).status_code == 403


@pytest.mark.parametrize("week", ["abc", "2026-13-45", "9999-12-31", "0001-01-01", ""])
def test_odd_week_and_date_parameters_fall_back_to_today(world, client_for, week):
    c = client_for(world["contact"])
    assert c.get(reverse("venues:room_detail", args=[world["room"].pk]), {"week": week}).status_code == 200
    assert c.get(reverse("venues:booking_create", args=[world["room"].pk]), {"date": week}).status_code == 200


def test_form_date_far_in_the_future_is_a_field_error(world, client_for):
    c = client_for(world["contact"])
    response = c.post(reverse("venues:booking_create", args=[world["room"].pk]),
                      {"date": "9999-12-31", "start": "10:00", "end": "11:00", "purpose": "x", "attendees": 1})
    assert response.status_code == 400
    assert "最多只能预约 730 天以内的时段" in response.content.decode()
