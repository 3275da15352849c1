"""Open311 as its clients use it: the GeoReport v2 field list on every endpoint in both formats, keys kept out
of URLs and logs, reading back what one posted without a key, a code for every request, write limits, and the
``georeport`` package from PyPI as a real client."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging

import pytest
import requests as http
from django.core.cache import caches
from django.core.management import call_command

from jiceng.core import throttling
from jiceng.core.logmask import GunicornLogger, MaskSecretsFilter, mask_secrets
from jiceng.demands.models import Demand, DemandEvent, DemandSource, DemandStatus
from tests.demands import georeport_v2
from tests.demands.test_open311 import BASE, build_world, key_for, make_demand

FORMATS = ("json", "xml")


@pytest.fixture
def world(db):
    return build_world()


def post(client, fmt="json", key=None, **data):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    return client.post(f"{BASE}/requests.{fmt}", data, **headers)


def posted_id(response) -> int:
    assert response.status_code == 200, response.content
    return int(json.loads(response.content)[0]["service_request_id"])


def report(world, **extra) -> dict:
    return {"service_code": "property", "address_id": str(world["building1"].pk),
            "description": "三楼电梯坏了,王伟 13812345678 wang@example.com", "first_name": "伟", "last_name": "王",
            "phone": "13812345678", "email": "wang@example.com", **extra}


def json_equals_xml(data: list | dict, root) -> None:
    """The two formats say the same thing: each JSON value is the XML element's text (null: empty)."""
    items = data if isinstance(data, list) else [data]
    elements = list(root) if isinstance(data, list) else [root]
    assert len(items) == len(elements)
    for item, element in zip(items, elements, strict=True):
        for name, value in item.items():
            child = element.find(name)
            if isinstance(value, list):
                assert len(child) == len(value)
                continue
            expected = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
            assert (child.text or "") == expected, name


# --- the field list, every endpoint, both formats -----------------------------------------------------------
def test_every_endpoint_matches_the_georeport_v2_field_list_in_both_formats(client, world):
    key = key_for(world["admin"])
    assigned = make_demand(world["building1"], status=DemandStatus.ASSIGNED, assignee_department="物业科",
                           due_date=dt.date(2030, 3, 5), source=DemandSource.VISIT)
    DemandEvent.objects.create(demand=assigned, action="assign", note="已派物业科处理")
    make_demand(world["building2"], category=None, text="不知道找谁,楼下总有噪声")  # not yet categorised
    make_demand(world["building1"], service=world["service"], text="预约周五茶歇")
    posted = posted_id(post(client, key=key, **report(world, account_id="acct-1")))
    tracking = Demand.objects.get(pk=posted).tracking_code
    seen: dict[str, dict[str, object]] = {}
    for fmt in FORMATS:
        def check(kind, response, status=200, _fmt=fmt):
            assert response.status_code == status, response.content
            return georeport_v2.validate(response, kind, _fmt)

        keyed = {"HTTP_X_API_KEY": key}
        body = {
            "discovery": check("discovery", client.get(f"{BASE}/discovery.{fmt}")),
            "services": check("services", client.get(f"{BASE}/services.{fmt}")),
            "definition": check("service_definition", client.get(f"{BASE}/services/property.{fmt}")),
            "order definition": check("service_definition", client.get(f"{BASE}/services/svc-tea-break.{fmt}")),
            "public list": check("requests", client.get(f"{BASE}/requests.{fmt}")),
            "keyed list": check("requests", client.get(f"{BASE}/requests.{fmt}", **keyed)),
            "public one": check("requests", client.get(f"{BASE}/requests/{posted}.{fmt}")),
            "keyed one": check("requests", client.get(f"{BASE}/requests/{assigned.pk}.{fmt}", **keyed)),
            "empty list": check("requests", client.get(f"{BASE}/requests.{fmt}", {"service_code": "tax"})),
            "token": check("token", client.get(f"{BASE}/tokens/{tracking}.{fmt}")),
        }
        check("errors", client.get(f"{BASE}/requests.{fmt}", {"status": "pending"}), 400)
        check("errors", client.get(f"{BASE}/requests.{fmt}", HTTP_X_API_KEY="not-a-key"), 403)
        check("errors", client.get(f"{BASE}/requests/999999.{fmt}"), 404)
        check("errors", client.get(f"{BASE}/services/nope.{fmt}"), 404)
        check("errors", client.get(f"{BASE}/tokens/NOSUCH.{fmt}"), 404)
        check("errors", client.post(f"{BASE}/services.{fmt}"), 405)
        check("errors", post(client, fmt, key=key, **report(world, service_code="nope")), 400)
        check("errors", client.get(f"{BASE}/requests.{fmt}", {"api_key": key}), 400)
        seen[fmt] = body
    assert len(seen["json"]["keyed list"]) == 4 and len(seen["json"]["public list"]) == 3
    assert seen["json"]["empty list"] == [] and len(seen["xml"]["empty list"]) == 0
    for name in ("discovery", "definition", "public list", "keyed list", "public one", "keyed one", "token"):
        json_equals_xml(seen["json"][name], seen["xml"][name])
    for fmt in FORMATS:  # POST last: the lists above are compared across formats
        for extra in ({}, {"account_id": "a7"}, {"attribute[private]": "true"}):
            response = post(client, fmt, key=key, **report(world, **extra))
            assert response.status_code == 200, response.content
            georeport_v2.validate(response, "post_response", fmt)


def test_empty_lists_are_written_with_end_tags(client, world):
    response = client.get(f"{BASE}/requests.xml", {"service_code": "tax"})
    assert response.content.decode().endswith("<service_requests></service_requests>")
    assert json.loads(client.get(f"{BASE}/requests.json", {"service_code": "tax"}).content) == []
    from jiceng.demands.models import Category, Service

    Category.objects.update(active=False)
    Service.objects.update(active=False)
    assert client.get(f"{BASE}/services.xml").content.decode().endswith("<services></services>")
    assert json.loads(client.get(f"{BASE}/services.json").content) == []
    # Empty values are empty elements with end tags too.
    demand = make_demand(world["building1"])
    body = client.get(f"{BASE}/requests/{demand.pk}.xml").content.decode()
    assert "<zipcode></zipcode>" in body and "<status_notes></status_notes>" in body and "/>" not in body


def test_validator_rejects_what_the_spec_does_not_allow(client, world):
    """The validator is not a rubber stamp: the shapes the findings described fail it."""
    demand = make_demand(world["building1"])
    response = client.get(f"{BASE}/requests/{demand.pk}.json")
    item = json.loads(response.content)
    for broken in ({**item[0], "service_code": None}, {**item[0], "lat": "31.3"},
                   {k: v for k, v in item[0].items() if k != "zipcode"}, {**item[0], "extra": 1},
                   {**item[0], "requested_datetime": "2025-01-01T00:00:00"}):
        response.content = json.dumps([broken]).encode()
        with pytest.raises(georeport_v2.Invalid):
            georeport_v2.validate(response, "requests", "json")
    xml = client.get(f"{BASE}/requests/{demand.pk}.xml")
    xml.content = xml.content.replace(b"<service_code>property</service_code>", b"<service_code></service_code>")
    with pytest.raises(georeport_v2.Invalid, match="service_code"):
        georeport_v2.validate(xml, "requests", "xml")


# --- every request has a service code ----------------------------------------------------------------------
def test_a_request_without_a_category_has_the_catch_all_code(client, world):
    loose = make_demand(world["building1"], category=None, text="不知道该找哪个部门")
    other = make_demand(world["building1"], category="other", text="其他事项")
    make_demand(world["building1"], text="电梯坏了")
    (item,) = json.loads(client.get(f"{BASE}/requests/{loose.pk}.json").content)
    assert item["service_code"] == "other" and item["service_name"] == "其他"
    root = georeport_v2.validate(client.get(f"{BASE}/requests/{loose.pk}.xml"), "requests", "xml")
    assert root.findtext("request/service_code") == "other"
    ids = {int(i["service_request_id"]) for i in json.loads(
        client.get(f"{BASE}/requests.json", {"service_code": "other"}).content)}
    assert ids == {loose.pk, other.pk}


# --- keys: headers or the POST body, never the URL -------------------------------------------------------------
def test_key_in_a_header_or_the_post_body(client, world):
    demand = make_demand(world["building1"], source=DemandSource.VISIT)
    key = key_for(world["staff_a"])
    for headers in ({"HTTP_X_API_KEY": key}, {"HTTP_AUTHORIZATION": f"Token {key}"}):
        (item,) = json.loads(client.get(f"{BASE}/requests/{demand.pk}.json", **headers).content)
        assert item["service_request_id"] == str(demand.pk)
    assert posted_id(post(client, key=key, **report(world)))  # X-Api-Key header
    assert posted_id(client.post(f"{BASE}/requests.json", {**report(world), "api_key": key}))  # form body
    response = client.get(f"{BASE}/requests.json", HTTP_X_API_KEY=key)
    assert "X-Api-Key" in response["Vary"] and "Authorization" in response["Vary"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_in_the_url_is_refused_and_never_used(client, world, fmt):
    key = key_for(world["staff_a"])
    demand = make_demand(world["building1"], source=DemandSource.VISIT)
    for path in ("discovery", "services", "services/property", "requests", f"requests/{demand.pk}", "tokens/X"):
        for value in (key, "not-a-key"):
            response = client.get(f"{BASE}/{path}.{fmt}", {"api_key": value})
            assert response.status_code == 400, (path, response.content)
            (error,) = georeport_v2.validate(response, "errors", fmt) if fmt == "json" else [None]
            if error:
                assert "X-Api-Key" in error["description"] and "URL" in error["description"]
    before = Demand.objects.count()
    response = client.post(f"{BASE}/requests.{fmt}?api_key={key}", report(world))
    assert response.status_code == 400 and Demand.objects.count() == before


def test_keys_are_masked_in_log_lines():
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    cases = {
        f"GET /open311/v2/requests.json?status=open&api_key={key}&x=1 HTTP/1.1": "api_key=***&x=1",
        f"GET /accounts/login/?next=/open311/v2/requests.json%3Fapi_key%3D{key} HTTP/1.1": "api_key%3D***",
        f"Authorization: Token {key}": "Token ***",
        f"{{'HTTP_X_API_KEY': '{key}'}}": "API_KEY': '***'",
        f"X-Api-Key: {key}": "X-Api-Key: ***",
    }
    for line, expected in cases.items():
        masked = mask_secrets(line)
        assert key not in masked and expected in masked, masked
    for harmless in ("GET /open311/v2/services.json HTTP/1.1", "Invalid token received for user zhang"):
        assert mask_secrets(harmless) == harmless


def test_the_servers_request_log_masks_keys(db):
    """Django's request log (runserver's "GET /path?query" lines) goes through the filter (settings.LOGGING)."""
    logger = logging.getLogger("django.server")
    (handler,) = logger.handlers
    assert any(isinstance(f, MaskSecretsFilter) for f in handler.filters)
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        logger.info('"%s" %s %s', "GET /open311/v2/requests.json?api_key=abcdef0123456789 HTTP/1.1", 400, 120)
        logging.getLogger("jiceng").warning("retrying with Authorization: Token abcdef0123456789")
    finally:
        handler.setStream(old)
    assert "api_key=***" in stream.getvalue() and "abcdef0123456789" not in stream.getvalue()


def test_gunicorns_access_log_masks_keys(tmp_path, db, monkeypatch):
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    log = GunicornLogger(cfg)
    line = "GET /open311/v2/requests.json?api_key=abcdef0123456789 HTTP/1.1"
    log.access_log.info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "s": "400", "r": line})
    for handler in log.access_log.handlers:
        handler.flush()
    written = (tmp_path / "access.log").read_text()
    for handler in list(log.access_log.handlers) + list(log.error_log.handlers):
        handler.close()
    assert "api_key=***" in written and "abcdef0123456789" not in written
    # `jiceng serve --workers N` runs gunicorn with this logger.
    from gunicorn.app.base import BaseApplication

    import jiceng.core.management.commands.serve as serve

    # Only the gunicorn start is under test: migrating and closing the test's database connection would end its
    # transaction and let later writes commit.
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)
    monkeypatch.setattr(serve, "close_all_connections", lambda: None)
    captured = {}
    monkeypatch.setattr(BaseApplication, "run", lambda app: captured.setdefault(
        "logger", app.cfg.settings["logger_class"].get()))
    call_command("serve", workers=1)
    assert captured["logger"] == "jiceng.core.logmask.GunicornLogger"


# --- reading back what one posted, without a key -------------------------------------------------------------
def test_a_request_posted_with_a_key_can_be_read_back_without_one(client, world):
    request_id = posted_id(post(client, key=key_for(world["staff_a"]), lat="31.3001", long="121.5101",
                                **{k: v for k, v in report(world).items() if k != "address_id"}))
    DemandEvent.objects.create(demand_id=request_id, action="assign", note="派给张科长")
    for fmt in FORMATS:
        response = client.get(f"{BASE}/requests/{request_id}.{fmt}")  # what georeport sends: no key
        assert response.status_code == 200, response.content
        georeport_v2.validate(response, "requests", fmt)
    (item,) = json.loads(client.get(f"{BASE}/requests/{request_id}.json").content)
    assert item["status"] == "open" and item["service_code"] == "property"
    # The public view's redaction: no contact details, staff notes or the reporter's own point.
    body = json.dumps(item, ensure_ascii=False)
    for secret in ("王伟", "13812345678", "wang@example.com", "张科长"):
        assert secret not in body
    assert item["status_notes"] is None and item["agency_responsible"] is None and item["media_url"] is None
    assert (item["lat"], item["long"]) == (31.3, 121.51)
    assert "电梯坏了" in item["description"]
    listed = {i["service_request_id"] for i in json.loads(client.get(f"{BASE}/requests.json").content)}
    assert str(request_id) in listed


@pytest.mark.parametrize("field", ["attribute[private]", "private"])
def test_a_request_marked_private_stays_out_of_the_keyless_view(client, world, field):
    key = key_for(world["staff_b"])  # posts into another street: readable by its requester only
    private = posted_id(post(client, key=key, **report(world, **{field: "true"})))
    public = posted_id(post(client, key=key, **report(world, **{field: "false"})))
    assert client.get(f"{BASE}/requests/{private}.json").status_code == 404
    assert client.get(f"{BASE}/requests/{public}.json").status_code == 200
    listed = {int(i["service_request_id"]) for i in json.loads(client.get(f"{BASE}/requests.json").content)}
    assert public in listed and private not in listed
    (item,) = json.loads(client.get(f"{BASE}/requests/{private}.json", HTTP_X_API_KEY=key).content)
    assert item["service_request_id"] == str(private)  # the requester still reads it with the key
    assert not Demand.objects.get(pk=private).public_progress and Demand.objects.get(pk=public).public_progress


def test_a_bad_private_value_names_the_attribute(client, world):
    response = post(client, key=key_for(world["staff_a"]), **report(world, **{"attribute[private]": "maybe"}))
    assert response.status_code == 400 and "attribute[private]" in json.loads(response.content)[0]["description"]
    assert not Demand.objects.exists()


# --- write limits --------------------------------------------------------------------------------------------
@pytest.fixture
def tight_limits(settings, monkeypatch):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"user_write": "3/min", "anon_write": "2/min"}}
    caches["throttle"].clear()
    now = [1_900_000_000.0]
    monkeypatch.setattr(throttling, "clock", lambda: now[0])
    yield now
    caches["throttle"].clear()


@pytest.mark.parametrize("fmt", FORMATS)
def test_posts_are_limited_per_key_owner_with_retry_after(client, world, tight_limits, fmt):
    key, other = key_for(world["staff_a"]), key_for(world["staff_b"])
    for _ in range(3):
        assert post(client, fmt, key=key, **report(world)).status_code == 200
    tight_limits[0] += 20
    refused = post(client, fmt, key=key, **report(world))
    assert refused.status_code == 429 and refused["Retry-After"] == "40"
    (error,) = georeport_v2.validate(refused, "errors", fmt) if fmt == "json" else [None]
    if error:
        assert error["code"] == 429 and "40 seconds" in error["description"]
    assert Demand.objects.count() == 3
    assert post(client, fmt, key=other, **report(world)).status_code == 200  # another key owner: unaffected
    assert client.get(f"{BASE}/requests.{fmt}", HTTP_X_API_KEY=key).status_code == 200  # reads: not limited
    tight_limits[0] += 40
    assert post(client, fmt, key=key, **report(world)).status_code == 200


# --- the georeport package as a real client --------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as every test that commits: see conftest
def test_georeport_package_reads_services_and_the_request_it_reported(live_server, default_data):
    """``georeport`` (PyPI) over real HTTP: it never sends a key on GET, so it relies on the keyless view."""
    from georeport import GeoReport

    places = build_world()
    root = f"{live_server.url}{BASE}"
    response = http.post(f"{root}/requests.json", data=report(places), timeout=30,
                         headers={"X-Api-Key": key_for(places["staff_a"])})
    assert response.status_code == 200, response.text
    request_id = response.json()[0]["service_request_id"]

    client = GeoReport(root)
    services = client.get_service_list()
    assert {"property", "svc-tea-break"} <= {s["service_code"] for s in services}
    definition = client.get_service_definition("property")
    assert definition["attributes"][0]["code"] == "private"
    item = client.get_service_request(request_id)
    assert item["service_request_id"] == request_id and item["status"] == "open"
    assert item["service_code"] == "property" and "13812345678" not in item["description"]
    assert request_id in {r["service_request_id"] for r in client.get_service_requests(status="open")}

    xml_client = GeoReport(root, output_format="xml")
    services = xml_client.get_service_list()
    assert {s["service_code"] for s in services} >= {"property", "svc-tea-break"}
    assert all(s["metadata"] == "true" and s["type"] == "realtime" for s in services)
    item = xml_client.get_service_request(request_id)
    assert item["service_request_id"] == request_id and item["service_code"] == "property"
    assert item["zipcode"] is None  # an empty element, as xmltodict reads it
