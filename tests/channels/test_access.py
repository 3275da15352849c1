"""Who sees which deliveries (page and API, phones masked), who manages robots, and the preferences API/page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.channels.models import Channel, Delivery, Preference, Robot, Status
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(tree):
    mine = f.user("resident")
    admin = f.user("district", Role.DISTRICT_ADMIN, tree["district"])
    street1 = f.user("street1", Role.STREET_STAFF, tree["street1"])
    street2 = f.user("street2", Role.STREET_STAFF, tree["street2"])
    rows = {
        "mine": Delivery.objects.create(channel=Channel.SMS, user=mine, recipient="13912345678",
                                        event="demand.resolved", summary="您的需求已办结", status=Status.SENT),
        "street1": Delivery.objects.create(channel=Channel.WECOM, recipient="https://qyapi.weixin.qq.com/cgi-bin/"
                                           "webhook/send?key=secretkey", event="demand.new", summary="新需求",
                                           district=tree["district"], street=tree["street1"], status=Status.FAILED,
                                           answer="HTTP 500"),
        "street2": Delivery.objects.create(channel=Channel.EMAIL, user=street2, recipient="s2@example.org",
                                           event="demand.escalated", summary="督办甲乙丙", district=tree["district"],
                                           street=tree["street2"]),
    }
    return {"users": {"mine": mine, "admin": admin, "street1": street1, "street2": street2}, "rows": rows}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who, expected", [("mine", {"mine"}), ("admin", {"street1", "street2"}),
                                           ("street1", {"street1"}), ("street2", {"street2"})])
def test_delivery_log_scope(logs, who, expected):
    data = api(logs["users"][who]).get("/api/deliveries/").json()
    ids = {row["id"] for row in data["results"]} if isinstance(data, dict) else {row["id"] for row in data}
    assert ids == {logs["rows"][name].pk for name in expected}


def test_delivery_api_masks_recipients(logs, tree):
    superuser = f.user("root", superuser=True)
    data = api(superuser).get("/api/deliveries/").json()
    rows = data["results"] if isinstance(data, dict) else data
    text = str(rows)
    assert "13912345678" not in text and "139****5678" in text
    assert "secretkey" not in text
    other = api(logs["users"]["street1"]).get(f"/api/deliveries/{logs['rows']['street2'].pk}/")
    assert other.status_code == 404


def test_delivery_pages(client, logs):
    client.force_login(logs["users"]["street1"])
    page = client.get(reverse("channels:delivery_list"))
    assert page.status_code == 200 and "新需求" in page.content.decode() and "督办甲乙丙" not in page.content.decode()
    assert client.get(logs["rows"]["street1"].get_absolute_url()).status_code == 200
    assert client.get(logs["rows"]["street2"].get_absolute_url()).status_code == 404
    assert "secretkey" not in client.get(logs["rows"]["street1"].get_absolute_url()).content.decode()


def test_robots_api_for_district_admins_only(logs, tree):
    body = {"name": "五角场街道工作群", "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
            "place": tree["street1"].pk, "kinds": ["demands", "risk"]}
    assert api(logs["users"]["street1"]).post("/api/robots/", body, format="json").status_code == 403
    assert api(logs["users"]["mine"]).post("/api/robots/", body, format="json").status_code == 403
    created = api(logs["users"]["admin"]).post("/api/robots/", body, format="json")
    assert created.status_code == 201, created.json()
    assert "webhook_url" not in created.json() and created.json()["webhook"].endswith("key=k1****")
    robot = Robot.objects.get()
    assert robot.district == tree["district"]
    # street staff read their street's robots; another street's staff does not see it
    assert len(api(logs["users"]["street1"]).get("/api/robots/").json()["results"]) == 1
    assert api(logs["users"]["street2"]).get(f"/api/robots/{robot.pk}/").status_code == 404
    bad = api(logs["users"]["admin"]).post("/api/robots/", {**body, "kinds": ["nope"]}, format="json")
    assert bad.status_code == 400 and "kinds" in bad.json()


def test_preferences_api(logs):
    client = api(logs["users"]["mine"])
    rows = client.get("/api/notification-preferences/").json()
    demands = next(r for r in rows if r["kind"] == "demands")
    assert demands == {"kind": "demands", "label": demands["label"], "inapp": True, "email": True, "sms": True,
                       "wecom": True}
    changed = client.put("/api/notification-preferences/",
                         [{"kind": "demands", "email": False, "sms": False, "wecom": False}], format="json")
    assert changed.status_code == 200
    assert next(r for r in changed.json() if r["kind"] == "demands")["sms"] is False
    assert Preference.objects.get(user=logs["users"]["mine"], kind="demands").sms is False
    bad = client.put("/api/notification-preferences/", [{"kind": "x", "email": True, "sms": 1, "wecom": 0}],
                     format="json")
    assert bad.status_code == 400


def test_preferences_page(client, logs):
    client.force_login(logs["users"]["mine"])
    assert client.get(reverse("channels:preferences")).status_code == 200
    response = client.post(reverse("channels:preferences"), {"risk__email": "on"})
    assert response.status_code == 302
    prefs = {p.kind: (p.email, p.sms, p.wecom) for p in Preference.objects.filter(user=logs["users"]["mine"])}
    assert prefs["risk"] == (True, False, False) and prefs["demands"] == (False, False, False)
