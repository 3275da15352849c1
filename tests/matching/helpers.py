"""Independent re-statements of the matching rules, to check the engine against."""

from __future__ import annotations

import datetime as dt
import random

from jiceng.core.geo import haversine_m
from jiceng.matching.engine import CATEGORIES, NeedItem, ResourceItem

BASE = dt.datetime(2026, 5, 1, 0, 0)
CENTRE = (31.3005, 121.5130)  # 创智天地


def slot_minutes(start: dt.time, end: dt.time) -> set[int]:
    """The minutes of the day a slot covers (minute-resolution slots only), across midnight when end ≤ start."""
    a, b = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return set(range(a, b)) if b > a else set(range(a, 1440)) | set(range(0, b))


def eligible(need: NeedItem, resource: ResourceItem) -> bool:
    if need.category != resource.category:
        return False
    if haversine_m(need.lat, need.lng, resource.lat, resource.lng) > resource.radius_m:
        return False
    if min(need.end, resource.end) <= max(need.start, resource.start):
        return False
    if need.daily_start is not None and resource.daily_start is not None:
        return bool(slot_minutes(need.daily_start, need.daily_end)
                    & slot_minutes(resource.daily_start, resource.daily_end))
    return True


def overlap_share(need: NeedItem, resource: ResourceItem) -> float:
    shared = min(need.end, resource.end) - max(need.start, resource.start)
    share = shared / (need.end - need.start)
    if need.daily_start is not None and resource.daily_start is not None:
        mine = slot_minutes(need.daily_start, need.daily_end)
        share *= len(mine & slot_minutes(resource.daily_start, resource.daily_end)) / len(mine)
    return share


SLOTS = [None, (dt.time(19), dt.time(7)), (dt.time(8), dt.time(18)), (dt.time(6), dt.time(9)),
         (dt.time(22, 30), dt.time(1, 15)), (dt.time(12), dt.time(13, 30))]
TEXTS = ["夜间停车需要车位", "错时共享车位，夜间可停", "社区活动需要场地", "会议室可借用，适合社区活动",
         "老人需要法律咨询", "律师提供免费法律咨询", "", "需要帮助"]


def dense_instance(seed: int, n_needs: int, n_resources: int, categories: int = 2, max_amount: int = 4,
                   spread_deg: float = 0.03) -> tuple[list[NeedItem], list[ResourceItem]]:
    """Needs and resources packed into a few kilometres, so that many pairs are eligible and some are not."""
    rng = random.Random(seed)

    def place() -> tuple[float, float]:
        return (round(CENTRE[0] + rng.uniform(-spread_deg, spread_deg), 6),
                round(CENTRE[1] + rng.uniform(-spread_deg, spread_deg), 6))

    def window(longest_days: int) -> tuple[dt.datetime, dt.datetime]:
        start = BASE + dt.timedelta(hours=rng.randrange(0, 24 * 40))
        return start, start + dt.timedelta(hours=rng.randrange(1, 24 * longest_days))

    def slot() -> tuple[dt.time | None, dt.time | None]:
        chosen = rng.choice(SLOTS)
        return chosen if chosen else (None, None)

    needs = []
    for k in range(n_needs):
        lat, lng = place()
        start, end = window(20)
        daily_start, daily_end = slot()
        needs.append(NeedItem(f"n{k}", CATEGORIES[rng.randrange(categories)], rng.randint(1, max_amount), lat, lng,
                              start, end, rng.choice(TEXTS), daily_start, daily_end))
    resources = []
    for k in range(n_resources):
        lat, lng = place()
        start, end = window(60)
        daily_start, daily_end = slot()
        resources.append(ResourceItem(f"r{k}", CATEGORIES[rng.randrange(categories)], rng.randint(1, max_amount),
                                      lat, lng, float(rng.randrange(800, 4000)), start, end, rng.choice(TEXTS),
                                      daily_start, daily_end))
    return needs, resources
