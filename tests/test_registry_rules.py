"""Every registry validation is refused with a message naming the field — on forms and the API alike."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.enterprises.models import Enterprise
from jiceng.organizations.models import Coverage, OrgKind
from jiceng.places.models import Place
from tests import factories as f


@pytest.fixture
def admin_api(tree):
    u = f.user("dadmin", Role.DISTRICT_ADMIN, tree["district"])
    api = APIClient()
    api.force_authenticate(u)
    return api


@pytest.fixture
def admin_client(client, tree):
    client.force_login(f.user("dadmin_ui", Role.DISTRICT_ADMIN, tree["district"]))
    return client


def bad_code():
    good = f.uscc()
    return good[:-1] + ("0" if good[-1] != "0" else "1")


# --- enterprises: credit code ----------------------------------------------------------------------
def test_enterprise_bad_credit_code_api(admin_api, tree):
    r = admin_api.post("/api/enterprises/", {"name": "坏码公司", "credit_code": bad_code(),
                                             "place": tree["building1"].pk}, format="json")
    assert r.status_code == 400 and "credit_code" in r.json()


def test_enterprise_bad_credit_code_form(admin_client, tree):
    r = admin_client.post(reverse("enterprises:enterprise_add"), {
        "name": "坏码公司", "credit_code": bad_code(), "kind": "enterprise", "ownership": "private",
        "employees": 5, "place": tree["building1"].pk})
    assert r.status_code == 200
    assert "credit_code" in r.context["form"].errors
    assert not Enterprise.objects.filter(name="坏码公司").exists()


def test_enterprise_good_form_saves_and_history_shows(admin_client, tree):
    code = f.uscc()
    r = admin_client.post(reverse("enterprises:enterprise_add"), {
        "name": "好码公司", "credit_code": code, "kind": "enterprise", "ownership": "private",
        "employees": 5, "place": tree["building1"].pk})
    assert r.status_code == 302
    ent = Enterprise.objects.get(credit_code=code)
    assert ent.street == tree["street1"] and ent.name_initials == "hmgs"
    r = admin_client.post(reverse("enterprises:enterprise_edit", args=[ent.pk]), {
        "name": "好码公司", "credit_code": code, "kind": "enterprise", "ownership": "private",
        "employees": 80, "place": tree["building1"].pk})
    page = admin_client.get(ent.get_absolute_url()).content.decode()
    assert "dadmin_ui" in page and "5 → 80" in page


def test_enterprise_negative_employees_api(admin_api, tree):
    r = admin_api.post("/api/enterprises/", {"name": "负数公司", "credit_code": f.uscc(), "employees": -3,
                                             "place": tree["building1"].pk}, format="json")
    assert r.status_code == 400 and "employees" in r.json()


def test_enterprise_at_a_street_is_refused(admin_api, tree):
    r = admin_api.post("/api/enterprises/", {"name": "街道公司", "credit_code": f.uscc(),
                                             "place": tree["street1"].pk}, format="json")
    assert r.status_code == 400 and "place" in r.json()


def test_duplicate_credit_code_api(admin_api, tree):
    ent = f.enterprise(tree["building1"])
    r = admin_api.post("/api/enterprises/", {"name": "重复公司", "credit_code": ent.credit_code,
                                             "place": tree["building1"].pk}, format="json")
    assert r.status_code == 400 and "credit_code" in r.json()


# --- places ----------------------------------------------------------------------------------------
def test_place_under_own_descendant_is_refused(admin_api, admin_client, tree):
    park = tree["park1"]
    r = admin_api.patch(f"/api/places/{park.pk}/", {"parent": tree["building1"].pk}, format="json")
    assert r.status_code == 400 and "parent" in r.json()
    street = tree["street1"]
    r = admin_client.post(reverse("places:place_edit", args=[street.pk]), {
        "name": street.name, "kind": "street", "parent": street.pk})
    assert "parent" in r.context["form"].errors


def test_place_kind_must_fit_parent(admin_api, tree):
    r = admin_api.post("/api/places/", {"name": "错层", "kind": "street", "parent": tree["park1"].pk},
                       format="json")
    assert r.status_code == 400 and "parent" in r.json()


def test_bad_coordinates_refused(admin_api, tree):
    r = admin_api.post("/api/places/", {"name": "坐标错", "kind": "park", "parent": tree["street1"].pk,
                                        "lat": "95.0", "lng": "121.5"}, format="json")
    assert r.status_code == 400 and "lat" in r.json()


def test_moving_a_park_rebases_paths_and_located_objects(tree):
    ent = f.enterprise(tree["building1"])
    org = f.organization(tree["building1"])
    park = tree["park1"]
    park.parent = tree["street2"]
    park.full_clean()
    park.save()
    building = Place.objects.get(pk=tree["building1"].pk)
    assert building.path == f"{tree['street2'].path}{park.pk}/{building.pk}/"
    assert building.street_id == tree["street2"].pk
    ent.refresh_from_db()
    org.refresh_from_db()
    assert ent.street_id == tree["street2"].pk and org.street_id == tree["street2"].pk


def test_place_api_returns_gcj02(admin_api, tree):
    r = admin_api.post("/api/places/", {"name": "有坐标园区", "kind": "park", "parent": tree["street1"].pk,
                                        "lat": "31.2304", "lng": "121.4737"}, format="json")
    assert r.status_code == 201, r.json()
    gcj = r.json()["gcj02"]
    assert abs(gcj["lng"] - 121.4782) < 0.001 and abs(gcj["lat"] - 31.2285) < 0.001


# --- organizations ---------------------------------------------------------------------------------
def test_organization_cycle_refused(admin_api, tree):
    top = f.organization(tree["street1"], "街道党委", kind=OrgKind.COMMITTEE)
    mid = f.organization(tree["park1"], "园区党委", kind=OrgKind.COMMITTEE, parent=top)
    r = admin_api.patch(f"/api/organizations/{top.pk}/", {"parent": mid.pk}, format="json")
    assert r.status_code == 400 and "parent" in r.json()


def test_party_group_needs_a_branch_parent(admin_api, tree):
    r = admin_api.post("/api/organizations/", {"name": "孤立党小组", "kind": "party_group",
                                               "place": tree["park1"].pk}, format="json")
    assert r.status_code == 400 and "parent" in r.json()


def test_typed_term_end_is_ignored_and_computed(admin_api, tree):
    """The term's end comes from the election date and the kind's term length (decision 040), not from input."""
    r = admin_api.post("/api/organizations/", {"name": "任期错支部", "kind": "branch", "place": tree["park1"].pk,
                                               "term_start": "2024-01-01", "term_end": "2023-01-01"}, format="json")
    assert r.status_code == 201 and r.json()["term_end"] == "2029-01-01"


def test_enterprise_covered_by_two_branches_refused_unless_on_one_line(admin_api, tree):
    ent = f.enterprise(tree["building1"])
    parent = f.organization(tree["park1"], "园区党总支", kind=OrgKind.GENERAL_BRANCH)
    joint = f.organization(tree["park1"], "联合党支部", kind=OrgKind.JOINT_BRANCH, parent=parent)
    other = f.organization(tree["park1"], "另一个支部")
    f.cover(joint, ent)
    ok = admin_api.post("/api/organization-coverages/", {"organization": parent.pk, "enterprise": ent.pk},
                        format="json")
    assert ok.status_code == 201
    r = admin_api.post("/api/organization-coverages/", {"organization": other.pk, "enterprise": ent.pk},
                       format="json")
    assert r.status_code == 400 and "enterprise" in r.json()
    assert not Coverage.objects.filter(organization=other).exists()


# --- members ---------------------------------------------------------------------------------------
def member_payload(org, **kw):
    data = {"name": "王五", "gender": "M", "birth_date": "1990-05-17", "id_number": f.id_number(),
            "phone": "13800138000", "join_date": "2015-07-01", "status": "full", "organization": org.pk}
    data.update(kw)
    return data


@pytest.mark.parametrize(("field", "value"), [
    ("id_number", "110105199003070000"),  # wrong check digit
    ("id_number", "11010519490231001X"),  # impossible birth date
    ("phone", "12345"),
    ("phone", "23800138000"),
    ("join_date", "not-a-date"),
    ("birth_date", "1991-01-01"),  # contradicts the ID number
])
def test_member_bad_input_api(admin_api, tree, field, value):
    org = f.organization(tree["park1"])
    r = admin_api.post("/api/members/", member_payload(org, **{field: value}), format="json")
    assert r.status_code == 400 and field in r.json(), r.json()


def test_member_under_18_at_join_refused(admin_api, tree):
    org = f.organization(tree["park1"])
    born = dt.date(2000, 6, 1)
    r = admin_api.post("/api/members/", member_payload(org, birth_date="2000-06-01", join_date="2018-05-31",
                                                       id_number=f.id_number(birth=born)), format="json")
    assert r.status_code == 400 and "join_date" in r.json()
    r = admin_api.post("/api/members/", member_payload(org, birth_date="2000-06-01", join_date="2018-06-01",
                                                       id_number=f.id_number(birth=born)), format="json")
    assert r.status_code == 201, r.json()


def test_member_in_two_organizations_refused(admin_api, admin_client, tree):
    a = f.organization(tree["park1"])
    b = f.organization(tree["park1"])
    existing = f.member(a)
    r = admin_api.post("/api/members/", member_payload(b, id_number=existing.id_number), format="json")
    assert r.status_code == 400 and "id_number" in r.json()
    form = member_payload(b, id_number=existing.id_number, gender="M", ethnicity="汉族",
                          households_contacted=0)
    r = admin_client.post(reverse("members:member_add"), form)
    assert "id_number" in r.context["form"].errors


def test_member_personal_data_masked_and_reveal_audited(admin_api, tree):
    org = f.organization(tree["park1"])
    m = f.member(org, phone="13812345678")
    row = admin_api.get(f"/api/members/{m.pk}/").json()
    assert "id_number" not in row and row["phone_masked"] == "138****5678"
    assert row["id_number_masked"].startswith(m.id_number[:4]) and "*" in row["id_number_masked"]
    full = admin_api.post(f"/api/members/{m.pk}/reveal/").json()
    assert full["id_number"] == m.id_number
    from jiceng.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="reveal", object_id=str(m.pk)).count() == 1


def test_street_staff_cannot_reveal(tree, client):
    org = f.organization(tree["park1"])
    m = f.member(org)
    staff = f.user("st", Role.STREET_STAFF, tree["street1"])
    api = APIClient()
    api.force_authenticate(staff)
    assert api.post(f"/api/members/{m.pk}/reveal/").status_code == 403
    client.force_login(staff)
    page = client.get(reverse("members:member_list")).content.decode()
    assert m.id_number not in page and m.phone not in page


def test_model_clean_member_org_must_not_be_party_group(tree):
    branch = f.organization(tree["park1"])
    group = f.organization(tree["park1"], kind=OrgKind.PARTY_GROUP, parent=branch)
    m = f.member(branch)
    m.organization = group
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "organization" in exc.value.message_dict


def test_pinyin_search(admin_client, tree):
    org = f.organization(tree["park1"])
    zs = f.member(org, "张三")
    f.member(org, "李四")
    for q in ("zhangsan", "zs", "张"):
        page = admin_client.get(reverse("members:member_list"), {"q": q}).content.decode()
        assert f'href="{zs.get_absolute_url()}"' in page and "李四" not in page


def test_enterprise_pinyin_search_api(admin_api, tree):
    ent = f.enterprise(tree["building1"], "攀达科技")
    f.enterprise(tree["building1"], "淘璞电子商务")
    ids = [r["id"] for r in admin_api.get("/api/enterprises/", {"q": "pdkj"}).json()["results"]]
    assert ids == [ent.pk]


def test_place_coordinates_accepted_in_gcj02(admin_api, tree):
    r = admin_api.post("/api/places/?crs=gcj02", {"name": "火星坐标园区", "kind": "park",
                                                  "parent": tree["street1"].pk,
                                                  "lat": "31.228458", "lng": "121.478223"}, format="json")
    assert r.status_code == 201, r.json()
    place = Place.objects.get(pk=r.json()["id"])
    assert abs(float(place.lat) - 31.2304) < 0.00002 and abs(float(place.lng) - 121.4737) < 0.00002
    assert r.json()["lat"] == "31.228458"  # echoed back in the requested system
