"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) over the platform's demands.

Existing civic-request clients talk to ``/open311/v2/`` exactly as to any GeoReport v2 endpoint; every
resource is served as ``.json`` and ``.xml`` (the format is the path suffix; any other suffix is a 404):

- ``GET discovery.{fmt}``                   the discovery document;
- ``GET services.{fmt}``                    active demand categories (group ``需求``) and active catalog
                                            services (code ``svc-<code>``, group = the station's name), all
                                            of type ``realtime`` (POST answers the request id at once) with
                                            ``metadata`` true (the one optional attribute, ``private``);
- ``GET services/{service_code}.{fmt}``     a service definition: the optional ``private`` attribute;
- ``GET requests.{fmt}``                    service requests, filtered by ``service_request_id``,
                                            ``service_code``, ``start_date``/``end_date``, ``status``;
- ``POST requests.{fmt}``                   create a service request (form-encoded, a key required);
- ``GET requests/{service_request_id}.{fmt}`` one service request (a list with one item);
- ``GET tokens/{token}.{fmt}``              the request id for a token (the demand's tracking code).

Keys. ``api_key`` is a REST framework token (``jiceng token USERNAME``), given in an ``X-Api-Key`` header, an
``Authorization: Token <key>`` header, or (POST) the ``api_key`` field of the form body. A key in the URL's query
string is refused with a 400 on every endpoint and never authenticates: URLs are written to access logs (proxy,
server), and a key there is as good as published (OWASP REST Security Cheat Sheet, "Sensitive information in
HTTP requests": in a header for GET, in the body or a header for POST; decision 025).
An unknown key, or the key of an inactive user, is a 403 error, also on GET (a client that sends a key expects
its scope, never a silently narrower answer). POSTs are rate-limited per key owner (core/throttling.py): 429
with Retry-After.

GET without a key (our choice; the spec lets GET be public). Demands come from enterprises, residents and
party members, so a keyless GET is a *public-safe view*, not a 403:
- only demands submitted by the public themselves (source ``public`` or ``web``) and requests posted through
  Open311 that the requester did not mark private (``attribute[private]=true``) are listed, so a client app can
  show its user the status of what they reported without a key; visits, phone and walk-in intake, REST API
  submissions and service orders are not;
- ``description`` is the demand text with the requester's name, phone and e-mail and any mobile number or
  e-mail address in it masked;
- ``lat``/``long`` are the place's coordinates (a building or park), never a point the requester gave;
- ``status_notes``, ``agency_responsible`` and ``media_url`` are null (they name staff or lead to files);
- a request outside this view is "not found" (404), as is any request outside a key's scope.
With a key, results are ``Demand.objects.restrict(user)`` (the one scoping mechanism, which includes the
user's own submissions) with all spec fields. Requester name, phone and e-mail are never returned.

Every request has a ``service_code`` and ``service_name`` (required by the spec): the catalog service, else the
category, else the catch-all category ``other`` for a demand not yet categorised.

Identifiers are strings in both formats (``service_request_id``, ``address_id``); ``lat``/``long`` are
numbers in JSON. Datetimes are ISO 8601 with the Asia/Shanghai offset (``+08:00``); ``expected_datetime``
is the end of the due date. Empty values are ``null`` in JSON and empty elements in XML, written with an end
tag (``<zipcode></zipcode>``, an empty list ``<service_requests></service_requests>``) as in the spec's examples.

Errors follow the spec: HTTP 400/403/404 (405 for a wrong method, 429 with Retry-After past the write limit)
with the body ``[{"code": 400, "description": "..."}]`` or ``<errors><error><code>400</code><description>...``.
Bad input never raises: bad dates, numbers, phones or missing fields are 400 errors naming the field.

POST creates the demand with ``workflow.submit(source=api)``; the location is ``address_id`` (a place id),
else ``lat``+``long`` (the nearest park, commercial building, building, community, market or village with
coordinates, within 5 km), else ``address_string`` (the place whose name, with its ancestors' names, best
matches the string). ``first_name``/``last_name`` become the contact name (family name first),
``media_url`` is appended to the text as a link, ``device_id``/``account_id`` are not stored
(``account_id`` is echoed back as the spec asks). ``attribute[private]`` (the spec's attribute mechanism; a
plain ``private`` field is accepted too) is ``true`` or ``false`` (default): true keeps the request out of the
keyless view.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only used to write XML, never to parse input
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import StrIndex
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authtoken.models import Token

from jiceng.accounts.people import units_prefetch
from jiceng.core import throttling
from jiceng.core.geo import haversine_m
from jiceng.core.network import client_ip as client_address
from jiceng.core.validators import mask_phone, normalize_cn_mobile, validate_cn_mobile
from jiceng.places.models import Place, PlaceKind

from . import workflow
from .categories import DEFAULT_CODE as CATCH_ALL_CODE
from .models import (
    OPEN_STATUSES,
    Category,
    Demand,
    DemandAttachment,
    DemandEvent,
    DemandSource,
    RequesterKind,
    Service,
)

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's definition last changed (the discovery document's changeset).
CHANGESET = "2025-06-01T00:00:00+08:00"
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
TZ = ZoneInfo("Asia/Shanghai")
SERVICE_PREFIX = "svc-"
CATEGORY_GROUP = "需求"
MAX_RESULTS = 1000
MAX_SPAN = dt.timedelta(days=90)
MAX_DESCRIPTION = workflow.MAX_TEXT
NEAREST_RADIUS_M = 5000.0
# Places a point or an address string can resolve to.
LOCATABLE_KINDS = (PlaceKind.PARK, PlaceKind.COMMERCIAL_BUILDING, PlaceKind.BUILDING, PlaceKind.COMMUNITY,
                   PlaceKind.MARKET, PlaceKind.VILLAGE)
PUBLIC_SOURCES = (DemandSource.PUBLIC, DemandSource.WEB)
OPEN, CLOSED = "open", "closed"
# XML element names for the items of list-valued fields.
XML_ITEM_NAMES = {"endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value"}
CATCH_ALL_NAME = "其他"  # service_name of the catch-all when its category row is missing
PRIVATE_ATTRIBUTE = "private"
TRUE_WORDS, FALSE_WORDS = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}

# Characters XML 1.0 cannot carry (control characters other than tab, newline, carriage return).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class Open311Error(Exception):
    """An error answered in the spec's error format."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


def status_of(demand_status: str) -> str:
    """The spec's two statuses: open while the demand is being handled, closed once it is done."""
    return OPEN if demand_status in OPEN_STATUSES else CLOSED


# --- rendering ------------------------------------------------------------------------------------------
def _xml_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _xml_fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_name = XML_ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _xml_fill(ET.SubElement(element, item_name), child)
    else:
        element.text = _xml_text(value)


def to_xml(root: str, item: str | None, data: Any) -> bytes:
    """``data`` (a dict, or a list of dicts with ``item`` as their element name) under ``<root>``."""
    element = ET.Element(root)
    if item is None:
        _xml_fill(element, data)
    else:
        for entry in data:
            _xml_fill(ET.SubElement(element, item), entry)
    # End tags even for empty elements, as in the spec's examples (some clients match "<x></x>" literally).
    body = ET.tostring(element, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def render(fmt: str, data: Any, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        content = to_xml(root, item, data)
    else:
        content = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return HttpResponse(content, status=status, content_type=FORMATS[fmt])


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, [{"code": status, "description": description}], root="errors", item="error", status=status)


def endpoint(*methods: str) -> Callable:
    """A GeoReport view: checks the format suffix and the method, answers Open311Error in the spec's format."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                return error_response("json", 404, f"Unknown format: {fmt[:20]} (use .json or .xml)")
            if request.method not in allowed:
                response = error_response(fmt, 405, f"Method {request.method} not allowed")
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                if "api_key" in request.GET:
                    raise Open311Error(400, KEY_IN_URL)
                if request.method == "POST":
                    try:
                        request.POST  # noqa: B018 - parse the body now, so a malformed one is a 400
                    except MultiPartParserError:
                        raise Open311Error(400, "The request body is not valid form data") from None
                response = view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                response = error_response(fmt, exc.status, exc.description)
                if exc.retry_after is not None:
                    response["Retry-After"] = str(exc.retry_after)
            patch_vary_headers(response, ["Authorization", "X-Api-Key"])
            return response

        return wrapper

    return decorate


def iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(TZ).isoformat(timespec="seconds") if value else None


def end_of_day(day: dt.date | None) -> str | None:
    return iso(dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=TZ)) if day else None


# --- keys -----------------------------------------------------------------------------------------------
KEY_IN_URL = ("api_key must not be sent in the URL, where access logs record it: send it in an X-Api-Key header, "
              "an Authorization: Token header or (POST) the form body, and have a key that was sent in a URL "
              "replaced")


def api_key_of(request: HttpRequest) -> str:
    """The key from the X-Api-Key header, the Authorization: Token header or a POST body; never from the URL."""
    key = request.META.get("HTTP_X_API_KEY", "")
    if not key:
        scheme, _sep, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "token":
            key = value
    if not key and request.method == "POST":
        key = request.POST.get("api_key", "")
    return key.strip()


def user_for_key(request: HttpRequest, *, required: bool, action: str):
    """The key's user; None when no key was given and none is required. Raises 403 for a bad or missing key."""
    key = api_key_of(request)
    if not key:
        if required:
            raise Open311Error(403, f"api_key required -- can't proceed with {action}.")
        return None
    token = Token.objects.select_related("user").filter(key=key[:64]).first()
    if token is None or not token.user.is_active:
        raise Open311Error(403, f"Invalid api_key received -- can't proceed with {action}.")
    return token.user


# --- discovery and services -----------------------------------------------------------------------------
@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(request.path.rsplit("/", 1)[0])
    data = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "OPEN311_CONTACT", "请联系所在街道党群服务中心。"),
        "key_service": getattr(settings, "OPEN311_KEY_SERVICE",
                               "api_key 由平台管理员为账号签发(jiceng token 用户名),请联系所在街道申请账号。"),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": base,
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return render(fmt, data, root="discovery")


def _keywords(text: str) -> str:
    parts = [p.strip() for p in re.split(r"[、,,;;/]", text or "") if p.strip()]
    return ", ".join(parts)


def services_list() -> list[dict[str, Any]]:
    # Every service is "realtime" (the spec: the request id is returned at once, as POST does for all of them)
    # and has metadata (the optional "private" attribute of its definition).
    result = [{
        "service_code": c.code,
        "service_name": c.name,
        "description": c.description,
        "metadata": True,
        "type": "realtime",
        "keywords": _keywords(c.description),
        "group": CATEGORY_GROUP,
    } for c in Category.objects.filter(active=True)]
    services = Service.objects.filter(active=True).select_related("station", "category").order_by(
        "station__name", "name", "pk")
    result += [{
        "service_code": SERVICE_PREFIX + s.code,
        "service_name": s.name,
        "description": s.description,
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(k for k in (s.category.name, s.station.name) if k),
        "group": s.station.name,
    } for s in services]
    return result


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, services_list(), root="services", item="service")


def resolve_service(code: str) -> tuple[Category, Service | None] | None:
    """(category, catalog service or None) for an active service code; None when unknown."""
    code = (code or "").strip()
    if code.startswith(SERVICE_PREFIX):
        service = Service.objects.filter(code=code[len(SERVICE_PREFIX):], active=True).select_related(
            "category").first()
        return (service.category, service) if service else None
    category = Category.objects.filter(code=code, active=True).first()
    return (category, None) if category else None


def private_attribute() -> dict[str, Any]:
    """The one attribute every service takes (the spec's extension point for POST fields): keep the request out
    of the keyless public view."""
    return {
        "variable": True,
        "code": PRIVATE_ATTRIBUTE,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "true or false (default false)",
        "order": 1,
        "description": "不公开:选“是”时,无 api_key 的查询看不到这条诉求(默认公开办理进度,隐去姓名、电话等个人信息)。",
        "values": [{"key": "false", "name": "公开办理进度(隐去个人信息)"}, {"key": "true", "name": "不公开"}],
    }


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    if resolve_service(service_code) is None:
        raise Open311Error(404, "service_code not found")
    return render(fmt, {"service_code": service_code, "attributes": [private_attribute()]},
                  root="service_definition")


# --- reading requests -----------------------------------------------------------------------------------
def parse_datetime(name: str, raw: str) -> dt.datetime:
    text = raw.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(400, f"{name} is not an ISO 8601 datetime (e.g. 2010-01-01T00:00:00Z): "
                                f"{text[:40]}") from None
    if not 1900 <= value.year <= 9000:
        raise Open311Error(400, f"{name} is out of range: {text[:40]}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value


def date_window(params) -> tuple[dt.datetime, dt.datetime]:
    start_raw, end_raw = params.get("start_date", "").strip(), params.get("end_date", "").strip()
    start = parse_datetime("start_date", start_raw) if start_raw else None
    end = parse_datetime("end_date", end_raw) if end_raw else None
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if start > end:
        raise Open311Error(400, "start_date must not be after end_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _split(raw: str) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _service_code_q(codes: list[str]) -> Q:
    q = Q(pk__in=[])
    category_codes = [c for c in codes if not c.startswith(SERVICE_PREFIX)]
    service_codes = [c[len(SERVICE_PREFIX):] for c in codes if c.startswith(SERVICE_PREFIX)]
    if category_codes:
        q |= Q(category__code__in=category_codes, service__isnull=True)
    if CATCH_ALL_CODE in category_codes:
        q |= Q(category__isnull=True, service__isnull=True)  # not yet categorised: answered as the catch-all
    if service_codes:
        q |= Q(service__code__in=service_codes)
    return q


def visible_demands(user) -> QuerySet[Demand]:
    if user is None:
        return Demand.objects.filter(Q(source__in=PUBLIC_SOURCES) | Q(public_progress=True))
    return Demand.objects.restrict(user)


def filtered_requests(params, user) -> QuerySet[Demand]:
    qs = visible_demands(user)
    ids = _split(params.get("service_request_id", ""))
    if ids:
        # The spec: service_request_id overrides every other argument.
        if not all(i.isascii() and i.isdigit() and len(i) <= 18 for i in ids):
            raise Open311Error(400, "service_request_id must be a comma separated list of request ids")
        if len(ids) > MAX_RESULTS:
            raise Open311Error(400, f"service_request_id: at most {MAX_RESULTS} ids at once")
        return qs.filter(pk__in=[int(i) for i in ids])
    codes = _split(params.get("service_code", ""))
    if codes:
        qs = qs.filter(_service_code_q(codes))
    statuses = {s.lower() for s in _split(params.get("status", ""))}
    if statuses - {OPEN, CLOSED}:
        raise Open311Error(400, "status must be open or closed (comma separated)")
    if statuses == {OPEN}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif statuses == {CLOSED}:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    start, end = date_window(params)
    return qs.filter(created__gte=start, created__lte=end)


def with_related(qs: QuerySet[Demand]) -> QuerySet[Demand]:
    latest_note = DemandEvent.objects.filter(demand=OuterRef("pk")).exclude(note="").order_by("-created", "-pk")
    first_attachment = DemandAttachment.objects.filter(demand=OuterRef("pk")).order_by("pk")
    return qs.select_related("category", "service", "place", "assignee_user", "assignee_enterprise").annotate(
        open311_notes=Subquery(latest_note.values("note")[:1]),
        open311_attachment=Subquery(first_attachment.values("pk")[:1]),
    ).prefetch_related(units_prefetch("assignee_user__")).order_by("-created", "-pk")


def place_paths(demands: Iterable[Demand]) -> dict[int, str]:
    """Each place's name path ("区 / 街道 / 园区 / 楼"), with all ancestors loaded in one query."""
    places = {d.place_id: d.place for d in demands}
    ancestor_ids = {int(p) for place in places.values() for p in place.path.strip("/").split("/") if p}
    names = dict(Place.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    return {pk: " / ".join(names.get(int(p), "") for p in place.path.strip("/").split("/") if p)
            for pk, place in places.items()}


def redact(text: str, demand: Demand) -> str:
    """The demand text without the requester's contact details or any phone number or e-mail address."""
    for secret in (demand.requester_phone, demand.requester_email, demand.requester_name):
        if secret and len(secret) >= 2:
            text = text.replace(secret, "*" * len(secret))
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group()) or "***", text)
    return _EMAIL_IN_TEXT.sub("***@***", text)


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _service_code(demand: Demand) -> str:
    if demand.service_id:
        return SERVICE_PREFIX + demand.service.code
    return demand.category.code if demand.category_id else CATCH_ALL_CODE


def _service_name(demand: Demand, catch_all_name: str) -> str:
    if demand.service_id:
        return demand.service.name
    return demand.category.name if demand.category_id else catch_all_name


def catch_all_name(demands: Iterable[Demand]) -> str:
    """The catch-all category's name, looked up only when some demand has no category."""
    if all(d.service_id or d.category_id for d in demands):
        return CATCH_ALL_NAME
    name = Category.objects.filter(code=CATCH_ALL_CODE).values_list("name", flat=True).first()
    return name or CATCH_ALL_NAME


def _notice(demand: Demand) -> str | None:
    if demand.category_id:
        return f"办理时限:受理后 {demand.category.deadline_days} 个工作日"
    return None


def _media_url(request: HttpRequest, demand: Demand) -> str | None:
    attachment_id = getattr(demand, "open311_attachment", None)
    if not attachment_id:
        return None
    try:
        return request.build_absolute_uri(reverse("demands:attachment", args=[demand.pk, attachment_id]))
    except NoReverseMatch:
        return None


def request_item(request: HttpRequest, demand: Demand, address: str, *, full: bool,
                 catch_all: str = CATCH_ALL_NAME) -> dict[str, Any]:
    if full:
        lat, lng = (demand.lat, demand.lng) if demand.lat is not None and demand.lng is not None else (
            demand.place.lat, demand.place.lng)
    else:
        lat, lng = demand.place.lat, demand.place.lng
    return {
        "service_request_id": str(demand.pk),
        "status": status_of(demand.status),
        "status_notes": (getattr(demand, "open311_notes", None) or None) if full else None,
        "service_name": _service_name(demand, catch_all),
        "service_code": _service_code(demand),
        "description": demand.text if full else redact(demand.text, demand),
        "agency_responsible": (demand.assignee_display or None) if full else None,
        "service_notice": _notice(demand),
        "requested_datetime": iso(demand.created),
        "updated_datetime": iso(demand.updated),
        "expected_datetime": end_of_day(demand.due_date),
        "address": address or None,
        "address_id": str(demand.place_id),
        "zipcode": None,
        "lat": _number(lat),
        "long": _number(lng),
        "media_url": _media_url(request, demand) if full else None,
    }


def render_requests(request: HttpRequest, fmt: str, qs: QuerySet[Demand], user) -> HttpResponse:
    demands = list(with_related(qs)[:MAX_RESULTS])
    paths = place_paths(demands)
    catch_all = catch_all_name(demands)
    items = [request_item(request, d, paths.get(d.place_id, ""), full=user is not None, catch_all=catch_all)
             for d in demands]
    return render(fmt, items, root="service_requests", item="request")


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_request(request, fmt)
    user = user_for_key(request, required=False, action="get_service_requests")
    return render_requests(request, fmt, filtered_requests(request.GET, user), user)


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    user = user_for_key(request, required=False, action="get_service_request")
    if not (service_request_id.isascii() and service_request_id.isdigit() and len(service_request_id) <= 18):
        raise Open311Error(404, "service_request_id not found")
    qs = visible_demands(user).filter(pk=int(service_request_id))
    if not qs.exists():
        raise Open311Error(404, "service_request_id not found")
    return render_requests(request, fmt, qs, user)


@endpoint("GET")
def token_lookup(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    code = token.strip().upper()
    demand_id = Demand.objects.filter(tracking_code=code[:12]).values_list("pk", flat=True).first() if code else None
    if demand_id is None:
        raise Open311Error(404, "token not found")
    return render(fmt, [{"service_request_id": str(demand_id), "token": code}], root="service_requests",
                  item="request")


# --- creating requests ----------------------------------------------------------------------------------
def parse_coordinate(name: str, raw: str, limit: float) -> float:
    try:
        value = float(raw.strip())
    except (TypeError, ValueError):
        raise Open311Error(400, f"{name} must be a number in decimal degrees (WGS-84)") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise Open311Error(400, f"{name} must be between -{limit:g} and {limit:g}")
    return value


def nearest_place(lat: float, lng: float) -> Place:
    dlat = NEAREST_RADIUS_M / 111_320.0
    cos_lat = math.cos(math.radians(lat))
    box = Q(lat__gte=lat - dlat, lat__lte=lat + dlat)
    if cos_lat > 0.01:
        dlng = dlat / cos_lat
        box &= Q(lng__gte=lng - dlng, lng__lte=lng + dlng)
    candidates = Place.objects.filter(box, kind__in=LOCATABLE_KINDS, lat__isnull=False, lng__isnull=False)
    best: tuple[float, int] | None = None
    for pk, place_lat, place_lng in candidates.values_list("pk", "lat", "lng"):
        distance = haversine_m(lat, lng, float(place_lat), float(place_lng))
        if distance <= NEAREST_RADIUS_M and (best is None or (distance, pk) < best):
            best = (distance, pk)
    if best is None:
        raise Open311Error(400, "lat/long: no building, park or community within 5 km of this point")
    return Place.objects.get(pk=best[1])


def place_for_address(address: str) -> Place:
    """The place whose name (with its ancestors' names) best matches a free-text address."""
    text = address.strip()[:500]
    exact = list(Place.objects.filter(Q(name=text) | Q(address=text), kind__in=LOCATABLE_KINDS)[:20])
    if len(exact) == 1:
        return exact[0]
    candidates = exact or list(
        Place.objects.filter(kind__in=LOCATABLE_KINDS)
        .annotate(at=StrIndex(Value(text), F("name"))).filter(at__gt=0).order_by("pk")[:200])
    if not candidates:
        raise Open311Error(400, "address_string: no known place matches this address; use address_id or lat/long")
    ancestor_ids = {int(p) for c in candidates for p in c.path.strip("/").split("/") if p}
    names = dict(Place.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))

    def score(place: Place) -> int:
        return sum(len(names.get(int(p), "")) for p in place.path.strip("/").split("/")
                   if p and names.get(int(p), "") and names[int(p)] in text)

    scored = sorted(((score(c), c.depth, c) for c in candidates), key=lambda s: (-s[0], -s[1], s[2].pk))
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        raise Open311Error(400, "address_string matches more than one place; use address_id or lat/long")
    return scored[0][2]


def resolve_location(data) -> tuple[Place, Decimal | None, Decimal | None]:
    lat_raw, lng_raw = data.get("lat", "").strip(), data.get("long", "").strip()
    address_id, address = data.get("address_id", "").strip(), data.get("address_string", "").strip()
    lat = lng = None
    if lat_raw or lng_raw:
        if not (lat_raw and lng_raw):
            raise Open311Error(400, "lat and long must be given together")
        lat, lng = parse_coordinate("lat", lat_raw, 90), parse_coordinate("long", lng_raw, 180)
    if address_id:
        place = None
        if address_id.isascii() and address_id.isdigit() and len(address_id) <= 18:
            place = Place.objects.filter(pk=int(address_id)).first()
        if place is None or place.kind == PlaceKind.DISTRICT:
            raise Open311Error(400, "address_id not found")
    elif lat is not None and lng is not None:
        place = nearest_place(lat, lng)
    elif address:
        place = place_for_address(address)
    else:
        raise Open311Error(400, "A location is required: lat and long, address_string or address_id")

    def as_decimal(value: float | None) -> Decimal | None:
        return Decimal(f"{value:.6f}") if value is not None else None

    return place, as_decimal(lat), as_decimal(lng)


# Model fields named as the spec's POST fields, for validation messages.
FIELD_NAMES = {"text": "description", "requester_phone": "phone", "requester_email": "email",
               "requester_name": "first_name/last_name", "lat": "lat", "lng": "long", "place": "address_id",
               "category": "service_code", "service": "service_code"}


def validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = [f"{FIELD_NAMES.get(field, field)}: {' '.join(messages)}"
                 for field, messages in exc.message_dict.items()]
        return "; ".join(parts)
    return " ".join(exc.messages)


def parse_private(data) -> bool:
    raw = data.get(f"attribute[{PRIVATE_ATTRIBUTE}]", data.get(PRIVATE_ATTRIBUTE, ""))
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise Open311Error(400, f"attribute[{PRIVATE_ATTRIBUTE}] must be true or false")


def create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    data = request.POST
    user = user_for_key(request, required=True, action="create_request")
    wait = throttling.check_write(user, client_address(request))
    if wait is not None:
        raise Open311Error(429, f"Too many requests from this api_key: try again in {wait} seconds",
                           retry_after=wait)
    service_code = data.get("service_code", "").strip()
    if not service_code:
        raise Open311Error(400, "service_code is required")
    resolved = resolve_service(service_code)
    if resolved is None:
        raise Open311Error(400, "service_code not found")
    category, service = resolved
    description = data.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description is required")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description must be at most {MAX_DESCRIPTION} characters")
    place, lat, lng = resolve_location(data)
    private = parse_private(data)

    phone = normalize_cn_mobile(data.get("phone", "").strip())
    if phone:
        try:
            validate_cn_mobile(phone)
        except ValidationError as exc:
            raise Open311Error(400, "phone: " + " ".join(exc.messages)) from None
    email = data.get("email", "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, "email is not a valid e-mail address") from None
    name = (data.get("last_name", "").strip() + data.get("first_name", "").strip())
    if len(name) > 50:
        raise Open311Error(400, "first_name/last_name: the name must be at most 50 characters")
    media_url = data.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, "media_url must be an http or https URL") from None
        description = f"{description}\n图片:{media_url}"
        if len(description) > MAX_DESCRIPTION:
            raise Open311Error(400, f"description and media_url together must be at most {MAX_DESCRIPTION} "
                                    "characters")

    kind, enterprise = workflow.requester_of(user, default=RequesterKind.ANONYMOUS)
    try:
        demand = workflow.submit(text=description, place=place, source=DemandSource.API, user=user,
                                 requester_kind=kind, requester_enterprise=enterprise, requester_name=name,
                                 requester_phone=phone, requester_email=email, category=category,
                                 service=service, lat=lat, lng=lng, public_progress=not private)
    except ValidationError as exc:
        raise Open311Error(400, validation_message(exc)) from None
    account_id = data.get("account_id", "").strip() or None
    notice = (f"已收到,查询码 {demand.tracking_code};将在受理后 {category.deadline_days} 个工作日内办理。")
    return render(fmt, [{"service_request_id": str(demand.pk), "service_notice": notice,
                         "account_id": account_id}], root="service_requests", item="request")

