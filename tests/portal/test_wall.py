"""The activity message wall: who may write, nothing shows before approval, hostile text escaped, moderation
by the activity's moderators only, the queue page and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from jiceng.activities import services, wall
from jiceng.activities.models import ActivityMessage, MessageStatus
from tests import factories as f

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def signed_up(portal, phone="13512345678"):
    return services.sign_up(portal["public"], name="白领小周", phone=phone)


def test_only_people_who_signed_up_may_write_anonymously(portal):
    with pytest.raises(ValidationError) as err:
        wall.post_message(portal["public"], text="你好", phone="13512345678")
    assert "phone" in err.value.message_dict
    signed_up(portal)
    message = wall.post_message(portal["public"], text="期待!", phone="13512345678")
    assert message.status == MessageStatus.PENDING and message.author_name == "白领小周"
    with pytest.raises(ValidationError) as err:
        wall.post_message(portal["public"], text="x" * 201, phone="13512345678")
    assert "text" in err.value.message_dict


def test_pending_hidden_approved_shown_escaped(portal):
    signed_up(portal)
    client = Client()
    r = client.post(f"/activities/{portal['public'].pk}/messages/", {"text": HOSTILE, "phone": "13512345678"})
    assert r.status_code == 302
    page = f"/activities/{portal['public'].pk}/public/"
    assert "onerror" not in client.get(page).content.decode()
    message = ActivityMessage.objects.get()
    wall.moderate(message, approve=True, user=portal["worker"])
    html = client.get(page).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "13512345678" not in html  # the phone that proved the sign-up is never shown


def test_moderation_by_moderators_only_and_the_queue(portal):
    signed_up(portal)
    message = wall.post_message(portal["public"], text="请问需要带电脑吗?", phone="13512345678")
    for outsider in (portal["staff2"], portal["contact"], f.user("resident")):
        with pytest.raises(PermissionDenied):
            wall.moderate(message, approve=True, user=outsider)
        assert list(wall.moderation_queue(outsider)) == []
    worker = Client()
    worker.force_login(portal["worker"])
    assert "请问需要带电脑吗?" in worker.get("/activities/messages/").content.decode()
    worker.post("/activities/messages/", {"message": message.pk, "decision": "reject"})
    message.refresh_from_db()
    assert message.status == MessageStatus.REJECTED and message.moderated_by == portal["worker"]
    other = Client()
    other.force_login(portal["staff2"])
    assert other.post("/activities/messages/", {"message": message.pk, "decision": "approve"}).status_code == 404


def test_api_scoped(portal):
    resident = f.user("resident")
    api = APIClient()
    api.force_authenticate(resident)
    r = api.post("/api/activity-messages/", {"activity": portal["public"].pk, "text": "赞"}, format="json")
    assert r.status_code == 201 and r.json()["status"] == "pending"
    pk = r.json()["id"]
    assert api.post(f"/api/activity-messages/{pk}/approve/").status_code == 403
    assert api.post("/api/activity-messages/", {"activity": portal["internal"].pk, "text": "x"},
                    format="json").status_code == 404
    outsider = APIClient()
    outsider.force_authenticate(portal["staff2"])
    assert outsider.get("/api/activity-messages/").json()["count"] == 0
    assert outsider.post(f"/api/activity-messages/{pk}/approve/").status_code == 404
    worker = APIClient()
    worker.force_authenticate(portal["worker"])
    assert worker.get("/api/activity-messages/", {"status": "pending"}).json()["count"] == 1
    assert worker.post(f"/api/activity-messages/{pk}/approve/").json()["status"] == "approved"
    assert APIClient().get("/api/activity-messages/").status_code in (401, 403)
