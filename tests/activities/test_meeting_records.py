"""Meeting records: computed expected/actual attendance, absences with reasons, photos checked by content and
size with the field named, who may write them (organizers; others 403, out of scope 404), and a 支委会 refused for
a branch without a committee in the model, the form and the API."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiceng.activities import services
from jiceng.activities.forms import ActivityForm
from jiceng.activities.models import Activity, ActivityKind, Attendance, MeetingPhoto, MeetingRecord
from jiceng.organizations.models import CommitteeMember
from tests import factories as f

from .conftest import api_for, make_activity

pytestmark = pytest.mark.django_db
BASE = "/api/activities/meeting-records"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def committee(world):
    """The branch with 7 full members and a committee of three (m1, m2, m3)."""
    branch = world["branch"]
    for n in range(4):
        f.member(branch, f"委员外党员{n}")
    for member in (world["m1"], world["m2"], world["m3"]):
        CommitteeMember.objects.create(organization=branch, member=member, position="member")
    return world


@pytest.fixture
def meeting(committee):
    start = timezone.now() - dt.timedelta(days=2)
    activity = make_activity(committee["branch"], start=start, title="支委会", kind=ActivityKind.COMMITTEE_MEETING)
    Attendance.objects.create(activity=activity, member=committee["m1"])
    Attendance.objects.create(activity=activity, member=committee["m2"])
    return activity


def test_record_with_computed_attendance_and_absences(committee, meeting):
    record = services.save_meeting_record(meeting, user=committee["secretary"], topic="研究发展对象",
                                          chair=committee["m1"], recorder=committee["m2"],
                                          absences={committee["m3"].pk: "出差"}, decisions="同意列为发展对象")
    assert (record.computed_expected, record.expected_attendance, record.actual_attendance) == (3, 3, 2)
    assert [(a.member, a.reason) for a in record.absences.all()] == [(committee["m3"], "出差")]
    record = services.save_meeting_record(meeting, topic="研究发展对象", expected=4)
    assert record.expected_attendance == 4 and record.absences.count() == 1  # absences kept when not given
    theme = make_activity(committee["branch"], start=timezone.now() - dt.timedelta(days=1))
    assert services.save_meeting_record(theme, topic="主题党日").computed_expected == 7  # the branch's members


def test_bad_records_name_the_field_and_save_nothing(committee, meeting, world):
    with pytest.raises(Exception) as exc:
        services.save_meeting_record(meeting, topic="x", chair=world["outsider"])
    assert "chair" in exc.value.message_dict
    with pytest.raises(Exception) as exc:
        services.save_meeting_record(meeting, topic="x", absences={committee["m1"].pk: "病假"})  # m1 attended
    assert "absences" in exc.value.message_dict
    with pytest.raises(Exception) as exc:
        services.save_meeting_record(meeting, topic="x", absences={committee["m3"].pk: " "})
    assert "absences" in exc.value.message_dict
    lecture = make_activity(committee["branch"], title="讲座", kind=ActivityKind.LECTURE)
    with pytest.raises(Exception) as exc:
        services.save_meeting_record(lecture, topic="x")
    assert "activity" in exc.value.message_dict
    assert not MeetingRecord.objects.exists()


@pytest.mark.parametrize(("name", "content", "ok"), [
    ("a.png", PNG, True), ("a.jpg", JPEG, True), ("a.webp", WEBP, True),
    ("renamed.png", b"%PDF-1.7 not an image", False),  # the name says PNG, the content does not
    ("a.gif", b"GIF89a" + b"\x00" * 20, False),
    ("big.jpg", JPEG + b"\x00" * (5 * 1024 * 1024), False),
])
def test_photos_are_checked_by_content_and_size(committee, meeting, name, content, ok):
    api = api_for(committee["secretary"])
    record = api.post(f"{BASE}/", {"activity": meeting.pk, "topic": "学习"}, format="json")
    assert record.status_code == 201, record.json()
    r = api.post(f"{BASE}/{record.json()['id']}/photos/", {"photo": SimpleUploadedFile(name, content)},
                 format="multipart")
    if ok:
        assert r.status_code == 201 and r.json()["format"] in ("png", "jpeg", "webp")
        photo = MeetingPhoto.objects.get()
        assert photo.file.name.endswith({"png": ".png", "jpeg": ".jpg", "webp": ".webp"}[photo.format])
    else:
        assert r.status_code == 400 and "photo" in r.json() and name in r.json()["photo"][0]
        assert not MeetingPhoto.objects.exists()


def test_the_page_form_records_and_shows_errors(client, committee, meeting):
    client.force_login(committee["secretary"])
    page = client.get(meeting.get_absolute_url())
    assert page.status_code == 200 and 'data-testid="record-form"' in page.content.decode()
    url = reverse("activities:meeting_record", args=[meeting.pk])
    bad = client.post(url, {"topic": "学习", "photo": SimpleUploadedFile("x.png", b"not an image")})
    assert bad.status_code == 400 and "会议照片" in bad.content.decode() and not MeetingRecord.objects.exists()
    r = client.post(url, {"topic": "学习", "chair": committee["m1"].pk, f"absence_{committee['m3'].pk}": "病假",
                          "photo": SimpleUploadedFile("x.png", PNG)})
    assert r.status_code == 302
    record = MeetingRecord.objects.get(activity=meeting)
    assert record.chair == committee["m1"] and record.absences.get().reason == "病假"
    photo = record.photos.get()
    shown = client.get(reverse("activities:meeting_photo", args=[meeting.pk, photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == PNG
    # Reading streaming_content to its end closed the response (the test client does so without closing the
    # database connection, which a second close() would do on PostgreSQL, in the middle of the test).
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "病假" in page and "3 / 2" in page


def test_the_list_reads_the_counts_in_one_query(committee, meeting, world, django_assert_max_num_queries):
    services.save_meeting_record(meeting, topic="学习", absences={committee["m3"].pk: "病假"})
    theme = make_activity(committee["branch"], start=timezone.now() - dt.timedelta(days=1))
    services.save_meeting_record(theme, topic="主题党日")
    group = make_activity(committee["group"], start=timezone.now() - dt.timedelta(days=1), title="党小组会",
                          kind=ActivityKind.GROUP_MEETING)
    services.save_meeting_record(group, topic="小组学习")
    api = api_for(world["staff"])
    with django_assert_max_num_queries(12):
        rows = {row["topic"]: row for row in api.get(f"{BASE}/").json()["results"]}
    assert (rows["学习"]["expected_computed"], rows["学习"]["actual_attendance"]) == (3, 2)
    assert rows["学习"]["absences"] == [{"member": committee["m3"].pk, "name": committee["m3"].name, "reason": "病假"}]
    assert (rows["主题党日"]["expected_computed"], rows["主题党日"]["actual_attendance"]) == (7, 0)
    assert rows["小组学习"]["expected_computed"] is None


def test_who_may_read_and_write_records(committee, meeting, world):
    services.save_meeting_record(meeting, topic="学习")
    record = MeetingRecord.objects.get()
    # Members of the branch read it; another street's officer and another branch's secretary do not see it.
    assert api_for(world["u1"]).get(f"{BASE}/{record.pk}/").status_code == 200
    assert api_for(world["staff2"]).get(f"{BASE}/{record.pk}/").status_code == 404
    assert api_for(world["secretary2"]).get(f"{BASE}/").json()["count"] == 0
    # Only organizers write: a member 403, an outsider 404, the secretary and the street officer 200.
    assert api_for(world["u1"]).patch(f"{BASE}/{record.pk}/", {"topic": "改"}).status_code == 403
    assert api_for(world["secretary2"]).patch(f"{BASE}/{record.pk}/", {"topic": "改"}).status_code == 404
    assert api_for(world["u1"]).post(f"{BASE}/", {"activity": meeting.pk, "topic": "x"}).status_code == 400
    assert api_for(world["secretary"]).patch(f"{BASE}/{record.pk}/", {"topic": "改"}).status_code == 200
    assert api_for(world["staff"]).patch(f"{BASE}/{record.pk}/", {"topic": "再改"}).status_code == 200
    photo = SimpleUploadedFile("a.png", PNG)
    assert api_for(world["u1"]).post(f"{BASE}/{record.pk}/photos/", {"photo": photo},
                                     format="multipart").status_code == 403
    client_url = reverse("activities:meeting_record", args=[meeting.pk])
    from django.test import Client

    other = Client()
    other.force_login(world["u1"])
    assert other.post(client_url, {"topic": "x"}).status_code == 403
    other.force_login(world["secretary2"])
    assert other.post(client_url, {"topic": "x"}).status_code == 404


def test_a_committee_meeting_needs_a_committee(world):
    """Model clean, form and API refuse a 支委会 for a branch with fewer than 7 full members; nothing is saved."""
    branch = world["branch"]
    start = timezone.now() + dt.timedelta(days=3)
    activity = Activity(title="支委会", kind=ActivityKind.COMMITTEE_MEETING, organization=branch, start=start,
                        end=start + dt.timedelta(hours=1))
    with pytest.raises(Exception) as exc:
        activity.full_clean()
    message = exc.value.message_dict["kind"][0]
    assert "支部正式党员不足7人,不设支委会" in message and "第九条" in message
    form = ActivityForm({"title": "支委会", "kind": ActivityKind.COMMITTEE_MEETING, "organization": branch.pk,
                         "start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{start + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}"},
                        user=world["secretary"])
    assert not form.is_valid() and "不设支委会" in str(form.errors)
    r = api_for(world["secretary"]).post("/api/activities/activities/", {
        "title": "支委会", "kind": "committee_meeting", "organization": branch.pk,
        "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat()}, format="json")
    assert r.status_code == 400 and "不设支委会" in r.json()["kind"][0]
    # A party group meeting of a branch without groups: refused too, naming the rule.
    other = world["other"]
    r = api_for(world["secretary2"]).post("/api/activities/activities/", {
        "title": "党小组会", "kind": "group_meeting", "organization": other.pk,
        "start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat()}, format="json")
    assert r.status_code == 400 and "支部未设党小组" in r.json()["kind"][0]
    assert not Activity.objects.exists()
