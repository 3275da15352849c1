"""The demo district (演示数据), modelled on the source articles in design/seeds.

- 杨浦区 五角场街道 创智天地: 195 internet enterprises, 5 joint + 8 independent branches covering 148
  of them (seed 000), with the gaps the reports are meant to show (must-cover, 应建未建, no committee,
  term ending soon, work coverage by a building worker).
- 黄浦区 豫园街道: a small-commodities market whose members each keep contact with 50 business
  households (seed 001) and a commercial building.
- 静安区 静安寺街道 高和大厦: a commercial building with a 日资 company whose lease is about to end,
  and a service station (seed 003).
- 浦东新区 陆家嘴街道 嘉兴大厦: 93 enterprises, about 800 employees and 70 members.

`load_demo()` is idempotent: the 创智天地 park is the marker, so a second run only makes sure the demo
users and their role assignments exist. Everything is deterministic (random.Random(2016)) except
dates, which are relative to today so the "due soon" lists always have something in them.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from jiceng.accounts.models import ROLE_TARGET, Role, RoleAssignment
from jiceng.core.dates import add_years
from jiceng.core.names import FEMALE_CHARS, MALE_CHARS, RESERVED_NAMES, SURNAMES
from jiceng.core.validators import USCC_CHARSET, make_id_number, make_uscc
from jiceng.enterprises.models import Enterprise, EnterpriseKind, Ownership
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

PASSWORD = "jiceng-demo"  # noqa: S105 - published demo credentials, printed by `jiceng demo`
SEED = 2016  # the year of seed 000
DEMO_EMAIL_DOMAIN = "demo.jiceng.invalid"  # .invalid is reserved (RFC 2606): these addresses never deliver

DISTRICT_YP, STREET_WJC, PARK_CZ = "杨浦区", "五角场街道", "创智天地"
DISTRICT_HP, STREET_YY = "黄浦区", "豫园街道"
MARKET_YY, BUILDING_FY = "豫园小商品市场", "福佑商务大厦"
DISTRICT_JA, STREET_JAS, BUILDING_GH = "静安区", "静安寺街道", "高和大厦"
DISTRICT_PD, STREET_LJZ, BUILDING_JX = "浦东新区", "陆家嘴街道", "嘉兴大厦"

# Occupations by the kind of branch (党内统计's categories): a park's internet companies employ engineers and
# managers; a market's members are stallholders and their staff (其他职业人员, 工人).
OCCUPATION_WEIGHTS = {
    "office": [(Occupation.PROFESSIONAL, 6), (Occupation.MANAGER, 3), (Occupation.WORKER, 1)],
    "overseas": [(Occupation.PROFESSIONAL, 5), (Occupation.MANAGER, 4), (Occupation.OTHER, 1)],
    "market": [(Occupation.OTHER, 6), (Occupation.WORKER, 3), (Occupation.MANAGER, 1)],
}

PANDA_BRANCH = "攀达科技党支部"
PANDA_COMPANY = "上海攀达信息科技有限公司"

# Region codes (GB/T 2260) used in credit codes and ID numbers.
REGION = {DISTRICT_YP: "310110", DISTRICT_HP: "310101", DISTRICT_JA: "310106", DISTRICT_PD: "310115"}
SHANGHAI_REGIONS = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112",
                    "310113", "310115", "310103", "310108"]
OTHER_REGIONS = ["320102", "320583", "330102", "340104", "360102", "370102", "410105", "420102",
                 "430102", "510104", "610113", "230102", "210102", "350102", "130102", "450103"]

ETHNIC_MINORITIES = ["回族", "满族", "蒙古族", "朝鲜族", "土家族", "壮族"]

BRAND_FIRST = list("云智数星蓝极易优创联汇鼎瑞博锐启拓恒昊翼微灵睿盛众新维卓嘉思凌泛格朗奇跃聚合方果酷乐趣悦安信达")
BRAND_SECOND = list("帆象桥图链泽石峰川岳翎途码迅擎树海辰光谷原森澜驰捷腾越科邦航宸曜畅逸衡极")
# Real, well-known brands that a random pair could spell: skipped so the demo stays fictional.
BRAND_BLACKLIST = {"百度", "阿里", "网易", "携程", "盛大", "京东", "美团", "滴滴", "字节", "易果", "优图", "智图"}
INDUSTRY_PHRASES: dict[str, list[str]] = {
    "I": ["信息科技", "网络科技", "软件", "数据科技", "智能科技", "互联网科技", "数字科技", "信息技术", "云计算科技",
          "电子商务", "网络技术", "计算机科技"],
    "L": ["商务咨询", "企业管理咨询", "人力资源", "广告", "会展服务"],
    "J": ["投资管理", "资产管理", "融资租赁"],
    "M": ["工程设计", "检测技术", "环境科技", "生物科技"],
    "K": ["房地产经纪", "物业管理"],
    "F": ["贸易", "国际贸易", "商贸"],
    "R": ["文化传播", "文化传媒"],
}
MARKET_GOODS = ["饰品", "工艺品", "玩具", "箱包", "丝巾", "文具", "小商品", "礼品", "纽扣", "发饰", "钟表", "眼镜",
                "玉器", "茶具", "服饰辅料"]
MARKET_SUFFIX = ["商行", "经营部", "商店", "店"]
RESIDENCE_ROADS = {
    "杨浦区": ["国和路", "政通路", "淞沪路", "殷行路", "控江路", "黄兴路"],
    "虹口区": ["四平路", "曲阳路", "大连西路"],
    "宝山区": ["共和新路", "长江西路", "殷高西路"],
    "黄浦区": ["福佑路", "河南南路", "方浜中路", "人民路"],
    "静安区": ["愚园路", "常德路", "延安中路", "北京西路"],
    "浦东新区": ["东方路", "浦东南路", "张杨路", "世纪大道", "崂山路"],
    "闵行区": ["莘庄路", "七莘路"],
    "徐汇区": ["漕溪北路", "田林路"],
}


def _d(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _validated(obj: models.Model) -> models.Model:
    """Run the model's own validation the way a form would (non-editable fields are the model's business)."""
    obj.full_clean(exclude=[f.name for f in obj._meta.fields if not f.editable])
    obj.save()
    return obj


class _Builder:
    """Creates the demo records; all randomness comes from one seeded generator."""

    def __init__(self, instructor, today: dt.date) -> None:
        self.rng = random.Random(SEED)
        # Occupations (党内统计) draw from their own stream, so adding them left every other demo value as it was.
        self.occupation_rng = random.Random(f"{SEED}:occupation")
        self.today = today
        self.instructor = instructor
        self.term_years = term_years()
        # Never collide with data already in the database (the demo may be loaded next to real data).
        self.used_codes = set(Enterprise.objects.values_list("credit_code", flat=True))
        self.used_ids = set(Member.objects.values_list("id_number", flat=True))
        self.used_phones = set(Member.objects.exclude(phone="").values_list("phone", flat=True))
        self.used_person_names: set[str] = set(RESERVED_NAMES)
        self.used_company_names = set(Enterprise.objects.values_list("name", flat=True))
        self.used_brands: set[str] = {"攀达"}

    # --- generators -------------------------------------------------------------------------
    def person_name(self, gender: str, unique: bool = True) -> str:
        for _ in range(1000):
            surname = self.rng.choices(SURNAMES, weights=[1 / (i + 8) for i in range(len(SURNAMES))])[0]
            chars = MALE_CHARS if gender == Gender.MALE else FEMALE_CHARS
            given = "".join(self.rng.choice(chars) for _ in range(1 if self.rng.random() < 0.35 else 2))
            name = surname + given
            if name in RESERVED_NAMES or (unique and name in self.used_person_names):
                continue
            if unique:
                self.used_person_names.add(name)
            return name
        raise RuntimeError("人名生成失败")

    def phone(self) -> str:
        prefixes = ["139", "138", "137", "136", "135", "150", "151", "152", "158", "159", "186", "187", "188",
                    "189", "180", "181", "177", "133", "153", "199"]
        while True:
            number = self.rng.choice(prefixes) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def brand(self) -> str:
        while True:
            brand = self.rng.choice(BRAND_FIRST) + self.rng.choice(BRAND_SECOND)
            if brand[0] != brand[1] and brand not in self.used_brands and brand not in BRAND_BLACKLIST:
                self.used_brands.add(brand)
                return brand

    def company_name(self, industry: str, ownership: str = Ownership.PRIVATE) -> str:
        while True:
            phrase = self.rng.choice(INDUSTRY_PHRASES[industry])
            brand = self.brand()
            # Foreign-invested companies conventionally put the city in brackets after the brand.
            if ownership in (Ownership.FOREIGN, Ownership.HMT):
                name = f"{brand}{phrase}（上海）有限公司"
            else:
                name = f"上海{brand}{phrase}有限公司"
            if name not in self.used_company_names:
                self.used_company_names.add(name)
                return name

    def household_name(self) -> str:
        while True:
            name = (f"上海市黄浦区{self.brand()}{self.rng.choice(MARKET_GOODS)}"
                    f"{self.rng.choice(MARKET_SUFFIX)}")
            if name not in self.used_company_names:
                self.used_company_names.add(name)
                return name

    def credit_code(self, prefix: str, region: str) -> str:
        """Registration authority + kind ("91" company, "92" individual household, "52" civil non-profit)."""
        while True:
            body = "MA1" + "".join(self.rng.choice(USCC_CHARSET) for _ in range(6))
            code = make_uscc(f"{prefix}{region}{body}")
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def id_number(self, birth: dt.date, male: bool, mobile: bool) -> str:
        while True:
            if mobile or self.rng.random() < 0.3:
                region = self.rng.choice(OTHER_REGIONS)
            else:
                region = self.rng.choice(SHANGHAI_REGIONS)
            number = make_id_number(region, birth, self.rng.randrange(500), male)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def residence(self) -> str:
        district = self.rng.choice(list(RESIDENCE_ROADS))
        road = self.rng.choice(RESIDENCE_ROADS[district])
        return f"上海市{district}{road}{self.rng.randint(10, 1200)}弄{self.rng.randint(1, 40)}号"

    # --- places -----------------------------------------------------------------------------
    def place(self, name: str, kind: str, parent: Place | None, lat: float, lng: float, address: str = "") -> Place:
        # Reuse an existing place of that name (e.g. a real 杨浦区 already entered) instead of duplicating it.
        existing = Place.objects.filter(parent=parent, name=name).first()
        if existing:
            return existing
        return _validated(Place(name=name, kind=kind, parent=parent, lat=_d(lat), lng=_d(lng), address=address))

    # --- enterprises ------------------------------------------------------------------------
    def enterprise(self, at: Place, name: str, *, region: str, industry: str, employees: int,
                   address: str, ownership: str = Ownership.PRIVATE, kind: str = EnterpriseKind.ENTERPRISE,
                   prefix: str = "91", lease_end: dt.date | None = None, instructor=None,
                   unit_no: str | None = None, contact_name: str | None = None) -> Enterprise:
        unit_no = unit_no or f"{self.rng.randint(2, 18)}{self.rng.randint(1, 12):02d}室"
        if lease_end is None and self.rng.random() < 0.75:
            # Keep ordinary leases clear of the "ending soon" window so the planted ones stand out.
            lease_end = self.today + dt.timedelta(days=self.rng.randint(150, 1100))
        actual = f"{address}{unit_no}"
        # Some companies register elsewhere (centralized registration in 崇明) but work here.
        registered = (f"上海市崇明区城桥镇东门路{self.rng.randint(1, 400)}号{self.rng.randint(1, 30)}室"
                      if self.rng.random() < 0.1 else actual)
        return _validated(Enterprise(
            name=name, place=at, credit_code=self.credit_code(prefix, region), kind=kind, ownership=ownership,
            industry=industry, employees=employees, unit_no=unit_no, lease_end=lease_end,
            registered_address=registered, actual_address=actual,
            contact_name=contact_name or self.person_name(self.rng.choice(Gender.values), unique=False),
            contact_phone=self.phone(), instructor=instructor,
        ))

    # --- organizations ----------------------------------------------------------------------
    def org(self, name: str, kind: str, place: Place, parent: Organization | None, *, established: dt.date,
            term_end: dt.date | None = None, end_date: dt.date | None = None) -> Organization:
        """The term's end is computed from the election date (term_start); `term_end` asks for a term that ends
        then, so the election date is set that many years before it."""
        years = self.term_years.get(kind)
        if not years:
            term_start = None
        elif term_end is None:
            # A term that started 5–47 months ago: its end is well past the warning window.
            term_start = max(established, self.today - dt.timedelta(days=self.rng.randint(150, 1430)))
        else:
            term_start = add_years(term_end, -years)
            established = min(established, term_start)
        # Committees are base committees with the authority to issue transfer letters (组织关系接转).
        return _validated(Organization(name=name, kind=kind, place=place, parent=parent, established=established,
                                       term_start=term_start, end_date=end_date,
                                       transfer_authority=kind == OrgKind.COMMITTEE))

    def cover(self, org: Organization, enterprises: Iterable[Enterprise]) -> None:
        for ent in enterprises:
            _validated(Coverage(organization=org, enterprise=ent, since=org.established))

    def members(self, org: Organization, count: int, *, full: int, employers: Sequence[Enterprise] = (),
                mobile: int = 0, households: int = 0, profile: str = "office",
                named: Sequence[tuple[str, str]] = ()) -> list[Member]:
        """`count` members, the first `full` of them full members (named ones first, so they can be officers)."""
        pool = list(employers)
        self.rng.shuffle(pool)
        created = []
        for i in range(count):
            is_full = i < full
            name, gender = named[i] if i < len(named) else (None, None)
            gender = gender or (Gender.MALE if self.rng.random() < 0.58 else Gender.FEMALE)
            name = name or self.person_name(gender)
            # Mobile members are the last ones, and come from outside Shanghai.
            is_mobile = i >= count - mobile
            if is_full:
                birth = self.date_between(dt.date(1960, 1, 1), dt.date(1996, 12, 31))
                join = self.date_between(max(add_years(birth, 20), dt.date(1982, 7, 1)),
                                         self.today - dt.timedelta(days=420))
                full_date = add_years(join, 1)
            else:
                # Probationary: joined within the last year, so typically young.
                birth = self.date_between(dt.date(1988, 1, 1), dt.date(2000, 12, 31))
                join = self.today - dt.timedelta(days=self.rng.randint(20, 340))
                full_date = None
            if profile == "market":
                education = self.rng.choices(
                    [Education.COLLEGE, Education.SECONDARY, Education.BASIC], weights=[2, 5, 3])[0]
            else:
                education = self.rng.choices(
                    [Education.POSTGRADUATE, Education.BACHELOR, Education.COLLEGE, Education.SECONDARY],
                    weights=[5 if profile == "overseas" else 2, 5, 2, 1])[0]
            occupations, weights = zip(*OCCUPATION_WEIGHTS.get(profile, OCCUPATION_WEIGHTS["office"]), strict=True)
            occupation = self.occupation_rng.choices(occupations, weights=weights)[0]
            created.append(_validated(Member(
                name=name, gender=gender, occupation=occupation,
                ethnicity=self.rng.choice(ETHNIC_MINORITIES) if self.rng.random() < 0.05 else "汉族",
                birth_date=birth, id_number=self.id_number(birth, gender == Gender.MALE, is_mobile),
                phone=self.phone(), education=education, join_date=join, full_date=full_date,
                status=MemberStatus.FULL if is_full else MemberStatus.PROBATIONARY,
                organization=org, employer=pool[i % len(pool)] if pool else None,
                residence=self.residence(), is_mobile=is_mobile, households_contacted=households,
            )))
        return created

    def committee(self, org: Organization, size: int, pool: Sequence[Member] | None = None) -> None:
        """Seat `size` full members (1 = a secretary only); the first becomes the organization's secretary."""
        positions = {
            1: [CommitteePosition.SECRETARY],
            3: [CommitteePosition.SECRETARY, CommitteePosition.ORGANIZATION, CommitteePosition.PROPAGANDA],
            5: [CommitteePosition.SECRETARY, CommitteePosition.DEPUTY, CommitteePosition.ORGANIZATION,
                CommitteePosition.PROPAGANDA, CommitteePosition.DISCIPLINE],
            7: [CommitteePosition.SECRETARY, CommitteePosition.DEPUTY, CommitteePosition.ORGANIZATION,
                CommitteePosition.PROPAGANDA, CommitteePosition.DISCIPLINE, CommitteePosition.MEMBER,
                CommitteePosition.MEMBER],
        }[size]
        if pool is None:
            pool = list(org.members.filter(status=MemberStatus.FULL).order_by("pk"))
        seats = list(pool)[:size]
        for member, position in zip(seats, positions, strict=True):
            _validated(CommitteeMember(organization=org, member=member, position=position))
        org.secretary = seats[0]
        _validated(org)

    def party_groups(self, org: Organization, count: int) -> None:
        """`count` party groups (党小组) under a large branch (支部工作条例 第十一条: 党员人数较多的党支部可划分
        若干党小组); members stay in the branch (their relationship is with it, not with a group)."""
        ordinals = ["第一", "第二", "第三", "第四"]
        for ordinal in ordinals[:count]:
            _validated(Organization(name=f"{ordinal}党小组", kind=OrgKind.PARTY_GROUP, place=org.place, parent=org,
                                    established=org.established))

    # --- the demo ---------------------------------------------------------------------------
    def build(self) -> None:
        self.yangpu()
        self.huangpu()
        self.jingan()
        self.pudong()

    def yangpu(self) -> None:
        rng, today, region = self.rng, self.today, REGION[DISTRICT_YP]
        district = self.place(DISTRICT_YP, PlaceKind.DISTRICT, None, 31.259541, 121.526077, "上海市杨浦区江浦路")
        street = self.place(STREET_WJC, PlaceKind.STREET, district, 31.301100, 121.514500, "上海市杨浦区国和路")
        park = self.place(PARK_CZ, PlaceKind.PARK, street, 31.304200, 121.509300, "上海市杨浦区淞沪路")
        self.place("五角场青年社区党群服务站", PlaceKind.STATION, street, 31.299400, 121.516200,
                   "上海市杨浦区政通路")
        offsets = [(0.0008, -0.0010), (0.0012, 0.0004), (0.0004, 0.0014), (-0.0006, 0.0011),
                   (-0.0011, -0.0002), (-0.0004, -0.0013), (0.0017, -0.0005), (-0.0015, 0.0009)]
        buildings = [
            self.place(f"创智天地{i}号楼", PlaceKind.BUILDING, park, 31.304200 + dy, 121.509300 + dx,
                       f"上海市杨浦区淞沪路{270 + 2 * i}号")
            for i, (dy, dx) in enumerate(offsets, start=1)
        ]

        def company(name: str | None = None, *, employees: int, ownership: str = Ownership.PRIVATE,
                    instructor=None, building: Place | None = None, **kw) -> Enterprise:
            building = building or rng.choice(buildings)
            return self.enterprise(
                building, name or self.company_name("I", ownership), region=region, industry="I",
                employees=employees, ownership=ownership, instructor=instructor, address=building.address, **kw)

        def small_ownership() -> str:
            roll = rng.random()
            return Ownership.PRIVATE if roll < 0.9 else Ownership.HMT if roll < 0.95 else Ownership.FOREIGN

        street_committee = self.org("五角场街道党工委", OrgKind.COMMITTEE, street, None,
                                    established=dt.date(2001, 7, 1))
        park_committee = self.org("创智天地园区综合党委", OrgKind.COMMITTEE, park, street_committee,
                                  established=dt.date(2014, 6, 18))

        # Eight independent branches, each in its own (larger) enterprise.
        independent = [
            # brand, phrase, employees, members, full, committee seats (0: secretary only)
            ("攀达", "信息科技", 86, 13, 11, 5),
            ("云帆", "网络科技", 120, 9, 8, 1),  # 7+ full members but only a secretary: the no-committee gap
            ("智象", "数据科技", 65, 7, 5, 1),
            ("锐思", "软件", 150, 12, 10, 5),
            ("星河", "互动娱乐科技", 95, 8, 7, 3),
            ("蓝鲸", "云计算科技", 210, 15, 13, 5),
            ("拾光", "信息技术", 58, 5, 4, 1),
            ("瀚海", "智能科技", 72, 6, 5, 1),
        ]
        short_names = {"攀达": "攀达科技", "云帆": "云帆网络", "智象": "智象数据", "锐思": "锐思软件",
                       "星河": "星河互动", "蓝鲸": "蓝鲸云", "拾光": "拾光信息", "瀚海": "瀚海智能"}
        panda_named = [("王立新", Gender.MALE), ("林晓雯", Gender.FEMALE), ("张三", Gender.MALE)]
        self.used_person_names.update(name for name, _gender in panda_named)
        for brand, phrase, employees, count, full, seats in independent:
            self.used_brands.add(brand)
            name = f"上海{brand}{phrase}有限公司"
            self.used_company_names.add(name)
            building = buildings[0] if brand == "攀达" else rng.choice(buildings)
            contact = "林晓雯" if brand == "攀达" else None
            ent = company(name, employees=employees, building=building, contact_name=contact)
            org = self.org(f"{short_names[brand]}党支部", OrgKind.BRANCH, building, park_committee,
                           established=self.date_between(dt.date(2012, 3, 1), dt.date(2016, 6, 30)))
            self.cover(org, [ent])
            self.members(org, count, full=full, employers=[ent], profile="office",
                         named=panda_named if brand == "攀达" else ())
            self.committee(org, seats)

        # Five joint branches covering 140 smaller enterprises (148 covered in all, as in seed 000).
        incubators = ["上海创智云谷众创空间管理有限公司", "上海五角场创业苗圃孵化器管理有限公司",
                      "上海星火众创空间管理有限公司", "上海智汇湾科技企业孵化器有限公司"]
        self.used_company_names.update(incubators)
        joint = [
            # name, enterprises, members, full, mobile, committee seats, profile, term ending soon
            ("杨浦区通信技术联合会联合党支部", 30, 26, 23, 0, 5, "office", False),
            ("五角场街道互联网企业联合党支部", 40, 38, 33, 5, 5, "office", False),
            ("腾讯众创空间联合党支部", 28, 24, 20, 2, 3, "office", True),
            ("海外人才基地联合党支部", 22, 18, 16, 0, 3, "overseas", False),
            ("创智天地青年创业联合党支部", 20, 14, 11, 1, 3, "office", False),
        ]
        for name, n_ent, count, full, mobile, seats, profile, ending in joint:
            ents = []
            for i in range(n_ent):
                incubator = None
                if name in ("腾讯众创空间联合党支部", "创智天地青年创业联合党支部") and i < 2:
                    incubator = incubators.pop(0)
                ents.append(company(incubator, employees=rng.randint(3, 45), ownership=small_ownership()))
            org = self.org(name, OrgKind.JOINT_BRANCH, park, park_committee,
                           established=self.date_between(dt.date(2014, 9, 1), dt.date(2016, 5, 31)),
                           term_end=today + dt.timedelta(days=41) if ending else None)
            self.cover(org, ents)
            self.members(org, count, full=full, employers=ents, mobile=mobile, profile=profile,
                         named=[("李四", Gender.MALE)] if name.startswith("五角场") else ())
            self.committee(org, seats)
            if count >= 25:  # the two largest joint branches meet in party groups too
                self.party_groups(org, 3 if count >= 30 else 2)

        # 47 enterprises without an organization.
        # Must-cover gaps: non-public, 50+ employees, no organization.
        for employees, ownership in ((52, Ownership.PRIVATE), (68, Ownership.PRIVATE), (75, Ownership.HMT),
                                     (110, Ownership.FOREIGN)):
            company(employees=employees, ownership=ownership)
        # 应建未建: four full members work here; with no branch of their own, their relationship sits with a joint
        # branch of the park (never with the park committee itself: members belong to branches, decision 039).
        self.used_company_names.add("上海数联智算科技有限公司")
        shulian = company("上海数联智算科技有限公司", employees=38)
        youth_branch = Organization.objects.get(name="创智天地青年创业联合党支部", parent=park_committee)
        self.members(youth_branch, 4, full=4, employers=[shulian])
        # Work coverage: the building worker is the party-building instructor of fourteen more.
        for _ in range(14):
            company(employees=rng.randint(5, 40), ownership=small_ownership(), instructor=self.instructor)
        for _ in range(47 - 4 - 1 - 14):
            company(employees=rng.randint(2, 30), ownership=small_ownership())

        # The park committee's members are the branch secretaries; the street committee has its own
        # cadres whose records are elsewhere, so it gets no seats here.
        secretaries = list(Member.objects.filter(
            pk__in=park_committee.descendants().exclude(secretary=None).values("secretary")).order_by("pk"))
        self.committee(park_committee, 7, pool=secretaries)

        # A temporary branch for the renovation of the 五角场 underpass (a project of six months or more gets
        # one, 支部工作条例 第二章); its work ended last month and it has not been dissolved yet: the structure
        # check of the coverage report lists it.
        temporary = self.org("五角场下沉广场改造项目临时党支部", OrgKind.TEMPORARY_BRANCH, street, street_committee,
                             established=today - dt.timedelta(days=400), end_date=today - dt.timedelta(days=30))
        self.members(temporary, 3, full=3)

    def huangpu(self) -> None:
        rng, region = self.rng, REGION[DISTRICT_HP]
        district = self.place(DISTRICT_HP, PlaceKind.DISTRICT, None, 31.231706, 121.484596, "上海市黄浦区延安东路")
        street = self.place(STREET_YY, PlaceKind.STREET, district, 31.227000, 121.492000, "上海市黄浦区河南南路")
        market = self.place(MARKET_YY, PlaceKind.MARKET, street, 31.226200, 121.491100, "上海市黄浦区福佑路")
        tower = self.place(BUILDING_FY, PlaceKind.COMMERCIAL_BUILDING, street, 31.228500, 121.489500,
                           "上海市黄浦区人民路")
        self.place("豫园街道党群服务站", PlaceKind.STATION, street, 31.227500, 121.492500, "上海市黄浦区方浜中路")
        street_committee = self.org("豫园街道党工委", OrgKind.COMMITTEE, street, None, established=dt.date(2000, 7, 1))

        # The market: its management company and 29 business households (个体工商户) in one joint branch.
        ents = [self.enterprise(market, "上海豫园小商品市场经营管理有限公司", region=region, industry="L",
                                employees=45, address="上海市黄浦区福佑路", unit_no="管理办公室")]
        for _ in range(29):
            ents.append(self.enterprise(
                market, self.household_name(), region=region, industry="F", employees=rng.randint(1, 6),
                prefix="92", address="上海市黄浦区福佑路", unit_no=f"{rng.choice('ABCD')}区{rng.randint(1, 320)}号"))
        market_branch = self.org("豫园小商品市场联合党支部", OrgKind.JOINT_BRANCH, market, street_committee,
                                 established=dt.date(2009, 5, 12))
        self.cover(market_branch, ents)
        # Seed 001: each member keeps contact with 50 business households.
        self.members(market_branch, 12, full=11, employers=ents, households=50, profile="market")
        self.committee(market_branch, 5)

        # The commercial building: one independent branch, one joint branch of five small units, 14 uncovered.
        industries = ["L", "J", "M", "I", "K", "F", "R"]

        def company(employees: int, industry: str | None = None) -> Enterprise:
            industry = industry or rng.choice(industries)
            return self.enterprise(tower, self.company_name(industry), region=region, industry=industry,
                                   employees=employees, address=tower.address)

        big = company(62, "J")
        branch = self.org(f"{big.name.removeprefix('上海').removesuffix('有限公司')}党支部", OrgKind.BRANCH, tower,
                          street_committee, established=dt.date(2015, 7, 1))
        self.cover(branch, [big])
        self.members(branch, 9, full=8, employers=[big])
        self.committee(branch, 3)
        small = [company(rng.randint(4, 25)) for _ in range(5)]
        joint = self.org(f"{BUILDING_FY}联合党支部", OrgKind.JOINT_BRANCH, tower, street_committee,
                         established=dt.date(2016, 4, 20))
        self.cover(joint, small)
        self.members(joint, 6, full=5, employers=small)
        self.committee(joint, 1)
        company(55)  # a must-cover gap in Huangpu too
        for _ in range(13):
            company(rng.randint(2, 35))

    def jingan(self) -> None:
        rng, today, region = self.rng, self.today, REGION[DISTRICT_JA]
        district = self.place(DISTRICT_JA, PlaceKind.DISTRICT, None, 31.228800, 121.454000, "上海市静安区常德路")
        street = self.place(STREET_JAS, PlaceKind.STREET, district, 31.223000, 121.445000, "上海市静安区愚园路")
        tower = self.place(BUILDING_GH, PlaceKind.COMMERCIAL_BUILDING, street, 31.224300, 121.447600,
                           "上海市静安区延安中路")
        self.place("高和大厦党群服务站", PlaceKind.STATION, tower, 31.224300, 121.447600, "上海市静安区延安中路")
        street_committee = self.org("静安寺街道党工委", OrgKind.COMMITTEE, street, None,
                                    established=dt.date(2000, 7, 1))
        tower_committee = self.org(f"{BUILDING_GH}联合党委", OrgKind.COMMITTEE, tower, street_committee,
                                   established=dt.date(2013, 10, 15))
        industries = ["L", "J", "M", "I", "R", "F"]

        def company(employees: int, industry: str | None = None, ownership: str = Ownership.PRIVATE,
                    **kw) -> Enterprise:
            industry = industry or rng.choice(industries)
            name = kw.pop("name", None) or self.company_name(industry, ownership)
            return self.enterprise(tower, name, region=region, industry=industry, employees=employees,
                                   ownership=ownership, address=tower.address, **kw)

        # Seed 003: a 日资 company whose lease ends within two months — the five-colour risk example.
        self.used_company_names.add("樱井商事（上海）有限公司")
        company(36, "F", Ownership.FOREIGN, name="樱井商事（上海）有限公司",
                lease_end=today + dt.timedelta(days=45), unit_no="2108室")
        self.used_company_names.add("上海市静安区楼宇白领服务中心")
        company(12, "S", Ownership.NONPROFIT, name="上海市静安区楼宇白领服务中心", kind=EnterpriseKind.SOCIAL_ORG,
                prefix="52")
        for n, (employees, count, full) in enumerate(((80, 9, 8), (64, 6, 5)), start=1):
            ent = company(employees)
            org = self.org(f"{ent.name.removeprefix('上海').removesuffix('有限公司')}党支部", OrgKind.BRANCH,
                           tower, tower_committee, established=dt.date(2014 + n, 3, 1))
            self.cover(org, [ent])
            self.members(org, count, full=full, employers=[ent])
            self.committee(org, 3 if full >= 7 else 1)
        for ordinal, count, full in (("第一", 9, 8), ("第二", 8, 7)):
            ents = [company(rng.randint(3, 30)) for _ in range(5)]
            org = self.org(f"{BUILDING_GH}{ordinal}联合党支部", OrgKind.JOINT_BRANCH, tower, tower_committee,
                           established=dt.date(2015, 6, 30))
            self.cover(org, ents)
            self.members(org, count, full=full, employers=ents)
            self.committee(org, 3)
        company(68, ownership=Ownership.HMT)  # must-cover gap
        for _ in range(40 - 2 - 2 - 10 - 1):
            company(rng.randint(2, 35), instructor=self.instructor if rng.random() < 0.2 else None)
        self.committee(tower_committee, 5, pool=list(
            Member.objects.filter(organization__in=tower_committee.descendants(), status=MemberStatus.FULL)
            .order_by("pk")[:5]))

    def pudong(self) -> None:
        rng, today, region = self.rng, self.today, REGION[DISTRICT_PD]
        district = self.place(DISTRICT_PD, PlaceKind.DISTRICT, None, 31.221500, 121.544000,
                              "上海市浦东新区世纪大道")
        street = self.place(STREET_LJZ, PlaceKind.STREET, district, 31.235000, 121.505000, "上海市浦东新区崂山路")
        tower = self.place(BUILDING_JX, PlaceKind.COMMERCIAL_BUILDING, street, 31.233800, 121.510600,
                           "上海市浦东新区东方路")
        street_committee = self.org("陆家嘴街道党工委", OrgKind.COMMITTEE, street, None,
                                    established=dt.date(2000, 7, 1))
        tower_committee = self.org(f"{BUILDING_JX}联合党委", OrgKind.COMMITTEE, tower, street_committee,
                                   established=dt.date(2012, 11, 8))

        # 93 enterprises totalling exactly 800 employees: one of 60, the other 92 share 740.
        sizes = [rng.randint(2, 16) for _ in range(92)]
        while (diff := 740 - sum(sizes)) != 0:
            i = rng.randrange(len(sizes))
            step = 1 if diff > 0 else -1
            if 1 <= sizes[i] + step <= 45:
                sizes[i] += step
        industries = ["L", "J", "M", "I", "K", "F", "R"]

        def company(employees: int) -> Enterprise:
            industry = rng.choice(industries)
            return self.enterprise(tower, self.company_name(industry), region=region, industry=industry,
                                   employees=employees, address=tower.address)

        big = company(60)
        ents = [company(n) for n in sizes]
        branch = self.org(f"{big.name.removeprefix('上海').removesuffix('有限公司')}党支部", OrgKind.BRANCH, tower,
                          tower_committee, established=dt.date(2016, 3, 18))
        self.cover(branch, [big])
        self.members(branch, 12, full=11, employers=[big])
        self.committee(branch, 3)
        # 70 members in all: 12 + 22 + 20 + 16.
        for n, (ordinal, count, full, ending) in enumerate(
                (("第一", 22, 19, False), ("第二", 20, 18, True), ("第三", 16, 14, False))):
            covered = ents[n * 12:(n + 1) * 12]
            org = self.org(f"{BUILDING_JX}{ordinal}联合党支部", OrgKind.JOINT_BRANCH, tower, tower_committee,
                           established=dt.date(2013 + n, 7, 1),
                           term_end=today + dt.timedelta(days=75) if ending else None)
            self.cover(org, covered)
            self.members(org, count, full=full, employers=covered, mobile=2 if n == 2 else 0)
            self.committee(org, 5 if full >= 15 else 3)
            if n == 0:
                self.party_groups(org, 2)


# --- users and roles -----------------------------------------------------------------------------

# username, role (None: superuser), display name
DEMO_USERS: list[tuple[str, str | None, str]] = [
    ("admin", None, "系统管理员"),
    ("district_admin", Role.DISTRICT_ADMIN, "周敏"),
    ("street_staff", Role.STREET_STAFF, "陈静"),
    ("street_staff_2", Role.STREET_STAFF, "刘洋"),
    ("building_worker", Role.BUILDING_WORKER, "孙丽华"),
    ("building_head", Role.BUILDING_HEAD, "吴建国"),
    ("org_secretary", Role.ORG_SECRETARY, "王立新"),
    ("unit_contact", Role.UNIT_CONTACT, "林晓雯"),
    ("member", Role.MEMBER, "张三"),
    ("department_staff", Role.DEPARTMENT_STAFF, "赵磊"),
]


def _ensure_users() -> tuple[dict[str, Any], list[str]]:
    """Create the demo users that are missing; accounts that existed before the demo are left alone."""
    User = get_user_model()
    users, preexisting = {}, []
    hashed = None
    for username, role, display in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            # Hash once: password hashing is deliberately slow and would dominate the load time. The shared
            # salt reveals only that the passwords are equal, and this one is published anyway.
            hashed = hashed or make_password(PASSWORD)
            # The e-mail marks the account as the demo's own, so later runs know its password is the demo one.
            user = User(username=username, password=hashed, first_name=display,
                        email=f"{username}@{DEMO_EMAIL_DOMAIN}", is_staff=role is None, is_superuser=role is None)
            user.save()
        elif not user.email.endswith(f"@{DEMO_EMAIL_DOMAIN}"):
            preexisting.append(username)
        users[username] = user
    return users, preexisting


def _demo_park() -> Place | None:
    return Place.objects.filter(kind=PlaceKind.PARK, name=PARK_CZ, parent__name=STREET_WJC,
                                parent__parent__name=DISTRICT_YP).first()


def _role_targets() -> dict[str, Any]:
    """Each role user's scope, looked up by name so a second run finds what the first one made."""
    park = _demo_park()
    if park is None:
        return {}
    street = park.parent
    panda_branch = Organization.objects.filter(name=PANDA_BRANCH, street=street).first()
    return {
        "district_admin": street.parent,
        "street_staff": street,
        "street_staff_2": Place.objects.filter(kind=PlaceKind.STREET, name=STREET_YY,
                                               parent__name=DISTRICT_HP).first(),
        "building_worker": park,
        "building_head": Place.objects.filter(parent=park, name=f"{PARK_CZ}1号楼").first(),
        "org_secretary": panda_branch,
        "unit_contact": Enterprise.objects.filter(name=PANDA_COMPANY, place__path__startswith=park.path).first(),
        "member": Member.objects.filter(name="张三", organization=panda_branch).first() if panda_branch else None,
        "department_staff": _demo_department(),
    }


def _demo_department():
    """黄浦区投资促进办公室 (its district's departments are seeded here if missing: the login needs it)."""
    from jiceng.departments.demo import DEMO_DEPARTMENT, DISTRICT
    from jiceng.departments.models import Department
    from jiceng.departments.services import seed_departments

    district = Place.objects.filter(kind=PlaceKind.DISTRICT, name=DISTRICT, parent=None).first()
    if district is None:
        return None
    seed_departments(district)
    return Department.objects.filter(name=DEMO_DEPARTMENT, district=district).first()


def _ensure_roles(users: dict[str, Any]) -> list[tuple[str, str, str]]:
    logins = [("admin", "superuser", "全部")]
    targets = _role_targets()
    for username, role, _display in DEMO_USERS:
        if role is None:
            continue
        target = targets.get(username)
        if target is None:  # the demo data was partly deleted by hand: skip rather than fail
            continue
        RoleAssignment.objects.get_or_create(user=users[username], role=role, **{ROLE_TARGET[Role(role)]: target})
        logins.append((username, str(role), str(target)))
    return logins


# --- summary ---------------------------------------------------------------------------------------

def _summary_rows() -> list[dict[str, Any]]:
    from jiceng.organizations.coverage import coverage_report

    rows = []
    areas = [
        (DISTRICT_YP, STREET_WJC, PARK_CZ), (DISTRICT_HP, STREET_YY, MARKET_YY), (DISTRICT_HP, STREET_YY, BUILDING_FY),
        (DISTRICT_JA, STREET_JAS, BUILDING_GH), (DISTRICT_PD, STREET_LJZ, BUILDING_JX),
    ]
    for district, street, area in areas:
        place = Place.objects.filter(name=area, parent__name=street, parent__parent__name=district).first()
        if place is None:
            continue
        report = coverage_report(place)
        employees = (Enterprise.objects.filter(place__path__startswith=place.path)
                     .aggregate(n=models.Sum("employees"))["n"] or 0)
        rows.append({
            "place": f"{district}{street}{area}", "enterprises": report.enterprises, "employees": employees,
            "org_covered": report.org_covered, "work_covered": report.work_covered,
            "organizations": report.organizations, "joint_branches": report.joint_branches,
            "independent_branches": report.independent_branches, "members": report.members,
        })
    return rows


def _totals() -> dict[str, int]:
    districts = Place.objects.filter(kind=PlaceKind.DISTRICT, parent=None,
                                     name__in=[DISTRICT_YP, DISTRICT_HP, DISTRICT_JA, DISTRICT_PD])
    return {
        "places": Place.objects.filter(district__in=districts).count(),
        "enterprises": Enterprise.objects.filter(district__in=districts).count(),
        "organizations": Organization.objects.filter(district__in=districts).count(),
        "members": Member.objects.filter(organization__district__in=districts).count(),
        "users": get_user_model().objects.filter(username__in=[u for u, _r, _d in DEMO_USERS]).count(),
    }


# Later capabilities add their demo content here: each module's `load(users, today, say)` must itself be
# idempotent (find what an earlier run made, add only what is missing).
# The grids come before the activities: the 三会一课 of the demo's branches (grid branches included) are made there.
DEMO_EXTENSIONS = ("jiceng.grids.demo", "jiceng.matching.demo", "jiceng.venues.demo", "jiceng.activities.demo",
                   "jiceng.members.demo", "jiceng.members.demo_transfers", "jiceng.members.demo_dues",
                   "jiceng.demands.demo", "jiceng.risk.demo", "jiceng.governance.demo", "jiceng.stations.demo",
                   "jiceng.portal.demo", "jiceng.channels.demo", "jiceng.departments.demo")


def _run_extension(module_name: str, users: dict[str, Any], say) -> None:
    import importlib

    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        return
    module.load(users, timezone.localdate(), say)


def load_demo(stdout=None) -> dict[str, Any]:
    """Load the demo district once; later runs change nothing. Returns counts and the demo logins."""

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    with transaction.atomic():
        users, preexisting = _ensure_users()
        created = _demo_park() is None
        if created:
            say("正在载入演示数据（杨浦区五角场街道创智天地、黄浦区豫园街道、静安区高和大厦、浦东新区嘉兴大厦）……")
            _Builder(users["building_worker"], timezone.localdate()).build()
        else:
            say("演示数据已存在，未作改动。")
        logins = _ensure_roles(users)
        for extension in DEMO_EXTENSIONS:
            _run_extension(extension, users, say)
        if connection.vendor == "postgresql":
            # The planner knows nothing of tables just filled; with every table estimated at one row it chose
            # nested loops that ran for minutes over the demo's few thousand dues payments. (ANALYZE may run
            # inside the transaction; VACUUM may not.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    summary = {
        "created": created,
        "password": PASSWORD,
        "logins": logins,
        "preexisting_users": preexisting,
        "areas": _summary_rows(),
        "totals": _totals(),
    }
    if created:
        totals = summary["totals"]
        say(f"已载入：地域 {totals['places']} 个，两新组织 {totals['enterprises']} 家，"
            f"党组织 {totals['organizations']} 个，党员 {totals['members']} 名。")
    return summary
