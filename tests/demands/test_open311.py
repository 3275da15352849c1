"""Open311 GeoReport v2 endpoints (jiceng.demands.open311) in both formats."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own responses
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from jiceng.accounts.models import Role
from jiceng.demands.models import Category, Demand, DemandEvent, DemandSource, DemandStatus, RequesterKind, Service
from jiceng.demands.open311 import status_of
from jiceng.places.models import PlaceKind
from tests import factories as f

BASE = "/open311/v2"
SPEC_REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]
OPEN_EXPECTED = {
    DemandStatus.SUBMITTED: "open", DemandStatus.ACCEPTED: "open", DemandStatus.ASSIGNED: "open",
    DemandStatus.RESOLVED: "closed", DemandStatus.CLOSED: "closed", DemandStatus.REJECTED: "closed",
    DemandStatus.MERGED: "closed",
}


def parse_xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def parse_json(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def key_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict:
    t = f.district_tree()
    t["building1"].lat, t["building1"].lng = Decimal("31.300000"), Decimal("121.510000")
    t["building1"].save()
    t["building2"].lat, t["building2"].lng = Decimal("31.330000"), Decimal("121.540000")
    t["building2"].save()
    station = f.place("五角场党群服务站", PlaceKind.STATION, t["street1"])
    property_ = Category.objects.get(code="property")
    service = Service.objects.create(station=station, code="tea-break", name="茶歇预约", description="午间茶歇",
                                     category=property_)
    Service.objects.create(station=station, code="retired", name="停办的服务", category=property_, active=False)
    staff_a = f.user("staff_a", Role.STREET_STAFF, t["street1"])
    staff_b = f.user("staff_b", Role.STREET_STAFF, t["street2"])
    admin = f.user("root", superuser=True)
    return {**t, "station": station, "service": service, "property": property_, "staff_a": staff_a,
            "staff_b": staff_b, "admin": admin}


def make_demand(place, *, status=DemandStatus.SUBMITTED, source=DemandSource.WEB, category="property",
                text="电梯坏了,请尽快维修", **kw) -> Demand:
    return Demand.objects.create(place=place, status=status, source=source, text=text,
                                 category=Category.objects.get(code=category) if category else None, **kw)


# --- discovery and services ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_discovery_json(client):
    data = parse_json(client.get(f"{BASE}/discovery.json"))
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    dt.datetime.fromisoformat(data["changeset"])
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    dt.datetime.fromisoformat(endpoint["changeset"])


@pytest.mark.django_db
def test_discovery_xml(client):
    root = parse_xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("changeset") and root.findtext("contact") and root.findtext("key_service")
    (endpoint,) = root.findall("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert endpoint.findtext("type") == "production"
    assert [e.text for e in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


def test_unknown_format_is_404(client, world):
    assert client.get(f"{BASE}/discovery.yaml").status_code == 404
    assert client.get(f"{BASE}/services.html").status_code == 404
    assert client.get(f"{BASE}/requests.csv").status_code == 404


def test_services_json(client, world):
    data = parse_json(client.get(f"{BASE}/services.json"))
    by_code = {s["service_code"]: s for s in data}
    active_categories = Category.objects.filter(active=True).count()
    assert len(data) == active_categories + 1  # the inactive service is not offered
    prop = by_code["property"]
    assert prop == {"service_code": "property", "service_name": "物业与设施", "description": prop["description"],
                    "metadata": True, "type": "realtime", "keywords": prop["keywords"], "group": "需求"}
    assert "," in prop["keywords"]
    svc = by_code["svc-tea-break"]
    # realtime: POST answers the request id at once (a batch service would answer a token instead)
    assert svc["service_name"] == "茶歇预约" and svc["type"] == "realtime" and svc["group"] == "五角场党群服务站"
    assert svc["metadata"] is True  # the optional "private" attribute
    assert "svc-retired" not in by_code


def test_services_xml(client, world):
    root = parse_xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = {s.findtext("service_code"): s for s in root.findall("service")}
    assert services["property"].findtext("service_name") == "物业与设施"
    assert services["property"].findtext("metadata") == "true"
    assert services["property"].findtext("type") == "realtime"
    assert services["property"].findtext("group") == "需求"
    assert services["svc-tea-break"].findtext("type") == "realtime"
    assert services["svc-tea-break"].findtext("group") == "五角场党群服务站"
    for service in root.findall("service"):
        assert [c.tag for c in service] == ["service_code", "service_name", "description", "metadata", "type",
                                            "keywords", "group"]


def test_inactive_category_not_offered(client, world):
    Category.objects.filter(code="dining").update(active=False)
    codes = {s["service_code"] for s in parse_json(client.get(f"{BASE}/services.json"))}
    assert "dining" not in codes and "property" in codes
    assert client.get(f"{BASE}/services/dining.json").status_code == 404


def test_service_definition(client, world):
    data = parse_json(client.get(f"{BASE}/services/property.json"))
    assert data["service_code"] == "property"
    (attribute,) = data["attributes"]
    assert {k: attribute[k] for k in ("variable", "code", "datatype", "required", "order")} == {
        "variable": True, "code": "private", "datatype": "singlevaluelist", "required": False, "order": 1}
    assert [v["key"] for v in attribute["values"]] == ["false", "true"]
    root = parse_xml(client.get(f"{BASE}/services/svc-tea-break.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "svc-tea-break"
    (attribute,) = root.findall("attributes/attribute")
    assert attribute.findtext("code") == "private" and attribute.findtext("required") == "false"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["false", "true"]


def test_service_definition_unknown_is_404_in_spec_format(client, world):
    response = client.get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    assert parse_json(response) == [{"code": 404, "description": "service_code not found"}]
    response = client.get(f"{BASE}/services/svc-retired.xml")
    assert response.status_code == 404
    root = parse_xml(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "404"
    assert root.findtext("error/description") == "service_code not found"


# --- POST requests ------------------------------------------------------------------------------------
def post(client, fmt="json", **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


def test_post_creates_demand(client, world):
    user = world["staff_a"]
    response = post(client, api_key=key_for(user), service_code="property", lat="31.3001", long="121.5101",
                    description="三楼电梯坏了,请尽快维修", first_name="伟", last_name="王", phone="138 1234 5678",
                    email="wang@example.com", account_id="acct-7", device_id="dev-1")
    assert response.status_code == 200, response.content
    (item,) = parse_json(response)
    assert set(item) == {"service_request_id", "service_notice", "account_id"}
    assert item["account_id"] == "acct-7"
    demand = Demand.objects.get(pk=int(item["service_request_id"]))
    assert demand.tracking_code in item["service_notice"]
    assert demand.category.code == "property"
    assert demand.place == world["building1"]
    assert demand.source == DemandSource.API
    assert demand.requester_user == user
    assert demand.requester_kind == RequesterKind.ANONYMOUS
    assert demand.requester_name == "王伟"
    assert demand.requester_phone == "13812345678"
    assert demand.requester_email == "wang@example.com"
    assert demand.lat == Decimal("31.300100") and demand.lng == Decimal("121.510100")
    assert demand.events.filter(action="submit").exists()


def test_post_xml_with_address_id_and_service(client, world):
    response = post(client, "xml", api_key=key_for(world["staff_a"]), service_code="svc-tea-break",
                    address_id=str(world["building2"].pk), description="周五下午预约茶歇二十人")
    assert response.status_code == 200, response.content
    root = parse_xml(response)
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    demand = Demand.objects.get(pk=int(request.findtext("service_request_id")))
    assert demand.service == world["service"] and demand.category == world["property"]
    assert demand.place == world["building2"]
    assert request.findtext("service_notice")
    assert request.find("account_id") is not None and not request.findtext("account_id")


def test_post_nearest_place_and_address_string(client, world):
    key = key_for(world["admin"])
    response = post(client, api_key=key, service_code="property", lat="31.329", long="121.539",
                    description="园区路灯不亮了")
    assert Demand.objects.get(pk=parse_json(response)[0]["service_request_id"]).place == world["building2"]
    response = post(client, api_key=key, service_code="property", address_string="上海市杨浦区创智天地1号楼三层",
                    description="园区路灯不亮了")
    assert Demand.objects.get(pk=parse_json(response)[0]["service_request_id"]).place == world["building1"]


def test_post_by_unit_contact_is_an_enterprise_demand(client, world):
    ent = f.enterprise(world["building1"])
    contact = f.user("contact", Role.UNIT_CONTACT, ent)
    response = post(client, api_key=key_for(contact), service_code="tax", address_id=str(world["building1"].pk),
                    description="咨询增值税专用发票的申领流程")
    demand = Demand.objects.get(pk=parse_json(response)[0]["service_request_id"])
    assert demand.requester_kind == RequesterKind.ENTERPRISE and demand.requester_enterprise == ent


def test_post_with_authorization_header(client, world):
    response = client.post(f"{BASE}/requests.json", {"service_code": "property", "description": "楼道灯坏了很久",
                                                     "address_id": str(world["building1"].pk)},
                           HTTP_AUTHORIZATION=f"Token {key_for(world['staff_a'])}")
    assert response.status_code == 200, response.content


def assert_error(response, status: int, *words: str, fmt: str = "json") -> str:
    assert response.status_code == status, response.content
    if fmt == "xml":
        root = parse_xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == str(status)
        description = root.findtext("error/description")
    else:
        body = parse_json(response)
        assert isinstance(body, list) and len(body) == 1 and body[0]["code"] == status
        description = body[0]["description"]
    for word in words:
        assert word in description
    return description


def test_post_api_key_missing_or_invalid_is_403(client, world):
    fields = {"service_code": "property", "description": "电梯坏了很久", "address_id": str(world["building1"].pk)}
    assert_error(post(client, **fields), 403, "api_key")
    assert_error(post(client, "xml", api_key="not-a-key", **fields), 403, "api_key", fmt="xml")
    world["staff_a"].is_active = False
    world["staff_a"].save()
    assert_error(post(client, api_key=key_for(world["staff_a"]), **fields), 403)
    assert not Demand.objects.exists()


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({"service_code": "nope"}, 400, ["service_code not found"]),
    ({"service_code": "svc-retired"}, 400, ["service_code not found"]),
    ({"service_code": ""}, 400, ["service_code"]),
    ({"address_id": ""}, 400, ["location", "lat", "address_string", "address_id"]),
    ({"address_id": "", "lat": "abc", "long": "121.5"}, 400, ["lat"]),
    ({"address_id": "", "lat": "95", "long": "121.5"}, 400, ["lat"]),
    ({"address_id": "", "lat": "nan", "long": "121.5"}, 400, ["lat"]),
    ({"address_id": "", "lat": "31.3"}, 400, ["long"]),
    ({"address_id": "", "lat": "39.9", "long": "116.4"}, 400, ["5 km"]),
    ({"address_id": "999999"}, 400, ["address_id"]),
    ({"address_id": "x1"}, 400, ["address_id"]),
    ({"address_id": "", "address_string": "火星基地"}, 400, ["address_string"]),
    ({"description": ""}, 400, ["description"]),
    ({"description": "修" * 2001}, 400, ["description", "2000"]),
    ({"description": "修"}, 400, ["description"]),
    ({"phone": "12345"}, 400, ["phone"]),
    ({"phone": "23812345678"}, 400, ["phone"]),
    ({"email": "not-an-email"}, 400, ["email"]),
    ({"media_url": "javascript:alert(1)"}, 400, ["media_url"]),
])
def test_post_errors(client, world, fields, status, words):
    data = {"api_key": key_for(world["staff_a"]), "service_code": "property", "description": "电梯坏了很久",
            "address_id": str(world["building1"].pk), **fields}
    for fmt in ("json", "xml"):
        assert_error(post(client, fmt, **data), status, *words, fmt=fmt)
    assert not Demand.objects.exists()


def test_post_media_url_kept_in_text(client, world):
    response = post(client, api_key=key_for(world["staff_a"]), service_code="property",
                    address_id=str(world["building1"].pk), description="墙面渗水",
                    media_url="https://img.example.com/a.jpg")
    demand = Demand.objects.get(pk=parse_json(response)[0]["service_request_id"])
    assert "https://img.example.com/a.jpg" in demand.text


def test_wrong_method(client, world):
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405 and parse_json(response)[0]["code"] == 405


# --- GET requests -------------------------------------------------------------------------------------
def get_requests(client, user=None, fmt="json", api_key=None, **params):
    """GET requests, with the user's key (or ``api_key``) in the X-Api-Key header, never in the URL."""
    key = key_for(user) if user is not None else api_key
    headers = {"HTTP_X_API_KEY": key} if key else {}
    return client.get(f"{BASE}/requests.{fmt}", params, **headers)


def test_get_requests_spec_fields_json(client, world):
    demand = make_demand(world["building1"], status=DemandStatus.ASSIGNED, lat=Decimal("31.300500"),
                         lng=Decimal("121.510500"), due_date=dt.date(2030, 3, 5), assignee_department="物业科",
                         requester_name="李四", requester_phone="13900001111", requester_email="li@example.com")
    DemandEvent.objects.create(demand=demand, action="assign", note="已派物业科处理")
    data = parse_json(get_requests(client, world["staff_a"]))
    (item,) = data
    assert list(item) == SPEC_REQUEST_FIELDS
    assert item["service_request_id"] == str(demand.pk)
    assert item["status"] == "open"
    assert item["status_notes"] == "已派物业科处理"
    assert item["service_code"] == "property" and item["service_name"] == "物业与设施"
    assert item["description"] == demand.text
    assert item["agency_responsible"] == "物业科"
    assert item["address"] == "杨浦区 / 五角场街道 / 创智天地 / 创智天地1号楼"
    assert item["address_id"] == str(world["building1"].pk)
    assert item["lat"] == 31.3005 and item["long"] == 121.5105
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        value = dt.datetime.fromisoformat(item[field])
        assert value.utcoffset() == dt.timedelta(hours=8)
        assert item[field].endswith("+08:00")
    assert item["expected_datetime"] == "2030-03-05T23:59:59+08:00"
    body = json.dumps(data, ensure_ascii=False)
    for secret in ("李四", "13900001111", "li@example.com"):
        assert secret not in body


def test_get_requests_xml(client, world):
    demand = make_demand(world["building1"])
    root = parse_xml(get_requests(client, world["admin"], "xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [c.tag for c in request] == SPEC_REQUEST_FIELDS
    assert request.findtext("service_request_id") == str(demand.pk)
    assert request.findtext("status") == "open"
    # No coordinates on the demand: the place's are used.
    assert float(request.findtext("lat")) == 31.3 and float(request.findtext("long")) == 121.51
    requested = dt.datetime.fromisoformat(request.findtext("requested_datetime"))
    assert requested.utcoffset() == dt.timedelta(hours=8)
    assert request.find("expected_datetime").text is None  # not accepted yet: an empty element


def test_xml_escapes_and_strips_control_characters(client, world):
    make_demand(world["building1"], text="<b>水管 & 电</b>\x07漏水")
    root = parse_xml(get_requests(client, world["admin"], "xml"))
    assert root.findtext("request/description") == "<b>水管 & 电</b>漏水"


@pytest.mark.parametrize("status", list(DemandStatus))
def test_open_closed_mapping(client, world, status):
    assert status_of(status) == OPEN_EXPECTED[status]
    demand = make_demand(world["building1"], status=status)
    (item,) = parse_json(client.get(f"{BASE}/requests/{demand.pk}.json", HTTP_X_API_KEY=key_for(world["admin"])))
    assert item["status"] == OPEN_EXPECTED[status]
    other = "closed" if OPEN_EXPECTED[status] == "open" else "open"
    assert parse_json(get_requests(client, world["admin"], status=OPEN_EXPECTED[status]))[0]["service_request_id"] \
        == str(demand.pk)
    assert parse_json(get_requests(client, world["admin"], status=other)) == []


def test_get_requests_filters(client, world):
    open_prop = make_demand(world["building1"])
    closed_prop = make_demand(world["building1"], status=DemandStatus.CLOSED)
    open_tax = make_demand(world["building1"], category="tax", text="发票申领咨询")
    order = make_demand(world["building1"], service=world["service"], text="预约茶歇")
    old = make_demand(world["building1"], text="很久以前的需求")
    Demand.objects.filter(pk=old.pk).update(created=timezone.now() - dt.timedelta(days=200))
    admin = world["admin"]

    def ids(**params):
        return {int(i["service_request_id"]) for i in parse_json(get_requests(client, admin, **params))}

    assert ids() == {open_prop.pk, closed_prop.pk, open_tax.pk, order.pk}  # default: the last 90 days
    assert ids(status="open") == {open_prop.pk, open_tax.pk, order.pk}
    assert ids(status="closed") == {closed_prop.pk}
    assert ids(status="open,closed") == {open_prop.pk, closed_prop.pk, open_tax.pk, order.pk}
    assert ids(service_code="property") == {open_prop.pk, closed_prop.pk}
    assert ids(service_code="tax,svc-tea-break") == {open_tax.pk, order.pk}
    assert ids(service_code="property", status="open") == {open_prop.pk}
    now = timezone.now()
    start = (now - dt.timedelta(days=210)).isoformat()
    end = (now - dt.timedelta(days=190)).isoformat()
    assert ids(start_date=start, end_date=end) == {old.pk}
    zulu = (now - dt.timedelta(days=1)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=zulu) == {open_prop.pk, closed_prop.pk, open_tax.pk, order.pk}
    assert ids(end_date=end) == {old.pk}
    # service_request_id overrides the other arguments (even the date window).
    assert ids(service_request_id=f"{old.pk},{open_tax.pk}", status="closed") == {old.pk, open_tax.pk}


@pytest.mark.parametrize(("params", "words"), [
    ({"start_date": "yesterday"}, ["start_date"]),
    ({"end_date": "2024-13-45"}, ["end_date"]),
    ({"start_date": "0001-01-01T00:00:00Z"}, ["start_date"]),
    ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}, ["90 days"]),
    ({"start_date": "2024-06-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}, ["start_date"]),
    ({"status": "pending"}, ["status"]),
    ({"service_request_id": "1,abc"}, ["service_request_id"]),
    ({"service_request_id": ",".join(str(i) for i in range(1, 1002))}, ["service_request_id"]),
])
def test_get_requests_bad_parameters_are_400(client, world, params, words):
    for fmt in ("json", "xml"):
        assert_error(get_requests(client, world["admin"], fmt, **params), 400, *words, fmt=fmt)


def test_get_requests_limit_and_order(client, world):
    first = make_demand(world["building1"])
    second = make_demand(world["building1"])
    Demand.objects.filter(pk=first.pk).update(created=timezone.now() - dt.timedelta(days=1))
    data = parse_json(get_requests(client, world["admin"]))
    assert [i["service_request_id"] for i in data] == [str(second.pk), str(first.pk)]


def test_get_requests_scoped_by_key(client, world):
    mine = make_demand(world["building1"], source=DemandSource.VISIT)
    theirs = make_demand(world["building2"], source=DemandSource.VISIT)
    ids = {i["service_request_id"] for i in parse_json(get_requests(client, world["staff_a"]))}
    assert ids == {str(mine.pk)}
    ids = {i["service_request_id"] for i in parse_json(get_requests(client, world["staff_b"]))}
    assert ids == {str(theirs.pk)}
    assert_error(get_requests(client, None, api_key="bogus"), 403, "api_key")


def test_request_detail_outside_scope_is_404(client, world):
    theirs = make_demand(world["building2"])
    mine = make_demand(world["building1"])
    key_a = key_for(world["staff_a"])
    response = client.get(f"{BASE}/requests/{theirs.pk}.json", HTTP_X_API_KEY=key_a)
    assert_error(response, 404, "not found")
    assert_error(client.get(f"{BASE}/requests/{theirs.pk}.xml", HTTP_AUTHORIZATION=f"Token {key_a}"), 404,
                 fmt="xml")
    (item,) = parse_json(client.get(f"{BASE}/requests/{mine.pk}.json", HTTP_X_API_KEY=key_a))
    assert item["service_request_id"] == str(mine.pk)
    root = parse_xml(client.get(f"{BASE}/requests/{theirs.pk}.xml", HTTP_X_API_KEY=key_for(world["staff_b"])))
    assert root.findtext("request/service_request_id") == str(theirs.pk)
    assert_error(client.get(f"{BASE}/requests/999999.json", HTTP_X_API_KEY=key_a), 404)
    assert_error(client.get(f"{BASE}/requests/abc.json", HTTP_X_API_KEY=key_a), 404)


def test_keyless_get_is_public_safe(client, world):
    public = make_demand(world["building1"], source=DemandSource.PUBLIC, lat=Decimal("31.301234"),
                         lng=Decimal("121.512345"), requester_name="赵六", requester_phone="13700001111",
                         assignee_department="物业科",
                         text="赵六反映:电梯坏了,联系电话 137-0000-1111,备用 139 1234 5678,邮箱 z6@example.com")
    DemandEvent.objects.create(demand=public, action="assign", note="派给张科长")
    visit = make_demand(world["building1"], source=DemandSource.VISIT)
    api = make_demand(world["building1"], source=DemandSource.API)
    data = parse_json(get_requests(client))
    (item,) = data
    assert item["service_request_id"] == str(public.pk)
    assert list(item) == SPEC_REQUEST_FIELDS
    assert item["status_notes"] is None and item["agency_responsible"] is None and item["media_url"] is None
    assert item["lat"] == 31.3 and item["long"] == 121.51  # the place's coordinates, not the requester's point
    body = json.dumps(data, ensure_ascii=False)
    for secret in ("赵六", "13700001111", "137-0000-1111", "139 1234 5678", "z6@example.com", "张科长", "物业科"):
        assert secret not in body
    assert "电梯坏了" in item["description"]
    assert_error(client.get(f"{BASE}/requests/{visit.pk}.json"), 404)
    assert_error(client.get(f"{BASE}/requests/{api.pk}.json"), 404)
    assert parse_json(client.get(f"{BASE}/requests/{public.pk}.json"))[0]["service_request_id"] == str(public.pk)


def test_own_api_submissions_visible_to_submitter(client, world):
    ent = f.enterprise(world["building1"])
    contact = f.user("contact", Role.UNIT_CONTACT, ent)
    key = key_for(contact)
    response = post(client, api_key=key, service_code="property", address_id=str(world["building2"].pk),
                    description="隔壁楼的门禁坏了")
    request_id = parse_json(response)[0]["service_request_id"]
    (item,) = parse_json(client.get(f"{BASE}/requests/{request_id}.json", HTTP_X_API_KEY=key))
    assert item["service_code"] == "property" and item["status"] == "open"


# --- tokens -------------------------------------------------------------------------------------------
def test_token_lookup(client, world):
    demand = make_demand(world["building1"])
    (item,) = parse_json(client.get(f"{BASE}/tokens/{demand.tracking_code}.json"))
    assert item == {"service_request_id": str(demand.pk), "token": demand.tracking_code}
    root = parse_xml(client.get(f"{BASE}/tokens/{demand.tracking_code.lower()}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == str(demand.pk)
    assert root.findtext("request/token") == demand.tracking_code
    assert_error(client.get(f"{BASE}/tokens/NOSUCHCODE.json"), 404, "token")
    assert_error(client.get(f"{BASE}/tokens/NOSUCHCODE.xml"), 404, "token", fmt="xml")


def test_bounded_queries(client, world, django_assert_max_num_queries):
    for i in range(30):
        d = make_demand(world["building1" if i % 2 else "building2"], status=DemandStatus.ASSIGNED,
                        assignee_user=world["staff_a"], due_date=dt.date(2030, 1, 1))
        DemandEvent.objects.create(demand=d, action="assign", note=f"第{i}次")
    key = key_for(world["admin"])
    with django_assert_max_num_queries(4):  # key, demands (with notes and attachments), place names, + slack
        assert len(parse_json(client.get(f"{BASE}/requests.json", HTTP_X_API_KEY=key))) == 30
