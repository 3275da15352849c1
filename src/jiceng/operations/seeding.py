"""Deterministic generated data for scale tests: `jiceng seed --scale {demo,city} [--seed N]`.

`seed(scale, seed=N)` builds a whole city's registry with bulk inserts:

- the place tree: districts (the 16 of Shanghai at `city` scale) → streets → areas (parks, commercial
  buildings, markets, communities) → 楼栋 buildings under parks and some commercial buildings;
- enterprises and social organizations with valid unique credit codes (GB 32100), industries, an
  ownership mix, a long-tailed employee count (log-normal) and lease end dates;
- party organizations: one 两新组织综合党委 (committee) with its 直属党支部 per street, independent branches for large
  enterprises and joint branches for groups of small ones, covering about 70% of the enterprises
  (`Coverage` rows), instructors (work coverage) for some of the rest, committee seats and secretaries;
- party members with valid unique ID numbers (GB 11643), mobile numbers, and names whose pinyin keys
  come from `jiceng.core.text.pinyin_keys` (computed once per distinct name).

Every row is written with `bulk_create` (batches of `BATCH_SIZE`), so `save()` does not run: the seed
sets what `save()` would have set itself — `Place.path/depth/district/street`, the `district`/`street`
copied onto enterprises and organizations, `Organization.path`, the pinyin keys. To know the paths
before inserting, it allocates primary keys itself (max id + n) and, on PostgreSQL, resets the
sequences afterwards. No change-history rows are written for generated data. At the end it runs
ANALYZE on the tables it wrote, so the query planner sees the new data at once.

Determinism: each stage draws from its own `random.Random(f"{seed}:{stage}")`, so the same seed gives
the same data, and adding a stage does not change what the earlier stages produce. Dates are offsets
from `today` (lease ends and term ends stay "due soon" whenever you seed); everything else is
independent of the day.

Safety: the seed only inserts rows; it never updates or deletes rows it did not create. It refuses to
run when the database already holds enterprises (`SeedError`), and the whole run is one transaction,
so a failed run leaves nothing behind.

Extension point: later stages live in their apps — demands in jiceng.demands.seeding, activities and
attendance (the architecture's 2,000,000 attendance records at `city` scale) in jiceng.activities.seeding.
A stage is a function `stage(ctx) -> rows` drawing from `ctx.rng(name)`, inserting through
`ctx.insert(...)` and reading what earlier stages left in `ctx` (places, enterprises, organizations,
members), appended to `STAGES`. `Scale` holds the target counts; `seed()` reports the targets of
missing stages as pending.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from tqdm import tqdm

from jiceng.activities.models import Activity, Attendance, Rating
from jiceng.activities.seeding import stage_attendance
from jiceng.core import bulk
from jiceng.core.dates import add_years
from jiceng.core.names import FEMALE_CHARS, MALE_CHARS, RESERVED_NAMES, SURNAMES
from jiceng.core.text import pinyin_keys
from jiceng.core.validators import USCC_CHARSET, id_number_check_digit, uscc_check_char
from jiceng.demands.models import Demand
from jiceng.demands.seeding import stage_demands
from jiceng.departments.seeding import stage_departments
from jiceng.enterprises.models import Enterprise, EnterpriseKind, Industry, Ownership
from jiceng.members.models import Education, Gender, Member, MemberStatus, Occupation
from jiceng.organizations.models import (
    CommitteeMember,
    CommitteePosition,
    Coverage,
    Organization,
    OrgKind,
    term_years,
)
from jiceng.places.models import Place, PlaceKind
from jiceng.stations.seeding import stage_stations

BATCH_SIZE = 5_000
INSTRUCTOR_PREFIX = "seed_instructor_"


class SeedError(Exception):
    """The seed cannot run (for example: the database already holds data)."""


@dataclass(frozen=True)
class Scale:
    name: str
    districts: int
    streets: int
    areas: int
    enterprises: int
    members: int
    coverage_rate: float = 0.70
    demands: int = 0
    # Attendance rows (the activities stage, jiceng.activities.seeding).
    attendance: int = 0
    # Service stations with coordinates (jiceng.stations.seeding): the 500 m report and the map at scale.
    stations: int = 0


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", districts=2, streets=6, areas=24, enterprises=200, members=1_000, demands=2_000,
                  attendance=6_700, stations=40),
    "city": Scale("city", districts=16, streets=200, areas=2_200, enterprises=60_000, members=300_000,
                  demands=1_000_000, attendance=2_000_000, stations=4_000),
}

# --- vocabulary ------------------------------------------------------------------------------------------

# The 16 districts of Shanghai with their GB/T 2260 codes and approximate centres (WGS-84).
DISTRICTS: list[tuple[str, str, float, float]] = [
    ("黄浦区", "310101", 31.2317, 121.4846), ("徐汇区", "310104", 31.1885, 121.4365),
    ("长宁区", "310105", 31.2204, 121.4244), ("静安区", "310106", 31.2294, 121.4480),
    ("普陀区", "310107", 31.2494, 121.3975), ("虹口区", "310109", 31.2646, 121.5052),
    ("杨浦区", "310110", 31.2595, 121.5260), ("闵行区", "310112", 31.1128, 121.3817),
    ("宝山区", "310113", 31.4053, 121.4894), ("嘉定区", "310114", 31.3752, 121.2654),
    ("浦东新区", "310115", 31.2213, 121.5447), ("金山区", "310116", 30.7419, 121.3419),
    ("松江区", "310117", 31.0323, 121.2277), ("青浦区", "310118", 31.1505, 121.1244),
    ("奉贤区", "310120", 30.9180, 121.4740), ("崇明区", "310151", 31.6230, 121.3973),
]
OTHER_REGIONS = ["320102", "320583", "330102", "330106", "340104", "360102", "370102", "410105", "420102",
                 "430102", "510104", "610113", "230102", "210102", "350102", "130102", "450103", "500103"]

PLACE_FIRST = list("新华江湾长风龙华田林枫泾曹杨虹桥金桥张江陆家嘴花木洋泾塘桥周家渡漕河泾徐家汇天平湖南凌云"
                   "康健斜土宛平临汾彭浦芷江共和大宁宝山淞南庙行顾村罗店真如万里石泉宜川甘泉长寿梅陇莘庄")
PLACE_SECOND = list("浦泾桥湾港塘园林山川源宁安兴华盛泰丰和平新康乐")
ROADS = ["中山", "延安", "淮海", "南京", "四川", "长阳", "控江", "国权", "政立", "淞沪", "黄兴", "世纪", "张杨",
         "漕溪", "宜山", "虹桥", "仙霞", "天山", "曹杨", "武宁", "大渡河", "真北", "共和新", "场中", "沪太",
         "江杨", "莘松", "七莘", "曹安", "嘉松", "沪闵", "龙吴", "浦东", "东方", "锦绣", "川沙", "华夏"]
AREA_SUFFIXES: dict[str, list[str]] = {
    PlaceKind.PARK: ["科技园", "产业园", "创意园", "软件园", "智造园", "创新园"],
    PlaceKind.COMMERCIAL_BUILDING: ["大厦", "中心", "广场", "商务楼", "国际大厦", "金融中心"],
    PlaceKind.MARKET: ["市场", "小商品市场", "建材市场"],
    PlaceKind.COMMUNITY: ["居民区", "新村", "花园"],
}
AREA_KIND_WEIGHTS = [(PlaceKind.PARK, 35), (PlaceKind.COMMERCIAL_BUILDING, 50), (PlaceKind.MARKET, 7),
                     (PlaceKind.COMMUNITY, 8)]
# How many enterprises an area of each kind attracts, relative to the others.
AREA_PULL = {PlaceKind.PARK: 1.6, PlaceKind.COMMERCIAL_BUILDING: 1.0, PlaceKind.MARKET: 0.7,
             PlaceKind.COMMUNITY: 0.2}

BRAND_FIRST = list("云智数星蓝极易优创联汇鼎瑞博锐启拓恒昊翼微灵睿盛众新维卓嘉思凌泛格朗奇跃聚合方果酷乐趣悦安信达"
                   "宏伟华泽金银润丰源远广宸锦晟弘炜烨")
BRAND_SECOND = list("帆象桥图链泽石峰川岳翎途码迅擎树海辰光谷原森澜驰捷腾越科邦航宸曜畅逸衡极宇泰鸿坤")
INDUSTRY_WEIGHTS: list[tuple[str, int]] = [
    (Industry.I, 18), (Industry.L, 15), (Industry.F, 15), (Industry.M, 10), (Industry.K, 6), (Industry.J, 6),
    (Industry.R, 5), (Industry.H, 5), (Industry.C, 5), (Industry.E, 4), (Industry.G, 4), (Industry.O, 3),
    (Industry.P, 2), (Industry.Q, 2),
]
INDUSTRY_PHRASES: dict[str, list[str]] = {
    "I": ["信息科技", "网络科技", "软件", "数据科技", "智能科技", "数字科技", "信息技术", "云计算科技", "电子商务"],
    "L": ["商务咨询", "企业管理咨询", "人力资源", "广告", "会展服务", "品牌管理"],
    "F": ["贸易", "国际贸易", "商贸", "供应链管理", "食品销售"],
    "M": ["工程设计", "检测技术", "环境科技", "生物科技", "新材料科技"],
    "K": ["房地产经纪", "物业管理", "置业"],
    "J": ["投资管理", "资产管理", "融资租赁", "保险代理"],
    "R": ["文化传播", "文化传媒", "影视制作", "体育发展"],
    "H": ["餐饮管理", "酒店管理", "餐饮"],
    "C": ["机械制造", "电子科技", "精密仪器", "医疗器械"],
    "E": ["建筑工程", "装饰工程", "建设工程"],
    "G": ["物流", "货运代理", "快递服务"],
    "O": ["家政服务", "美容美发", "维修服务"],
    "P": ["教育科技", "培训"],
    "Q": ["健康管理", "门诊部"],
}
COMPANY_SUFFIXES = [("有限公司", 80), ("股份有限公司", 8), ("有限责任公司", 7), ("合伙企业（有限合伙）", 5)]
SOCIAL_ORG_PHRASES = ["行业协会", "商会", "促进会", "服务中心", "研究会", "社会工作服务社", "公益基金会", "青年联合会"]
OWNERSHIP_WEIGHTS = [(Ownership.PRIVATE, 78), (Ownership.FOREIGN, 8), (Ownership.HMT, 5),
                     (Ownership.STATE_OWNED, 6), (Ownership.COLLECTIVE, 3)]

ETHNIC_MINORITIES = ["回族", "满族", "蒙古族", "朝鲜族", "土家族", "壮族", "苗族", "藏族"]
# The occupations of the party statistics (党内统计), roughly as a city district's members divide among them.
OCCUPATION_WEIGHTS = [(Occupation.PROFESSIONAL, 26), (Occupation.MANAGER, 14), (Occupation.WORKER, 12),
                      (Occupation.RETIRED, 22), (Occupation.OFFICIAL, 6), (Occupation.STUDENT, 3),
                      (Occupation.FARMER, 1), (Occupation.MILITARY, 1), (Occupation.OTHER, 15)]
EDUCATION_WEIGHTS = [(Education.POSTGRADUATE, 15), (Education.BACHELOR, 45), (Education.COLLEGE, 20),
                     (Education.SECONDARY, 12), (Education.BASIC, 8)]
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "156", "158", "159", "166", "170", "176", "177", "180", "181", "182", "185", "186", "187",
                   "188", "189", "191", "198", "199"]


# --- small helpers ---------------------------------------------------------------------------------------

def _weighted(rng: random.Random, pairs: list[tuple[Any, int | float]]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _coord(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _base31(n: int, width: int) -> str:
    digits = []
    for _ in range(width):
        n, r = divmod(n, len(USCC_CHARSET))
        digits.append(USCC_CHARSET[r])
    return "".join(reversed(digits))


def _distribute(rng: random.Random, total: int, buckets: int, sigma: float = 0.5) -> list[int]:
    """Split `total` over `buckets` (each gets at least one), with log-normal variation between them."""
    counts = [1] * buckets
    weights = list(accumulate(rng.lognormvariate(0, sigma) for _ in range(buckets)))
    for _ in range(max(0, total - buckets)):
        counts[bisect(weights, rng.random() * weights[-1])] += 1
    return counts


@dataclass
class StageResult:
    name: str
    rows: int
    seconds: float


@dataclass
class SeedResult:
    scale: Scale
    seed: int
    stages: list[StageResult] = field(default_factory=list)
    pending: dict[str, int] = field(default_factory=dict)  # target counts of stages not written yet

    @property
    def seconds(self) -> float:
        return sum(stage.seconds for stage in self.stages)


# Lightweight records kept between stages (model instances for 300,000 rows would cost too much memory).
@dataclass
class AreaInfo:
    id: int
    name: str
    kind: str
    district_id: int
    street_id: int
    path: str
    children: list[int] = field(default_factory=list)  # 楼栋 building ids


@dataclass
class EnterpriseInfo:
    id: int
    name: str
    area: int  # index into ctx.areas
    place_id: int
    employees: int
    must_cover: bool
    established: dt.date


@dataclass
class OrgInfo:
    id: int
    street_id: int
    path: str
    established: dt.date
    full_members: int = 0
    first_members: list[int] = field(default_factory=list)


@dataclass
class Context:
    scale: Scale
    seed: int
    today: dt.date
    progress: bool
    progress_file: IO[str]
    district_ids: list[int] = field(default_factory=list)
    district_region: dict[int, str] = field(default_factory=dict)
    district_name: dict[int, str] = field(default_factory=dict)
    street_ids: list[int] = field(default_factory=list)
    street_name: dict[int, str] = field(default_factory=dict)
    street_district: dict[int, int] = field(default_factory=dict)
    areas: list[AreaInfo] = field(default_factory=list)
    enterprises: list[EnterpriseInfo] = field(default_factory=list)
    instructor_by_street: dict[int, int] = field(default_factory=dict)
    committee_by_street: dict[int, int] = field(default_factory=dict)
    # The committee's 直属党支部: members with no branch of their own sit there, never in the committee (decision 039).
    direct_branch_by_street: dict[int, int] = field(default_factory=dict)
    orgs: dict[int, OrgInfo] = field(default_factory=dict)
    org_of_enterprise: dict[int, int] = field(default_factory=dict)  # enterprise id → covering org id
    _next_ids: dict[type[models.Model], int] = field(default_factory=dict)

    def rng(self, stage: str) -> random.Random:
        return random.Random(f"{self.seed}:{stage}")

    def allocate_ids(self, model: type[models.Model], n: int) -> int:
        """Reserve `n` primary keys for `model`; returns the first one."""
        if model not in self._next_ids:
            top = model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0
            self._next_ids[model] = top + 1
        first = self._next_ids[model]
        self._next_ids[model] = first + n
        return first

    def insert(self, model: type[models.Model], objects: Iterable[models.Model], total: int, desc: str) -> int:
        """bulk_create `objects` in batches of BATCH_SIZE with a progress bar; returns the row count."""
        written = 0
        with self._bar(total, desc) as bar:
            for batch in bulk.batches(objects, BATCH_SIZE):
                model._default_manager.bulk_create(batch, batch_size=BATCH_SIZE)
                written += len(batch)
                bar.update(len(batch))
        return written

    def insert_rows(self, model: type[models.Model], fields: list[str], rows: Iterable[tuple], total: int,
                    desc: str, *, prepared: bool = True) -> int:
        """Like `insert`, for tuples of values of `fields` (jiceng.core.bulk: one prepared INSERT, executemany).

        For the biggest tables: bulk_create spends ~50 µs of Python per row building and compiling model
        instances, which made 2,000,000 attendance rows take minutes; this path costs a few µs a row.
        `prepared` (the default here) says the values are already what the database stores.
        """
        with self._bar(total, desc) as bar:
            return bulk.insert_rows(model, fields, rows, batch_size=BATCH_SIZE, prepared=prepared,
                                    on_batch=bar.update)

    def insert_dicts(self, model: type[models.Model], rows: Iterable[dict[str, Any]], total: int, desc: str) -> int:
        """Like `insert`, for dicts of field values by attname (what the model's constructor would take)."""
        with self._bar(total, desc) as bar:
            return bulk.insert_dicts(model, rows, batch_size=BATCH_SIZE, on_batch=bar.update)

    def _bar(self, total: int, desc: str) -> tqdm:
        return tqdm(total=total, desc=desc, unit=" rows", disable=not self.progress, file=self.progress_file,
                    leave=True, dynamic_ncols=True)


# --- stages ----------------------------------------------------------------------------------------------

def _unique_name(taken: set[str], make: Callable[[], str]) -> str:
    for _ in range(50):
        name = make()
        if name not in taken:
            taken.add(name)
            return name
    base = make()
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    taken.add(f"{base}{n}")
    return f"{base}{n}"


def _stage_places(ctx: Context) -> int:
    rng = ctx.rng("places")
    scale = ctx.scale
    districts = DISTRICTS[: scale.districts]
    streets_per_district = _distribute(rng, scale.streets, len(districts), sigma=0.15)
    areas_per_street = _distribute(rng, scale.areas, scale.streets, sigma=0.45)
    used: set[str] = set()

    def place_name(suffix: str) -> str:
        return _unique_name(used, lambda: rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND) + suffix)

    def address(district: str) -> str:
        return f"上海市{district}{rng.choice(ROADS)}路{rng.randint(1, 2000)}号"

    # Plan the tree first so ids can be allocated in one block per level.
    rows: list[dict[str, Any]] = []
    street_index = 0
    for (d_name, region, lat, lng), n_streets in zip(districts, streets_per_district, strict=True):
        district = {"name": d_name, "kind": PlaceKind.DISTRICT, "code": region, "lat": lat, "lng": lng,
                    "address": f"上海市{d_name}", "parent": None}
        rows.append(district)
        for s in range(n_streets):
            s_lat, s_lng = lat + rng.uniform(-0.06, 0.06), lng + rng.uniform(-0.06, 0.06)
            street = {"name": place_name(rng.choice(["街道", "街道", "街道", "镇"])), "kind": PlaceKind.STREET,
                      "code": f"{region}{s + 1:03d}", "lat": s_lat, "lng": s_lng, "address": address(d_name),
                      "parent": district}
            rows.append(street)
            for a in range(areas_per_street[street_index]):
                kind = _weighted(rng, AREA_KIND_WEIGHTS)
                area = {"name": place_name(rng.choice(AREA_SUFFIXES[kind])), "kind": kind,
                        "code": f"{street['code']}{a + 1:03d}", "lat": s_lat + rng.uniform(-0.02, 0.02),
                        "lng": s_lng + rng.uniform(-0.02, 0.02), "address": address(d_name), "parent": street}
                rows.append(area)
                if kind == PlaceKind.PARK:
                    labels = [f"{n}号楼" for n in range(1, rng.randint(2, 8) + 1)]
                elif kind == PlaceKind.COMMERCIAL_BUILDING and rng.random() < 0.2:
                    labels = ["A座", "B座", "C座"][: rng.randint(2, 3)]
                else:
                    labels = []
                for b, label in enumerate(labels):
                    rows.append({"name": label, "kind": PlaceKind.BUILDING, "code": f"{area['code']}{b + 1:02d}",
                                 "lat": area["lat"] + rng.uniform(-0.002, 0.002),
                                 "lng": area["lng"] + rng.uniform(-0.002, 0.002),
                                 "address": f"{area['address']}{label}", "parent": area})
            street_index += 1

    next_id = ctx.allocate_ids(Place, len(rows))
    by_key: dict[int, AreaInfo] = {}
    for row in rows:
        row["id"], next_id = next_id, next_id + 1
        parent = row["parent"]
        # The same fields Place.compute_tree_fields() would set.
        row["path"] = f"{parent['path'] if parent else '/'}{row['id']}/"
        row["depth"] = parent["depth"] + 1 if parent else 0
        if row["kind"] == PlaceKind.DISTRICT:
            row["district_id"], row["street_id"] = row["id"], None
            ctx.district_ids.append(row["id"])
            ctx.district_region[row["id"]] = row["code"]
            ctx.district_name[row["id"]] = row["name"]
        elif row["kind"] == PlaceKind.STREET:
            row["district_id"], row["street_id"] = parent["district_id"], row["id"]
            ctx.street_ids.append(row["id"])
            ctx.street_name[row["id"]] = row["name"]
            ctx.street_district[row["id"]] = parent["district_id"]
        else:
            row["district_id"], row["street_id"] = parent["district_id"], parent["street_id"]
        if row["kind"] in AREA_SUFFIXES:
            info = AreaInfo(row["id"], row["name"], row["kind"], row["district_id"], row["street_id"], row["path"])
            ctx.areas.append(info)
            by_key[row["id"]] = info
        elif row["kind"] == PlaceKind.BUILDING:
            by_key[parent["id"]].children.append(row["id"])

    objects = (
        Place(id=row["id"], name=row["name"], kind=row["kind"],
              parent_id=row["parent"]["id"] if row["parent"] else None, code=row["code"], address=row["address"],
              lat=_coord(row["lat"]), lng=_coord(row["lng"]),
              path=row["path"], depth=row["depth"], district_id=row["district_id"], street_id=row["street_id"])
        for row in rows
    )
    return ctx.insert(Place, objects, len(rows), "places")


def _stage_instructors(ctx: Context) -> int:
    """One party-building instructor (党建指导员) account per street, for work coverage; unusable passwords."""
    User = get_user_model()
    wanted = {f"{INSTRUCTOR_PREFIX}{ctx.street_district[s]}_{s}": s for s in ctx.street_ids}
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    new = []
    for username in wanted:
        if username not in existing:
            user = User(username=username, first_name="党建指导员", is_active=True)
            user.set_unusable_password()
            new.append(user)
    ctx.insert(User, new, len(new), "instructors")
    for username, pk in User.objects.filter(username__in=wanted).values_list("username", "pk"):
        ctx.instructor_by_street[wanted[username]] = pk
    return len(new)


def _stage_enterprises(ctx: Context) -> int:
    rng = ctx.rng("enterprises")
    scale, today = ctx.scale, ctx.today
    cfg = settings.JICENG
    pulls = list(accumulate(AREA_PULL[a.kind] * rng.lognormvariate(0, 0.9) for a in ctx.areas))
    industries = [i for i, _ in INDUSTRY_WEIGHTS]
    industry_cum = list(accumulate(w for _, w in INDUSTRY_WEIGHTS))
    # A permutation of the 9-character subject code space (31**9) keeps every credit code unique.
    space = len(USCC_CHARSET) ** 9
    stride, offset = 1_000_003 * 7919, rng.randrange(space)  # stride is coprime with 31
    used_names: set[str] = set()
    first = ctx.allocate_ids(Enterprise, scale.enterprises)

    def company_name(industry: str) -> str:
        phrases = INDUSTRY_PHRASES.get(industry, ["实业"])

        def make() -> str:
            return (f"上海{rng.choice(BRAND_FIRST)}{rng.choice(BRAND_SECOND)}{rng.choice(phrases)}"
                    f"{_weighted(rng, COMPANY_SUFFIXES)}")

        return _unique_name(used_names, make)

    def generate() -> Iterator[Enterprise]:
        for i in range(scale.enterprises):
            pk = first + i
            area_index = bisect(pulls, rng.random() * pulls[-1])
            area = ctx.areas[area_index]
            place_id = rng.choice(area.children) if area.children and rng.random() < 0.85 else area.id
            district_name = ctx.district_name[area.district_id]
            if rng.random() < 0.06:
                kind, ownership, industry = EnterpriseKind.SOCIAL_ORG, Ownership.NONPROFIT, Industry.S
                name = _unique_name(used_names, lambda d=district_name: (
                    f"上海市{d}{rng.choice(PLACE_FIRST)}{rng.choice(PLACE_SECOND)}{rng.choice(SOCIAL_ORG_PHRASES)}"))
                employees = max(1, int(rng.lognormvariate(1.8, 1.0)))
                prefix = rng.choice(["51", "52"])
                must_cover = employees >= cfg["COVERAGE_SOCIAL_ORG_MIN_STAFF"]
            else:
                kind, ownership = EnterpriseKind.ENTERPRISE, _weighted(rng, OWNERSHIP_WEIGHTS)
                industry = industries[bisect(industry_cum, rng.random() * industry_cum[-1])]
                name = company_name(industry)
                employees = max(1, min(50_000, int(rng.lognormvariate(2.4, 1.6))))
                prefix = "91"
                must_cover = (ownership in (Ownership.PRIVATE, Ownership.FOREIGN, Ownership.HMT)
                              and employees >= cfg["COVERAGE_ENTERPRISE_MIN_EMPLOYEES"])
            first17 = prefix + ctx.district_region[area.district_id] + _base31((offset + i * stride) % space, 9)
            established = today - dt.timedelta(days=rng.randint(90, 365 * 25))
            lease_end = None
            if area.kind in (PlaceKind.PARK, PlaceKind.COMMERCIAL_BUILDING) and rng.random() < 0.85:
                lease_end = today + dt.timedelta(days=rng.randint(-60, 3 * 365))
            floor = rng.randint(1, 30)
            unit_no = f"{floor}{rng.randint(1, 30):02d}室"
            contact_name = _person_name(rng, rng.random() < 0.5)
            name_pinyin, name_initials = pinyin_keys(name)
            ctx.enterprises.append(EnterpriseInfo(pk, name, area_index, place_id, employees, must_cover,
                                                  established))
            yield Enterprise(
                id=pk, name=name, name_pinyin=name_pinyin, name_initials=name_initials,
                credit_code=first17 + uscc_check_char(first17), kind=kind, ownership=ownership,
                industry=industry, employees=employees, unit_no=unit_no, lease_end=lease_end,
                registered_address=f"上海市{district_name}{rng.choice(ROADS)}路{rng.randint(1, 2000)}号",
                actual_address=f"{area.name}{unit_no}", contact_name=contact_name, contact_phone=_mobile(rng),
                place_id=place_id, district_id=area.district_id, street_id=area.street_id,
            )

    return ctx.insert(Enterprise, generate(), scale.enterprises, "enterprises")


def _person_name(rng: random.Random, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    while True:
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
        name = rng.choice(SURNAMES) + given
        if name not in RESERVED_NAMES:
            return name


def _mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _branch_name(enterprise_name: str) -> str:
    for suffix, _weight in COMPANY_SUFFIXES:
        if enterprise_name.endswith(suffix):
            return f"{enterprise_name.removesuffix(suffix)}党支部"
    return f"{enterprise_name}党支部"


def _term(rng: random.Random, today: dt.date, established: dt.date, years: int) -> tuple[dt.date, dt.date]:
    """An election date within the last term and the term end computed from it (as Organization.save does)."""
    start = max(established, today - dt.timedelta(days=rng.randint(0, 365 * years - 1)))
    return start, add_years(start, years)


def _stage_organizations(ctx: Context) -> int:
    """A committee per street; independent branches for large enterprises, joint branches for small ones."""
    rng = ctx.rng("organizations")
    today = ctx.today
    max_units = settings.JICENG["JOINT_BRANCH_MAX_UNITS"]
    by_area: dict[int, list[EnterpriseInfo]] = {}
    for ent in ctx.enterprises:
        by_area.setdefault(ent.area, []).append(ent)

    # Plan which enterprises are covered, and by which kind of branch.
    planned: list[tuple[str, int, list[EnterpriseInfo]]] = []  # (kind, area index, covered enterprises)
    base = ctx.scale.coverage_rate
    for area_index in sorted(by_area):
        joint: list[EnterpriseInfo] = []
        for ent in by_area[area_index]:
            chance = 0.88 if ent.must_cover else base - 0.03
            if rng.random() >= chance:
                continue
            if ent.employees >= 300 or (ent.employees >= 50 and rng.random() < 0.2):
                planned.append((OrgKind.BRANCH, area_index, [ent]))
            else:
                joint.append(ent)
        while joint:
            size = min(len(joint), max_units, rng.choice([3, 4, 5, 5]))
            if len(joint) - size == 1:  # never leave a joint branch of one behind
                size = len(joint) if len(joint) <= max_units else size - 1
            group, joint = joint[:size], joint[size:]
            planned.append((OrgKind.JOINT_BRANCH if len(group) > 1 else OrgKind.BRANCH, area_index, group))

    terms = term_years()
    years = terms[OrgKind.COMMITTEE]
    total = 2 * len(ctx.street_ids) + len(planned)
    next_id = ctx.allocate_ids(Organization, total)
    objects: list[Organization] = []
    for street_id in ctx.street_ids:
        established = today - dt.timedelta(days=rng.randint(365 * 5, 365 * 20))
        start, end = _term(rng, today, established, years)
        committee = next_id
        ctx.committee_by_street[street_id] = committee
        ctx.orgs[committee] = OrgInfo(committee, street_id, f"/{committee}/", established)
        name = f"{ctx.street_name[street_id]}两新组织综合党委"
        objects.append(Organization(
            id=committee, name=name, kind=OrgKind.COMMITTEE, parent=None, transfer_authority=True,
            path=f"/{committee}/", place_id=street_id, district_id=ctx.street_district[street_id],
            street_id=street_id, established=established, term_start=start, term_end=end,
        ))
        next_id += 1
        start, end = _term(rng, today, established, terms[OrgKind.BRANCH])
        ctx.direct_branch_by_street[street_id] = next_id
        ctx.orgs[next_id] = OrgInfo(next_id, street_id, f"/{committee}/{next_id}/", established)
        objects.append(Organization(
            id=next_id, name=f"{name}直属党支部", kind=OrgKind.BRANCH, parent_id=committee,
            path=f"/{committee}/{next_id}/", place_id=street_id, district_id=ctx.street_district[street_id],
            street_id=street_id, established=established, term_start=start, term_end=end,
        ))
        next_id += 1
    joint_counter: dict[int, int] = {}
    for kind, area_index, group in planned:
        area = ctx.areas[area_index]
        committee = ctx.committee_by_street[area.street_id]
        if kind == OrgKind.JOINT_BRANCH:
            joint_counter[area_index] = joint_counter.get(area_index, 0) + 1
            name, place_id = f"{area.name}第{joint_counter[area_index]}联合党支部", area.id
        else:
            name, place_id = _branch_name(group[0].name), group[0].place_id
        established = max(e.established for e in group) + dt.timedelta(days=rng.randint(30, 720))
        established = min(established, today - dt.timedelta(days=7))
        start, end = _term(rng, today, established, terms[kind])
        path = f"/{committee}/{next_id}/"
        ctx.orgs[next_id] = OrgInfo(next_id, area.street_id, path, established)
        for ent in group:
            ctx.org_of_enterprise[ent.id] = next_id
        objects.append(Organization(
            id=next_id, name=name, kind=kind, parent_id=committee, path=path, place_id=place_id,
            district_id=area.district_id, street_id=area.street_id, established=established, term_start=start,
            term_end=end,
        ))
        next_id += 1
    # A few organizations are overdue for re-election (换届): their term ended without a new one recorded.
    overdue = ctx.rng("overdue terms")
    for org in objects:
        if overdue.random() < 0.03:
            years = terms[org.kind]
            start = today - dt.timedelta(days=overdue.randint(365 * years + 2, 365 * years + 400))
            if start >= org.established:
                org.term_start, org.term_end = start, add_years(start, years)
    return ctx.insert(Organization, objects, total, "organizations")


def _stage_coverage(ctx: Context) -> int:
    """Coverage rows for the planned branches; instructors (work coverage) for a fifth of the rest."""
    rng = ctx.rng("coverage")
    rows = [Coverage(organization_id=org_id, enterprise_id=ent_id, since=ctx.orgs[org_id].established)
            for ent_id, org_id in ctx.org_of_enterprise.items()]
    written = ctx.insert(Coverage, rows, len(rows), "coverage")
    uncovered = [e for e in ctx.enterprises if e.id not in ctx.org_of_enterprise]
    by_street: dict[int, list[int]] = {}
    for ent in uncovered:
        if rng.random() < 0.2:
            by_street.setdefault(ctx.areas[ent.area].street_id, []).append(ent.id)
    for street_id, ids in by_street.items():
        for chunk in bulk.batches(ids, 900):
            Enterprise.objects.filter(pk__in=chunk).update(instructor_id=ctx.instructor_by_street[street_id])
    return written


def _stage_members(ctx: Context) -> int:
    rng = ctx.rng("members")
    scale, today = ctx.scale, ctx.today
    n = scale.members
    # A pool of distinct names drawn with a long tail (common names recur, as in life), so the pinyin keys
    # are computed once per distinct name.
    pool_size = max(50, min(40_000, n // 6))
    seen: set[str] = set()
    pool: list[tuple[str, str]] = []
    while len(pool) < pool_size:
        male = rng.random() < 0.55
        name = _person_name(rng, male)
        if name not in seen:
            seen.add(name)
            pool.append((name, Gender.MALE if male else Gender.FEMALE))
    pool_cum = list(accumulate(1 / (rank + 1) ** 0.5 for rank in range(pool_size)))
    keys: dict[str, tuple[str, str]] = {}

    # Members work where the people are: employers drawn in proportion to employees; 10% have none
    # (residents, retirees) and sit in the street committee's 直属党支部, like those whose employer has no branch.
    emp_cum = list(accumulate(e.employees for e in ctx.enterprises))
    areas_per_street = Counter(a.street_id for a in ctx.areas)
    street_cum = list(accumulate(1 + areas_per_street[s] for s in ctx.street_ids))
    regions = [ctx.district_region[d] for d in ctx.district_ids]
    used_ids: set[str] = set()
    first = ctx.allocate_ids(Member, n)
    # Its own stream: adding occupations left every other seeded value as it was.
    occupation_rng = ctx.rng("member-occupations")
    working = [(o, w) for o, w in OCCUPATION_WEIGHTS if o not in (Occupation.RETIRED, Occupation.STUDENT)]

    def occupation(age_days: int) -> str:
        if age_days >= 60 * 365 and occupation_rng.random() < 0.85:
            return Occupation.RETIRED
        if age_days < 25 * 365 and occupation_rng.random() < 0.3:
            return Occupation.STUDENT
        return _weighted(occupation_rng, working)

    def id_number(birth: dt.date, male: bool) -> str:
        while True:
            region = rng.choice(regions) if rng.random() < 0.7 else rng.choice(OTHER_REGIONS)
            first17 = f"{region}{birth:%Y%m%d}{2 * rng.randrange(500) + int(male):03d}"
            number = first17 + id_number_check_digit(first17)
            if number not in used_ids:
                used_ids.add(number)
                return number

    def generate() -> Iterator[dict[str, Any]]:
        for i in range(n):
            pk = first + i
            name, gender = pool[bisect(pool_cum, rng.random() * pool_cum[-1])]
            if name not in keys:
                keys[name] = pinyin_keys(name)
            name_pinyin, name_initials = keys[name]
            age_days = int(365.25 * min(85, max(19, rng.gauss(42, 13)))) + rng.randint(0, 364)
            birth = today - dt.timedelta(days=age_days)
            adult = add_years(birth, 18)
            if rng.random() < 0.05:  # joined within the last year: probationary
                join = today - dt.timedelta(days=rng.randint(1, 360))
                join = max(join, adult)
                status, full_date = MemberStatus.PROBATIONARY, None
            else:
                span = max(1, (today - adult).days - 366)
                join = adult + dt.timedelta(days=int(span * rng.random() ** 0.7))
                status, full_date = MemberStatus.FULL, add_years(join, 1)
            employer = None
            if rng.random() >= 0.10:
                employer = ctx.enterprises[bisect(emp_cum, rng.random() * emp_cum[-1])]
            if employer is not None and employer.id in ctx.org_of_enterprise:
                org_id = ctx.org_of_enterprise[employer.id]
            elif employer is not None:
                org_id = ctx.direct_branch_by_street[ctx.areas[employer.area].street_id]
            else:
                org_id = ctx.direct_branch_by_street[
                    ctx.street_ids[bisect(street_cum, rng.random() * street_cum[-1])]]
            org = ctx.orgs[org_id]
            if status == MemberStatus.FULL:
                org.full_members += 1
                if len(org.first_members) < 5:
                    org.first_members.append(pk)
            district = ctx.district_name[ctx.street_district[org.street_id]]
            yield dict(
                id=pk, name=name, name_pinyin=name_pinyin, name_initials=name_initials, gender=gender,
                ethnicity="汉族" if rng.random() < 0.94 else rng.choice(ETHNIC_MINORITIES), birth_date=birth,
                id_number=id_number(birth, gender == Gender.MALE), phone=_mobile(rng),
                education=_weighted(rng, EDUCATION_WEIGHTS), occupation=occupation(age_days), join_date=join,
                full_date=full_date, status=status,
                organization_id=org_id, employer_id=employer.id if employer else None,
                residence=f"上海市{district}{rng.choice(ROADS)}路{rng.randint(1, 999)}弄{rng.randint(1, 60)}号",
                is_mobile=rng.random() < 0.05,
                households_contacted=rng.choice([0, 0, 0, 0, 5, 10, 20, 50]),
            )

    with bulk.indexes_deferred(Member):
        return ctx.insert_dicts(Member, generate(), n, "members")


def _stage_committees(ctx: Context) -> int:
    """Committee seats for most organizations big enough to need one, and each seated org's secretary."""
    rng = ctx.rng("committees")
    threshold = settings.JICENG["COMMITTEE_MIN_FULL_MEMBERS"]
    positions = [CommitteePosition.SECRETARY, CommitteePosition.ORGANIZATION, CommitteePosition.PROPAGANDA,
                 CommitteePosition.DISCIPLINE, CommitteePosition.DEPUTY]
    seats: list[CommitteeMember] = []
    secretaries: list[Organization] = []
    for org in ctx.orgs.values():
        if org.full_members >= threshold and len(org.first_members) >= 3 and rng.random() < 0.8:
            size = rng.randint(3, len(org.first_members))
            for member_id, position in zip(org.first_members[:size], positions, strict=False):
                seats.append(CommitteeMember(organization_id=org.id, member_id=member_id, position=position))
            secretaries.append(Organization(id=org.id, secretary_id=org.first_members[0]))
        elif org.first_members and rng.random() < 0.7:
            secretaries.append(Organization(id=org.id, secretary_id=org.first_members[0]))
    written = ctx.insert(CommitteeMember, seats, len(seats), "committee seats")
    Organization.objects.bulk_update(secretaries, ["secretary"], batch_size=500)
    return written


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Context], int]


# The order matters (later stages read what earlier ones left in the context). Append new stages here.
def _stage_rollups(ctx: Context) -> int:
    """The screen's demand roll-ups (jiceng.screen.rollups): bulk inserts send no signals, so they are counted
    once at the end, as `jiceng rollups --rebuild` does."""
    from jiceng.screen import rollups

    with ctx._bar(Demand.objects.count(), "rollups") as bar:
        return rollups.rebuild(progress=bar.update)


STAGES: list[Stage] = [
    Stage("places", _stage_places),
    Stage("instructors", _stage_instructors),
    Stage("enterprises", _stage_enterprises),
    Stage("organizations", _stage_organizations),
    Stage("coverage", _stage_coverage),
    Stage("members", _stage_members),
    Stage("committees", _stage_committees),
    Stage("demands", stage_demands),
    Stage("attendance", stage_attendance),
    Stage("stations", stage_stations),
    Stage("departments", stage_departments),
    Stage("rollups", _stage_rollups),
]
# Targets in the contract that no stage writes yet (their apps do not exist): name → Scale attribute.
PENDING_TARGETS = {"demands": "demands", "attendance": "attendance"}


def seed(scale: str | Scale, *, seed: int = 1, today: dt.date | None = None, progress: bool = True,
         progress_file: IO[str] | None = None) -> SeedResult:
    """Generate a whole city (or the small `demo` version) into an empty registry. Raises SeedError."""
    if isinstance(scale, str):
        if scale not in SCALES:
            raise SeedError(f"未知规模 {scale!r}（可选：{', '.join(SCALES)}）")
        scale = SCALES[scale]
    existing = Enterprise.objects.count()
    if existing:
        raise SeedError(
            f"数据库中已有 {existing} 个两新组织，seed 只写入空库，以免与现有数据混在一起。"
            "请换一个空数据库（例如设置新的 JICENG_DATA_DIR）后再运行。"
            f" / The database already holds {existing} enterprises; seed only writes into an empty registry."
        )
    if not 1 <= scale.districts <= len(DISTRICTS) or scale.streets < scale.districts or scale.areas < scale.streets:
        raise SeedError(f"规模 {scale.name} 不合理：区 1–{len(DISTRICTS)} 个，街道不少于区，园区楼宇不少于街道。")
    ctx = Context(scale=scale, seed=seed, today=today or timezone.localdate(), progress=progress,
                  progress_file=progress_file or sys.stderr)
    result = SeedResult(scale=scale, seed=seed)
    stage_names = {stage.name for stage in STAGES}
    result.pending = {name: getattr(scale, attr) for name, attr in PENDING_TARGETS.items()
                      if name not in stage_names and getattr(scale, attr)}
    with transaction.atomic(), _large_page_cache():
        if connection.vendor == "postgresql":
            # Ids are allocated here (max + n): keep other writers out of these tables until commit.
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table)
                               for m in (Place, Enterprise, Organization, Member, Demand, Activity))
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")  # noqa: S608 - table names, no input
        for stage in STAGES:
            started = time.perf_counter()
            rows = stage.run(ctx)
            result.stages.append(StageResult(stage.name, rows, time.perf_counter() - started))
        _reset_sequences([Place, Enterprise, Organization, Member, Demand, Activity])
    started = time.perf_counter()
    analyze([Place, Enterprise, Organization, Coverage, Member, CommitteeMember, Demand, Activity, Attendance,
             Rating])
    result.stages.append(StageResult("analyze", 0, time.perf_counter() - started))
    return result


@contextmanager
def _large_page_cache() -> Iterator[None]:
    """On SQLite, a 512 MB page cache while seeding (default 2 MB): every insert touches a dozen indexes in
    random order, and with the default cache most of those index pages are read back from disk each time."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (saved,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -524288")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(saved)}")


def analyze(models_: list[type[models.Model]]) -> None:
    """Refresh the planner's statistics for these tables (a bulk load leaves them empty or stale).

    Without statistics SQLite picks the two-valued `members.status` index for the coverage report's joins
    and runs them several times slower. On PostgreSQL, VACUUM also sets the visibility map, without which
    index-only scans are priced as heap scans and a street's member count becomes a 300,000-row scan
    (90 ms instead of 2 ms) until autovacuum gets round to it. VACUUM cannot run inside a transaction,
    so within one (e.g. in tests) only ANALYZE runs.
    """
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models_]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            cursor.execute(f"{verb} {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _reset_sequences(models_: list[type[models.Model]]) -> None:
    """Explicit primary keys do not advance PostgreSQL sequences; move them past the new rows."""
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def table_counts() -> dict[str, int]:
    """Row counts of what the seed writes (for reports and the benchmark header)."""
    return {
        "places": Place.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "organizations": Organization.objects.count(),
        "coverage": Coverage.objects.count(),
        "members": Member.objects.count(),
        "committee seats": CommitteeMember.objects.count(),
        "activities": Activity.objects.count(),
        "attendance": Attendance.objects.count(),
    }


__all__ = ["BATCH_SIZE", "SCALES", "STAGES", "Context", "Scale", "SeedError", "SeedResult", "Stage", "seed",
           "table_counts"]
