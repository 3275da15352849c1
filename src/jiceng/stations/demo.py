"""Demo stations (seed 001, 003): 豫园小商品市场's three-level network of 18 stations — one 党群服务中心, six 党群服务站
(one per market zone, beside the six branches) and eleven 党群服务点 — with hours, amenities, a week of duties and a
room to lend; Station records for the demo's other stations (高和大厦's with seed 003's reading corner, decompression
room, 一网通办 and 24-hour tax terminals); and a few more 豫园 buildings, one of them (人民路 side) beyond 500 m of
every station, so the service-circle report and the map have a gap to show.

Idempotent: the market's 党群服务中心 is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jiceng.places.models import Place, PlaceKind
from jiceng.venues.models import Room

from . import services
from .models import Amenity, Duty, Station, StationLevel

STREET, MARKET = "豫园街道", "豫园小商品市场"
CENTER = "豫园小商品市场党群服务中心"
MARKET_LAT, MARKET_LNG = 31.226200, 121.491100
ZONES = ["一", "二", "三", "四", "五", "六"]
# (zone index, offset north, offset east) in micro-degrees from the market's point; ~0.1 m each.
STATION_OFFSETS = [(-900, -1100), (-1000, 600), (200, -1500), (300, 1400), (1300, -600), (1200, 900)]
POINTS = [(0, "福佑门"), (0, "旧校场路"), (1, "安仁街"), (1, "方浜中路"), (2, "丽水路"), (2, "福佑路口"),
          (3, "豫园老街"), (3, "九曲桥"), (4, "河南南路"), (4, "人民路口"), (5, "城隍庙")]
# More 豫园 buildings: (name, kind, lat, lng, address). 人民路 ... is ~900 m from the nearest station.
BUILDINGS = [
    ("华宝楼", PlaceKind.COMMERCIAL_BUILDING, 31.227300, 121.490300, "上海市黄浦区方浜中路 265 号"),
    ("豫园商城", PlaceKind.COMMERCIAL_BUILDING, 31.226900, 121.492900, "上海市黄浦区方浜中路 269 号"),
    ("人民路商务楼", PlaceKind.COMMERCIAL_BUILDING, 31.233500, 121.484200, "上海市黄浦区人民路 885 号"),
    ("复兴东路科技园", PlaceKind.PARK, 31.220600, 121.497600, "上海市黄浦区复兴东路 1 号"),
]
DUTY_NAMES = ["陈海燕", "周建国", "吴丽华", "郑晓东", "王美玲", "冯志强", "蒋秀英"]
OTHER_STATIONS = {
    "豫园街道党群服务站": (StationLevel.CENTER, ["reading_corner", "meeting_room", "one_net_terminal"]),
    "高和大厦党群服务站": (StationLevel.STATION, ["reading_corner", "decompression_room", "one_net_terminal",
                                             "tax_terminal", "meeting_room"]),
    "五角场青年社区党群服务站": (StationLevel.CENTER, ["reading_corner", "meeting_room", "nursing_room"]),
    "创智天地党群服务站": (StationLevel.STATION, ["reading_corner", "decompression_room", "meeting_room"]),
}


def _at(north: int, east: int) -> tuple[Decimal, Decimal]:
    return (Decimal(round(MARKET_LAT * 1_000_000) + north) / 1_000_000,
            Decimal(round(MARKET_LNG * 1_000_000) + east) / 1_000_000)


def load(users: dict[str, Any], today: dt.date, say=None) -> None:
    street = Place.objects.filter(kind=PlaceKind.STREET, name=STREET).order_by("pk").first()
    market = Place.objects.filter(parent=street, name=MARKET).first() if street else None
    if market is None or Place.objects.filter(parent=market, name=CENTER).exists():
        return
    amenities = {a.code: a for a in Amenity.objects.all()}

    def pick(*codes: str) -> list[Amenity]:
        return [amenities[c] for c in codes if c in amenities]

    weekdays = "1234567"  # the market opens every day, and so do its stations
    center = services.save_station(
        None, name=CENTER, located_in=market, lat=Decimal("31.226300"), lng=Decimal("121.491200"),
        address="上海市黄浦区福佑路 8 号", level=StationLevel.CENTER, open_weekdays=weekdays,
        opens_at=dt.time(8, 30), closes_at=dt.time(17, 30), hours_note="一网通办自助终端 24 小时开放",
        phone="021-63550000",
        description="依托市场党总支,统筹六个党支部和十八个党群工作服务站,为业户提供党务、政务和商务服务。",
        amenities=pick("reading_corner", "nursing_room", "one_net_terminal", "tax_terminal", "meeting_room"))
    stations = []
    for zone, (north, east) in zip(ZONES, STATION_OFFSETS, strict=True):
        lat, lng = _at(north, east)
        stations.append(services.save_station(
            None, name=f"豫园小商品市场{zone}区党群服务站", located_in=market, lat=lat, lng=lng,
            address=f"上海市黄浦区福佑路 {zone}区", level=StationLevel.STATION, parent=center, open_weekdays=weekdays,
            opens_at=dt.time(9, 0), closes_at=dt.time(17, 0), amenities=pick("reading_corner", "meeting_room")))
    for index, (zone_index, spot) in enumerate(POINTS):
        base_north, base_east = STATION_OFFSETS[zone_index]
        lat, lng = _at(base_north + (index % 3 - 1) * 250, base_east + (index % 2) * 300 - 150)
        services.save_station(
            None, name=f"豫园小商品市场{spot}党群服务点", located_in=market, lat=lat, lng=lng,
            address=f"上海市黄浦区{spot}", level=StationLevel.POINT, parent=stations[zone_index],
            open_weekdays=weekdays, opens_at=dt.time(9, 0), closes_at=dt.time(16, 30), amenities=pick("reading_corner"))
    for offset, name in enumerate(DUTY_NAMES):  # a week at the center: one person a day, the head on Monday
        Duty.objects.create(station=center, weekday=str(offset + 1), name=name,
                            title="站长" if offset == 0 else "党群工作者", phone=f"1391630{offset:04d}")
    Room.objects.get_or_create(place=center.place, name="业户议事厅", defaults={
        "capacity": 40, "equipment": ["projector", "microphone", "wifi"], "opens_at": dt.time(9, 0),
        "closes_at": dt.time(17, 0), "open_weekdays": weekdays, "description": "业户议事、党课、政策宣讲。"})

    _activity_this_week(center, today)

    for name, kind, lat, lng, address in BUILDINGS:
        if not Place.objects.filter(parent=street, name=name).exists():
            place = Place(name=name, kind=kind, parent=street, lat=Decimal(f"{lat:.6f}"), lng=Decimal(f"{lng:.6f}"),
                          address=address)
            place.full_clean(exclude=["path", "depth", "district", "street"])
            place.save()

    for name, (level, codes) in OTHER_STATIONS.items():
        place = Place.objects.filter(kind=PlaceKind.STATION, name=name).order_by("pk").first()
        if place is None or place.lat is None or Station.objects.filter(place=place).exists():
            continue
        _adopt(place, level, pick(*codes))
    if say is not None:
        say("已载入党群服务站点:豫园小商品市场三级网络 18 个站点。")


def _adopt(place: Place, level: str, amenities: list[Amenity]) -> Station:
    """A Station record for a station place the demo made earlier (its place stays as it is)."""
    station = Station(place=place, level=level)
    station.full_clean(exclude=["district", "street"])
    station.save()
    station.amenities.set(amenities)
    return station


def _activity_this_week(center: Station, today: dt.date) -> None:
    """A public policy talk at the center on Thursday of this week (the map's "this week" layer shows it)."""
    from django.utils import timezone

    from jiceng.activities.models import Activity, ActivityKind

    thursday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=3)
    start = timezone.make_aware(dt.datetime.combine(thursday, dt.time(14, 0)))
    activity = Activity(title="业户政策宣讲会", kind=ActivityKind.LECTURE, start=start,
                        end=start + dt.timedelta(hours=1, minutes=30), station=center.place, place=center.place,
                        public=True, capacity=40, speaker_name="市场党总支书记",
                        description="个体工商户税费优惠和一网通办事项讲解。")
    activity.full_clean(exclude=["host", "district", "street", "checkin_secret"])
    activity.save()
