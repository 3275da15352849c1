"""The public pages: /p/<place id>/ (what shows, what never does, 404s), its QR poster, /activities/ for
visitors and people without a role."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jiceng.places.models import PlaceKind
from jiceng.portal import services
from tests import factories as f

pytestmark = pytest.mark.django_db

PRIVATE = ("党员王秘密", "13800001111", "联系人赵私密", "13700002222", "需求人孙隐", "13600003333", "隐私需求",
           "支部内部会议", "值班员钱多多", "13912345678", "云启科技")


def test_building_page_shows_public_facts_only(portal):
    r = Client().get(f"/p/{portal['building'].pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("创智天地1号楼", "楼长李明", "物业经理", "创智天地党群服务站", "021-65550000", "法律咨询",
                 "午间微课堂:个税汇算", f"/stations/{portal['station'].pk}/public/",
                 f"/activities/{portal['public'].pk}/public/"):
        assert text in html, text
    for text in PRIVATE:
        assert text not in html, text
    # The demand form posts to the public intake with the building preset (hidden).
    assert 'action="/demands/submit/"' in html
    assert re.search(rf'<input type="hidden" name="place" value="{portal["building"].pk}"', html)


def test_park_page_and_404s(portal):
    assert Client().get(f"/p/{portal['park'].pk}/").status_code == 200
    for place in (portal["tree"]["street1"], portal["tree"]["district"], portal["station"].place):
        assert Client().get(f"/p/{place.pk}/").status_code == 404, place.kind
    unit = f.place("3层", PlaceKind.UNIT, portal["building"])
    assert Client().get(f"/p/{unit.pk}/").status_code == 404
    assert Client().get("/p/999999/").status_code == 404


def test_station_found_by_coordinates_when_none_above(portal):
    # Building 2 (street 2) has no station above it: the nearest by coordinates serves it, with its distance.
    building2 = portal["tree"]["building2"]
    building2.lat, building2.lng = portal["building"].lat, portal["building"].lng
    building2.save()
    station, distance = services.serving_station(building2)
    assert station == portal["station"] and 50 < distance < 200


def test_submitting_the_demand_form_from_the_building_page(portal, clock):
    import datetime as dt

    from jiceng.demands.models import Demand

    client = Client()
    html = client.get(f"/p/{portal['building'].pk}/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    clock.shift(dt.timedelta(seconds=10))
    r = client.post("/demands/submit/", {"text": "大堂的灯坏了", "place": portal["building"].pk,
                                         "form_token": token, "website": ""})
    assert r.status_code == 302 and "/demands/track/" in r["Location"]
    assert Demand.objects.filter(text="大堂的灯坏了", place=portal["building"]).exists()


def test_poster_encodes_the_building_url(portal, monkeypatch):
    from jiceng.portal import views

    encoded = []
    real = views.qr_svg
    monkeypatch.setattr(views, "qr_svg", lambda text: encoded.append(text) or real(text))
    assert Client().get(f"/p/{portal['building'].pk}/poster/").status_code == 302  # staff only
    client = Client()
    client.force_login(portal["worker"])
    r = client.get(f"/p/{portal['building'].pk}/poster/")
    assert r.status_code == 200
    html = r.content.decode()
    assert encoded == [f"http://testserver/p/{portal['building'].pk}/"]
    assert "<svg" in html and "创智天地1号楼" in html and "portal/poster.css" in html
    # Out of scope: 404; the places page links the poster.
    other = Client()
    other.force_login(portal["staff2"])
    assert other.get(f"/p/{portal['building'].pk}/poster/").status_code == 404
    detail = client.get(f"/places/{portal['building'].pk}/").content.decode()
    assert f"/p/{portal['building'].pk}/poster/" in detail


def test_activities_for_visitors_residents_and_staff(portal):
    html = Client().get("/activities/").content.decode()
    assert "午间微课堂:个税汇算" in html and "支部内部会议" not in html
    resident = Client()
    resident.force_login(f.user("resident"))  # signed in, no role: the public list
    html = resident.get("/activities/").content.decode()
    assert "午间微课堂:个税汇算" in html and "支部内部会议" not in html and 'data-testid="public-activities"' in html
    worker = Client()
    worker.force_login(portal["worker"])  # staff: their list as before
    r = worker.get("/activities/")
    assert "rows" in r.context and 'data-testid="public-activities"' not in r.content.decode()


def test_signed_in_sign_up_is_tied_to_the_account(portal, clock):
    import datetime as dt

    resident = f.user("resident")
    client = Client()
    client.force_login(resident)
    html = client.get(f"/activities/{portal['public'].pk}/public/").content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    clock.shift(dt.timedelta(seconds=10))
    r = client.post(f"/activities/{portal['public'].pk}/public/",
                    {"name": "白领小周", "phone": "13512345678", "form_token": token, "website": ""})
    assert r.status_code == 200
    assert portal["public"].signups.get(phone="13512345678").user == resident


def test_a_registered_resident_finds_name_and_mobile_filled_in(portal, clock):
    from jiceng.channels.models import UserContact

    resident = f.user("13512345678")
    resident.first_name = "白领小周"
    resident.save()
    UserContact.objects.create(user=resident, mobile="13512345678")
    client = Client()
    client.force_login(resident)
    form = client.get(f"/activities/{portal['public'].pk}/public/").context["form"]
    assert form.initial["name"] == "白领小周" and form.initial["phone"] == "13512345678"

