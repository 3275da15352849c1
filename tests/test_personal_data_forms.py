"""Personal data in edit forms: masked for every role (the form's values are as readable as the page), kept when
the mask comes back unchanged, replaced by a new full value, refused half-edited; the roles that may reveal get
the full values on demand, audited; the others get 403 (docs/decisions/003 and 022)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import AuditEvent, Role
from jiceng.core.validators import mask_id_number, mask_phone
from jiceng.demands.models import Demand
from jiceng.matching import services
from jiceng.matching.models import JointConference, Need
from tests import factories as f

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
CONTACT = "13700001111"


@pytest.fixture
def world(tree):
    org = f.organization(tree["building1"], "甲支部")
    other_org = f.organization(tree["building2"], "乙支部")
    member = f.member(org, "张三", phone=PHONE)
    ent = f.enterprise(tree["building1"], "甲科技", contact_name="李经理", contact_phone=CONTACT)
    return {
        "tree": tree, "org": org, "member": member, "enterprise": ent,
        "other_member": f.member(other_org, "外街党员"),
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "worker": f.user("worker", Role.BUILDING_WORKER, tree["building1"]),
        "admin": f.user("admin1", Role.DISTRICT_ADMIN, tree["district"]),
        "secretary": f.user("secretary", Role.ORG_SECRETARY, org),
        "secretary2": f.user("secretary2", Role.ORG_SECRETARY, other_org),
    }


def _form_data(response) -> dict:
    """What a browser would submit: every field's rendered value."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if hasattr(value, "pk"):
            value = value.pk
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = value
    return data


# --- members ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["staff", "admin", "secretary"])
def test_member_edit_form_shows_masks_only(client, world, who):
    member = world["member"]
    client.force_login(world[who])
    response = client.get(reverse("members:member_edit", args=[member.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert member.id_number not in html and PHONE not in html
    assert mask_id_number(member.id_number) in html and mask_phone(PHONE) in html
    assert not AuditEvent.objects.exists()
    # The reveal action is offered only to the roles that may reveal.
    assert ('data-testid="reveal"' in html) is (who in ("admin", "secretary"))


def test_saving_the_masks_unchanged_keeps_the_stored_values(client, world):
    member = world["member"]
    id_number = member.id_number
    client.force_login(world["staff"])
    url = reverse("members:member_edit", args=[member.pk])
    data = _form_data(client.get(url))
    assert data["id_number"] == mask_id_number(id_number) and data["phone"] == mask_phone(PHONE)
    data["name"] = "张三丰"
    assert client.post(url, data).status_code == 302
    member.refresh_from_db()
    assert (member.name, member.id_number, member.phone) == ("张三丰", id_number, PHONE)
    # History shows no change of the personal fields (nothing was overwritten with a mask).
    latest, previous = member.history.all()[:2]
    changed = latest.diff_against(previous).changed_fields
    assert "name" in changed and "id_number" not in changed and "phone" not in changed


def test_a_new_full_value_replaces_and_a_half_edited_mask_is_refused(client, world):
    member = world["member"]
    client.force_login(world["staff"])
    url = reverse("members:member_edit", args=[member.pk])
    data = _form_data(client.get(url))
    response = client.post(url, {**data, "phone": "139****0000"})
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    assert "完整的号码" in response.context["form"].errors["phone"][0]
    member.refresh_from_db()
    assert member.phone == PHONE
    # Re-rendered after an error, the form still shows only masks.
    assert member.id_number not in response.content.decode()
    assert client.post(url, {**data, "phone": "13600002222"}).status_code == 302
    member.refresh_from_db()
    assert member.phone == "13600002222"


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("secretary", 200), ("staff", 403), ("worker", 403),
                                             ("secretary2", 404)])
def test_member_reveal_on_demand_is_audited(client, world, who, status):
    member = world["member"]
    client.force_login(world[who])
    response = client.post(reverse("members:member_reveal", args=[member.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.json() == {"id_number": member.id_number, "phone": PHONE}
        event = AuditEvent.objects.get()
        assert (event.action, event.object_id, event.user) == ("reveal", str(member.pk), world[who])
    else:
        assert not AuditEvent.objects.exists()


# --- enterprises --------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["worker", "staff", "admin"])
def test_enterprise_edit_form_masks_the_contact_phone_and_keeps_it(client, world, who):
    ent = world["enterprise"]
    client.force_login(world[who])
    url = reverse("enterprises:enterprise_edit", args=[ent.pk])
    response = client.get(url)
    assert CONTACT not in response.content.decode() and mask_phone(CONTACT) in response.content.decode()
    data = _form_data(response)
    data["employees"] = 99
    assert client.post(url, data).status_code == 302
    ent.refresh_from_db()
    assert (ent.employees, ent.contact_phone) == (99, CONTACT)
    # The detail page and its change history show the phone masked too.
    ent.contact_phone = "13800009999"
    ent.save()
    page = client.get(ent.get_absolute_url()).content.decode()
    assert "13800009999" not in page and CONTACT not in page and mask_phone("13800009999") in page


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("staff", 403), ("worker", 403)])
def test_enterprise_reveal(client, world, who, status):
    client.force_login(world[who])
    response = client.post(reverse("enterprises:enterprise_reveal", args=[world["enterprise"].pk]))
    assert response.status_code == status
    assert AuditEvent.objects.filter(action="reveal").exists() is (status == 200)
    if status == 200:
        assert response.json() == {"contact_phone": CONTACT}


def test_api_never_returns_the_full_contact_phone(world):
    from rest_framework.test import APIClient

    for who in ("worker", "admin"):
        api = APIClient()
        api.force_authenticate(world[who])
        detail = api.get(f"/api/enterprises/{world['enterprise'].pk}/").json()
        listing = api.get("/api/enterprises/").content.decode()
        assert CONTACT not in str(detail) and CONTACT not in listing
        assert detail["contact_phone_masked"] == mask_phone(CONTACT)
        member = api.get(f"/api/members/{world['member'].pk}/").json()
        assert PHONE not in str(member) and world["member"].id_number not in str(member)


# --- needs (the three lists) --------------------------------------------------------------------------

def test_need_edit_and_promotion_forms_mask_the_requesters_phone(client, world):
    tree = world["tree"]
    conference = JointConference.objects.create(name="五角场联席会议", place=tree["street1"])
    start = timezone.now() + dt.timedelta(days=1)
    need = services.save_need(Need(conference=conference, requester_name="居民区", contact_phone=CONTACT,
                                   title="停车", category="parking", quantity=2, start=start,
                                   end=start + dt.timedelta(days=10), lat=31.3, lng=121.5), by=world["staff"])
    client.force_login(world["staff"])
    url = reverse("matching:need_edit", args=[need.pk])
    response = client.get(url)
    assert CONTACT not in response.content.decode()
    data = _form_data(response)
    data.update(start=f"{timezone.localtime(need.start):%Y-%m-%dT%H:%M}",
                end=f"{timezone.localtime(need.end):%Y-%m-%dT%H:%M}", quantity=3)
    assert client.post(url, data).status_code == 302
    need.refresh_from_db()
    assert (need.quantity, need.contact_phone) == (3, CONTACT)
    # A demand promoted to a need: its phone is carried over without being shown.
    demand = Demand.objects.create(text="楼下停车难", place=tree["building1"], requester_name="王女士",
                                   requester_phone=PHONE)
    url = reverse("matching:need_from_demand", args=[demand.pk])
    response = client.get(url, {"conference": conference.pk})
    assert PHONE not in response.content.decode()
    data = _form_data(response)
    data.update(start=f"{timezone.localtime(start):%Y-%m-%dT%H:%M}",
                end=f"{timezone.localtime(start + dt.timedelta(days=5)):%Y-%m-%dT%H:%M}", lat="31.3", lng="121.5")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert Need.objects.get(demand=demand).contact_phone == PHONE
    # The admin may reveal it from the need's edit form, audited; street staff may not.
    assert client.post(reverse("matching:need_reveal", args=[need.pk])).status_code == 403
    client.force_login(world["admin"])
    assert 'data-testid="reveal"' in client.get(reverse("matching:need_edit", args=[need.pk])).content.decode()
    assert client.post(reverse("matching:need_reveal", args=[need.pk])).json() == {"contact_phone": CONTACT}
    assert AuditEvent.objects.filter(action="reveal", object_id=str(need.pk)).count() == 1
