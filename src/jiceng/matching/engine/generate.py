"""Random city-like instances for benchmarks and tests: `generate_instance(n_needs, n_resources, seed)`.

Needs and resources spread over Shanghai (lat 30.9–31.4, lng 121.2–121.8): most gather around a few
dozen centres (business districts, parks, big estates), the rest anywhere in the box. Service radii are
1–3 km; windows fall over a few months of 2026 (needs a day to a month long, resources one to six
months); categories follow a plausible mix; quantities and capacities are small integers. Parking
resources are often lent at night (错时停车, 19:00–07:00) and some needs and venues give daily slots too.
Texts come from small Chinese templates, so descriptions of one category share some words and differ
in others. The same seed always gives the same instance.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from .items import CATEGORIES, NeedItem, ResourceItem

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAT_RANGE = (30.9, 31.4)
LNG_RANGE = (121.2, 121.8)
# About a tenth of the city's box (inside the inner ring): 2,000 × 2,000 here is as dense as 20,000 × 20,000
# over the whole city.
INNER_CITY = ((31.20, 31.36), (121.40, 121.59))
BASE = dt.datetime(2026, 3, 1, tzinfo=SHANGHAI)

# Share of each category among generated items (same order as CATEGORIES).
CATEGORY_MIX = (0.18, 0.15, 0.14, 0.05, 0.12, 0.12, 0.10, 0.08, 0.06)

PLACES = ("创智天地", "五角场", "大学路", "江湾体育场", "新江湾城", "控江路", "鞍山新村", "长海路", "国定路",
          "政立路", "殷行", "延吉新村", "四平路", "黄兴公园", "滨江", "陆家嘴", "张江", "徐家汇", "静安寺",
          "虹桥", "七宝", "莘庄", "真如", "大宁", "彭浦", "曹杨", "天山", "古北", "世博", "前滩")
GROUPS = ("社区老年人", "楼宇白领", "新就业群体", "退役军人", "残障人士", "青少年", "外卖骑手", "快递小哥",
          "困难家庭", "独居老人", "双职工家庭", "新市民", "园区企业职工", "居民志愿团队")
UNITS = ("科技公司", "律师事务所", "三甲医院", "商业综合体", "物业公司", "国有银行", "高校", "文化中心",
         "连锁超市", "区属国企", "设计院", "会计师事务所", "酒店", "互联网企业")

NEED_TEMPLATES: dict[str, tuple[str, ...]] = {
    "venue": ("{group}活动需要场地，{place}附近，能容纳{n}人", "{place}社区开展{topic}，缺少活动室",
              "为{group}举办{topic}，寻找会议室或多功能厅"),
    "parking": ("{place}老小区停车难，夜间需要车位{n}个", "{group}上下班停车需求，{place}周边车位",
                "居民夜间停车，希望共享{place}附近单位车位"),
    "volunteers": ("{topic}需要志愿者{n}名，服务{group}", "{place}社区{topic}，招募志愿者协助",
                   "为{group}提供陪伴服务，需要志愿者"),
    "funds": ("{group}{topic}项目资金缺口", "{place}微更新项目需要资金支持", "为{group}募集活动经费"),
    "training": ("{group}希望听{topic}讲座", "{place}社区需要{topic}培训课程", "为{group}开设{topic}微课堂"),
    "professional": ("{group}需要法律咨询服务", "{place}居民需要义诊和健康咨询", "为{group}提供心理疏导服务",
                     "{group}劳动纠纷需要律师帮助"),
    "goods": ("{group}需要防暑降温物资", "{place}社区需要图书和文具捐赠", "为{group}募集冬衣和生活用品"),
    "jobs": ("{group}需要就业岗位", "{place}社区为{group}寻找实习岗位", "帮助{group}对接招聘岗位"),
    "other": ("{place}社区{topic}需要协助", "{group}有{topic}方面的需求", "为{group}对接{topic}资源"),
}
RESOURCE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "venue": ("{unit}会议室对外开放，可容纳{n}人", "{place}{unit}多功能厅可借用，适合{topic}",
              "{unit}党群服务站活动室，免费提供场地"),
    "parking": ("{unit}地下车库夜间错时停车，车位{n}个", "{place}{unit}开放共享车位，夜间和周末可停",
                "{unit}停车场错峰共享，居民夜间停车"),
    "volunteers": ("{unit}青年志愿者服务队，可派{n}人", "{unit}党员志愿者参与{topic}",
                   "{place}{unit}员工志愿者周末服务社区"),
    "funds": ("{unit}公益基金资助社区项目", "{unit}出资支持{topic}", "{place}{unit}设立微心愿专项资金"),
    "training": ("{unit}专家开设{topic}讲座", "{unit}提供{topic}培训课程", "{place}{unit}骨干讲授{topic}微党课"),
    "professional": ("{unit}律师提供免费法律咨询", "{unit}医生进社区义诊和健康咨询", "{unit}心理咨询师提供心理疏导",
                     "{unit}提供财税咨询服务"),
    "goods": ("{unit}捐赠防暑降温物资", "{unit}捐赠图书和文具", "{place}{unit}提供生活用品和冬衣"),
    "jobs": ("{unit}提供实习岗位{n}个", "{unit}招聘岗位面向{group}", "{place}{unit}开放就业见习岗位"),
    "other": ("{unit}提供{topic}支持", "{place}{unit}可协助{topic}", "{unit}开放{topic}资源"),
}
TOPICS = ("党史学习", "垃圾分类", "反诈宣传", "健康养生", "亲子阅读", "智能手机使用", "消防安全", "职场减压",
          "理财知识", "书法绘画", "非遗手工", "便民理发", "家电维修", "法律知识", "急救技能")

# Daily slots in minutes: (start, end, probability) per category and side.
NIGHT = (19 * 60, 7 * 60)
NEED_SLOTS = {"parking": (((18 * 60, 8 * 60), 0.5), ((8 * 60, 18 * 60), 0.2)),
              "venue": (((14 * 60, 16 * 60), 0.2), ((19 * 60, 21 * 60), 0.2))}
RESOURCE_SLOTS = {"parking": ((NIGHT, 0.6),),
                  "venue": (((9 * 60, 17 * 60), 0.25), ((18 * 60, 21 * 60 + 30), 0.15))}


def _positions(rng: np.random.Generator, n: int, centres: np.ndarray, lat_range: tuple[float, float],
               lng_range: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    clustered = rng.random(n) < 0.7
    which = rng.integers(0, len(centres), n)
    lat = np.where(clustered, centres[which, 0] + rng.normal(0, 0.012, n), rng.uniform(*lat_range, n))
    lng = np.where(clustered, centres[which, 1] + rng.normal(0, 0.014, n), rng.uniform(*lng_range, n))
    return np.clip(lat, *lat_range).round(6), np.clip(lng, *lng_range).round(6)


def _slot(rng: np.random.Generator, options) -> tuple[dt.time | None, dt.time | None]:
    draw = rng.random()
    for (start, end), probability in options:
        if draw < probability:
            return dt.time(start // 60, start % 60), dt.time(end // 60, end % 60)
        draw -= probability
    return None, None


def _text(rng: np.random.Generator, templates: tuple[str, ...], n: int) -> str:
    template = templates[int(rng.integers(len(templates)))]
    return template.format(place=PLACES[int(rng.integers(len(PLACES)))], group=GROUPS[int(rng.integers(len(GROUPS)))],
                           unit=UNITS[int(rng.integers(len(UNITS)))], topic=TOPICS[int(rng.integers(len(TOPICS)))],
                           n=n)


def generate_instance(n_needs: int, n_resources: int, seed: int = 0, *,
                      area: tuple[tuple[float, float], tuple[float, float]] = (LAT_RANGE, LNG_RANGE),
                      ) -> tuple[list[NeedItem], list[ResourceItem]]:
    """A random instance with `n_needs` needs ("n1", ...) and `n_resources` resources ("r1", ...).

    `area` is ((lat min, lat max), (lng min, lng max)): Shanghai by default, `INNER_CITY` for a denser one.
    """
    rng = np.random.default_rng(seed)
    lat_range, lng_range = area
    margin_lat, margin_lng = (lat_range[1] - lat_range[0]) / 10, (lng_range[1] - lng_range[0]) / 10
    centres = np.column_stack((rng.uniform(lat_range[0] + margin_lat, lat_range[1] - margin_lat, 40),
                               rng.uniform(lng_range[0] + margin_lng, lng_range[1] - margin_lng, 40)))
    mix = np.asarray(CATEGORY_MIX) / sum(CATEGORY_MIX)
    hour = dt.timedelta(hours=1)

    needs: list[NeedItem] = []
    lat, lng = _positions(rng, n_needs, centres, lat_range, lng_range)
    categories = rng.choice(len(CATEGORIES), n_needs, p=mix)
    quantities = np.minimum(rng.geometric(0.45, n_needs), 8)
    starts = rng.integers(0, 120 * 24, n_needs)
    lengths = rng.integers(24, 30 * 24, n_needs)
    for k in range(n_needs):
        category = CATEGORIES[int(categories[k])]
        daily_start, daily_end = _slot(rng, NEED_SLOTS.get(category, ()))
        start = BASE + int(starts[k]) * hour
        needs.append(NeedItem(
            id=f"n{k + 1}", category=category, quantity=int(quantities[k]), lat=float(lat[k]), lng=float(lng[k]),
            start=start, end=start + int(lengths[k]) * hour,
            text=_text(rng, NEED_TEMPLATES[category], int(quantities[k]) * 10),
            daily_start=daily_start, daily_end=daily_end))

    resources: list[ResourceItem] = []
    lat, lng = _positions(rng, n_resources, centres, lat_range, lng_range)
    categories = rng.choice(len(CATEGORIES), n_resources, p=mix)
    capacities = rng.integers(1, 11, n_resources)
    radii = rng.uniform(1000, 3000, n_resources).round()
    starts = rng.integers(-30, 90, n_resources)
    lengths = rng.integers(30, 181, n_resources)
    for k in range(n_resources):
        category = CATEGORIES[int(categories[k])]
        daily_start, daily_end = _slot(rng, RESOURCE_SLOTS.get(category, ()))
        start = BASE + dt.timedelta(days=int(starts[k]))
        resources.append(ResourceItem(
            id=f"r{k + 1}", category=category, capacity=int(capacities[k]), lat=float(lat[k]), lng=float(lng[k]),
            radius_m=float(radii[k]), start=start, end=start + dt.timedelta(days=int(lengths[k])),
            text=_text(rng, RESOURCE_TEMPLATES[category], int(capacities[k]) * 10),
            daily_start=daily_start, daily_end=daily_end))
    return needs, resources
