"""Use cases of stations: create and edit a station together with its place, delete it, and the checks on its
coordinates. Views, the API and the demo all come through here, so the rules hold everywhere."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core.geo import out_of_china
from jiceng.places.models import Place, PlaceKind

from .models import Amenity, Station

# The rough box of jiceng.core.geo.out_of_china (where GCJ-02 applies): a station's coordinates must fall inside it.
CHINA_LAT = (0.8293, 55.8271)
CHINA_LNG = (72.004, 137.8347)
STATION_FIELDS = ("level", "parent", "open_weekdays", "opens_at", "closes_at", "hours_note", "phone", "description")


def coordinate_errors(lat: Any, lng: Any) -> dict[str, str]:
    """Why (lat, lng) cannot place a station in China, by field ({} when it can).

    Both are required: a station without a point cannot draw a service circle. A pair that lies in China once
    swapped gets a hint — GeoJSON writes [lng, lat], the opposite of most forms."""
    errors: dict[str, str] = {}
    values = {}
    for name, value in (("lat", lat), ("lng", lng)):
        if value is None or value == "":
            errors[name] = _("站点须有坐标(WGS-84 经纬度)。")
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[name] = _("坐标须是数字。")
            continue
        if not math.isfinite(number) or isinstance(value, bool):
            errors[name] = _("坐标须是数字。")
            continue
        values[name] = number
    if errors:
        return errors
    lat_f, lng_f = values["lat"], values["lng"]
    if not out_of_china(lng_f, lat_f):
        return {}
    swapped = not out_of_china(lat_f, lng_f)
    hint = _("经纬度是否填反了?") if swapped else ""
    if not CHINA_LAT[0] <= lat_f <= CHINA_LAT[1]:
        errors["lat"] = _("纬度 %(value)s 不在中国境内(应在 %(low)s 到 %(high)s 之间)。") % {
            "value": value_text(lat), "low": CHINA_LAT[0], "high": CHINA_LAT[1]} + hint
    if not CHINA_LNG[0] <= lng_f <= CHINA_LNG[1]:
        errors["lng"] = _("经度 %(value)s 不在中国境内(应在 %(low)s 到 %(high)s 之间)。") % {
            "value": value_text(lng), "low": CHINA_LNG[0], "high": CHINA_LNG[1]} + hint
    return errors


def value_text(value: Any) -> str:
    return str(value)[:20]


def _as_decimal(value: Any) -> Decimal:
    return Decimal(f"{float(value):.6f}")


@transaction.atomic
def save_station(station: Station | None, *, name: str, located_in: Place, lat: Any, lng: Any, address: str = "",
                 amenities: list[Amenity] | None = None, **fields: Any) -> Station:
    """Create (station=None) or update a station and its place in one transaction; a ValidationError names the
    field (`name`, `located_in`, `lat`, `lng`, `level`, `parent`, ...) and leaves nothing saved."""
    unknown = set(fields) - set(STATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown station fields: {sorted(unknown)}")
    errors = coordinate_errors(lat, lng)
    if errors:
        raise ValidationError(errors)
    place = station.place if station is not None else Place(kind=PlaceKind.STATION)
    place.name, place.parent, place.address = name, located_in, address or ""
    place.lat, place.lng = _as_decimal(lat), _as_decimal(lng)
    try:
        place.full_clean(exclude=["path", "depth", "district", "street"])
    except ValidationError as exc:
        raise ValidationError(_place_errors(exc)) from exc
    place.save()
    station = station if station is not None else Station(place=place)
    for key, value in fields.items():
        setattr(station, key, value)
    station.place = place
    station.full_clean(exclude=["district", "street"])
    station.save()
    if amenities is not None:
        station.amenities.set(amenities)
    return station


def _place_errors(exc: ValidationError) -> dict[str, list[str]]:
    """The place's errors under the station API's names: its parent is `located_in`; the unique name rule is
    `name`."""
    renamed: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        target = {"parent": "located_in", NON_FIELD_ERRORS: "name", "kind": "located_in"}.get(key, key)
        renamed.setdefault(target, []).extend(messages)
    return renamed


@transaction.atomic
def delete_station(station: Station) -> None:
    """Delete a station and its place; refused while stations sit below it or its rooms or services exist."""
    if station.children.exists():
        raise ValidationError({"parent": _("该站点下还有下级站点,不能删除。")})
    place = station.place
    if place.rooms.exists() or place.services.exists() or place.children.exists():
        raise ValidationError({NON_FIELD_ERRORS: _("该站点还有活动场地、服务清单或下级地域,不能删除。")})
    station.delete()
    place.delete()


def network(stations: list[Station]) -> list[tuple[Station, int]]:
    """Stations in network order (each under its parent, by name), with their depth in the network."""
    by_parent: dict[int | None, list[Station]] = {}
    ids = {s.pk for s in stations}
    for station in stations:
        key = station.parent_id if station.parent_id in ids else None
        by_parent.setdefault(key, []).append(station)
    out: list[tuple[Station, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for station in sorted(by_parent.get(parent, []), key=lambda s: (s.level != "center", s.place.name)):
            out.append((station, depth))
            walk(station.pk, depth + 1)

    walk(None, 0)
    return out
