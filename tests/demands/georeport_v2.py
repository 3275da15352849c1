"""A validator for GeoReport v2 responses, written from the published field lists.

Sources: the GeoReport v2 specification (wiki.open311.org/GeoReport_v2: the "Response" table of every method,
the Errors section and the XML/JSON format rules), the Service Discovery page (wiki.open311.org/Service_Discovery:
"All fields are required") and, for JSON types, the Open311 project's machine-readable definitions
(open311.github.io, data/georeport_v2-1.yaml: identifiers and codes are strings, lat/long numbers, metadata,
variable and required booleans, order an integer; required: service_code, service_name, type for a service;
service_request_id, status, service_code, requested_datetime for a request).

A field the spec marks "May not be returned" (or that has nothing to say, as ``zipcode`` here) may be ``null``
in JSON and an empty element in XML; every other field is present with a value. Each item has exactly the
spec's fields: no field is missing and none is foreign (the spec advises against foreign tags). XML has the
spec's root and item element names, no attributes and no namespace, and is UTF-8 with the XML declaration.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own responses in tests

STR, NUM, BOOL, INT, DATETIME, LIST = "string", "number", "boolean", "integer", "datetime", "list"

# kind -> (XML root, XML item element or None for a single object, {field: (type, required, nullable)})
# A field with LIST type is described in LISTS (its XML item name and the item's fields).
_R, _O = True, False  # required (always has a value) / optional (may be null or empty)

FIELDS: dict[str, tuple[str, str | None, dict[str, tuple[str, bool]]]] = {
    "discovery": ("discovery", None, {
        "changeset": (STR, _R), "contact": (STR, _R), "key_service": (STR, _R), "endpoints": (LIST, _R)}),
    "services": ("services", "service", {
        "service_code": (STR, _R), "service_name": (STR, _R), "description": (STR, _O), "metadata": (BOOL, _R),
        "type": (STR, _R), "keywords": (STR, _O), "group": (STR, _O)}),
    "service_definition": ("service_definition", None, {"service_code": (STR, _R), "attributes": (LIST, _R)}),
    "post_response": ("service_requests", "request", {
        "service_request_id": (STR, _R), "service_notice": (STR, _O), "account_id": (STR, _O)}),
    "token": ("service_requests", "request", {"service_request_id": (STR, _R), "token": (STR, _R)}),
    "requests": ("service_requests", "request", {
        "service_request_id": (STR, _R), "status": (STR, _R), "status_notes": (STR, _O),
        "service_name": (STR, _R), "service_code": (STR, _R), "description": (STR, _O),
        "agency_responsible": (STR, _O), "service_notice": (STR, _O), "requested_datetime": (DATETIME, _R),
        "updated_datetime": (DATETIME, _R), "expected_datetime": (DATETIME, _O), "address": (STR, _O),
        "address_id": (STR, _O), "zipcode": (STR, _O), "lat": (NUM, _O), "long": (NUM, _O),
        "media_url": (STR, _O)}),
    "errors": ("errors", "error", {"code": (INT, _R), "description": (STR, _R)}),
}
LISTS: dict[str, tuple[str, dict[str, tuple[str, bool]] | str]] = {
    "endpoints": ("endpoint", {"specification": (STR, _R), "url": (STR, _R), "changeset": (STR, _R),
                               "type": (STR, _R), "formats": (LIST, _R)}),
    "formats": ("format", STR),
    "attributes": ("attribute", {"variable": (BOOL, _R), "code": (STR, _R), "datatype": (STR, _R),
                                 "required": (BOOL, _R), "datatype_description": (STR, _O), "order": (INT, _R),
                                 "description": (STR, _R), "values": (LIST, _O)}),
    "values": ("value", {"key": (STR, _R), "name": (STR, _R)}),
}
ENUMS = {
    ("services", "type"): {"realtime", "batch", "blackbox"},
    ("requests", "status"): {"open", "closed"},
    ("endpoints", "type"): {"production", "test"},
    ("attributes", "datatype"): {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"},
}
# w3 datetime with a mandatory zone ("Timezone information ... must be included").
W3_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}


class Invalid(AssertionError):
    pass


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise Invalid(f"{where}: {message}")


def _scalar_json(value, kind: str, where: str) -> None:
    if kind == STR:
        _check(isinstance(value, str), where, f"expected a string, got {value!r}")
    elif kind == NUM:
        _check(isinstance(value, int | float) and not isinstance(value, bool), where, f"expected a number: {value!r}")
    elif kind == INT:
        _check(isinstance(value, int) and not isinstance(value, bool), where, f"expected an integer: {value!r}")
    elif kind == BOOL:
        _check(isinstance(value, bool), where, f"expected true or false: {value!r}")
    elif kind == DATETIME:
        _check(isinstance(value, str) and bool(W3_DATETIME.match(value)), where, f"not a w3 datetime: {value!r}")
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _scalar_xml(text: str, kind: str, where: str) -> None:
    if kind == NUM:
        try:
            float(text)
        except ValueError:
            raise Invalid(f"{where}: expected a number: {text!r}") from None
    elif kind == INT:
        _check(text.isdigit(), where, f"expected an integer: {text!r}")
    elif kind == BOOL:
        _check(text in ("true", "false"), where, f"expected true or false: {text!r}")
    elif kind == DATETIME:
        _check(bool(W3_DATETIME.match(text)), where, f"not a w3 datetime: {text!r}")


def _object_json(data, fields: dict, where: str, owner: str) -> None:
    _check(isinstance(data, dict), where, f"expected an object, got {type(data).__name__}")
    _check(set(data) == set(fields), where, f"fields {sorted(data)} are not the spec's {sorted(fields)}")
    for name, (kind, required) in fields.items():
        value, here = data[name], f"{where}.{name}"
        if value is None:
            _check(not required, here, "is required and may not be null")
            continue
        if kind == LIST:
            _list_json(value, name, here)
        else:
            _scalar_json(value, kind, here)
            if required and kind == STR:
                _check(value != "", here, "is required and may not be empty")
            allowed = ENUMS.get((owner, name))
            if allowed:
                _check(value in allowed, here, f"{value!r} is not one of {sorted(allowed)}")


def _list_json(value, name: str, where: str) -> None:
    _check(isinstance(value, list), where, "expected an array")
    _item, spec = LISTS[name]
    for i, item in enumerate(value):
        if isinstance(spec, str):
            _scalar_json(item, spec, f"{where}[{i}]")
        else:
            _object_json(item, spec, f"{where}[{i}]", name)


def _object_xml(element: ET.Element, fields: dict, where: str, owner: str) -> None:
    _check(not element.attrib, where, f"attributes are not part of the format: {element.attrib}")
    tags = [child.tag for child in element]
    _check(len(tags) == len(set(tags)), where, f"repeated elements {tags}")
    _check(set(tags) == set(fields), where, f"elements {sorted(tags)} are not the spec's {sorted(fields)}")
    for child in element:
        kind, required = fields[child.tag]
        here = f"{where}/{child.tag}"
        _check(not child.attrib, here, "attributes are not part of the format")
        if kind == LIST:
            _list_xml(child, child.tag, here)
            continue
        _check(len(child) == 0, here, "a scalar field has child elements")
        text = child.text or ""
        if not text:
            _check(not required, here, "is required and may not be empty")
            continue
        _scalar_xml(text, kind, here)
        allowed = ENUMS.get((owner, child.tag))
        if allowed:
            _check(text in allowed, here, f"{text!r} is not one of {sorted(allowed)}")


def _list_xml(element: ET.Element, name: str, where: str) -> None:
    item, spec = LISTS[name]
    _check(not (element.text or "").strip(), where, "a list holds elements, not text")
    for i, child in enumerate(element):
        here = f"{where}/{item}[{i}]"
        _check(child.tag == item, here, f"expected <{item}>, got <{child.tag}>")
        if isinstance(spec, str):
            _check(len(child) == 0 and bool(child.text), here, "expected a value")
            _scalar_xml(child.text, spec, here)
        else:
            _object_xml(child, spec, here, name)


def validate(response, kind: str, fmt: str) -> object:
    """Checks one response against the field list of ``kind``; returns the parsed body (a list or dict for JSON,
    the root element for XML). Raises Invalid (an AssertionError) naming the first departure from the spec."""
    root_name, item_name, fields = FIELDS[kind]
    _check(response["Content-Type"] == CONTENT_TYPES[fmt], kind, f"Content-Type {response['Content-Type']!r}")
    body = response.content
    body.decode("utf-8")
    if fmt == "json":
        data = json.loads(body)
        if item_name is None:
            _object_json(data, fields, kind, kind)
        else:
            _check(isinstance(data, list), kind, "expected an array of items")
            for i, item in enumerate(data):
                _object_json(item, fields, f"{kind}[{i}]", kind)
        return data
    _check(body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), kind, "no XML declaration with UTF-8")
    root = ET.fromstring(body)  # noqa: S314 - our own response
    _check(root.tag == root_name, kind, f"root element <{root.tag}>, expected <{root_name}>")
    _check("xmlns" not in body.decode("utf-8"), kind, "namespaces are not part of the format")
    if item_name is None:
        _object_xml(root, fields, root_name, kind)
    else:
        _check(not root.attrib and not (root.text or "").strip(), root_name, "the list holds only items")
        for i, child in enumerate(root):
            _check(child.tag == item_name, f"{root_name}[{i}]", f"expected <{item_name}>, got <{child.tag}>")
            _object_xml(child, fields, f"{root_name}/{item_name}[{i}]", kind)
    return root
