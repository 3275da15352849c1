"""Small factories for tests: valid codes and IDs generated deterministically."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from jiceng.accounts.models import ROLE_TARGET, Role, RoleAssignment
from jiceng.core.validators import USCC_CHARSET, make_id_number, make_uscc
from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member, MemberStatus
from jiceng.organizations.models import Coverage, Organization, OrgKind
from jiceng.places.models import Place, PlaceKind

_seq = itertools.count(1)


def uscc(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    body = "91310000"
    digits = ""
    for _ in range(9):
        n, r = divmod(n, len(USCC_CHARSET))
        digits = USCC_CHARSET[r] + digits
    return make_uscc(body + digits)


def id_number(n: int | None = None, birth: dt.date = dt.date(1990, 5, 17), male: bool = True) -> str:
    n = next(_seq) if n is None else n
    region = f"{310100 + (n // 500) % 99:06d}"
    return make_id_number(region, birth, n % 500, male)


def place(name: str, kind: str, parent: Place | None = None, **kw) -> Place:
    return Place.objects.create(name=name, kind=kind, parent=parent, **kw)


def district_tree(prefix: str = "") -> dict[str, Place]:
    """A district with two streets, each with a park holding a building and a unit."""
    d = place(f"{prefix}杨浦区", PlaceKind.DISTRICT)
    s1 = place(f"{prefix}五角场街道", PlaceKind.STREET, d)
    s2 = place(f"{prefix}殷行街道", PlaceKind.STREET, d)
    p1 = place(f"{prefix}创智天地", PlaceKind.PARK, s1)
    p2 = place(f"{prefix}殷行园区", PlaceKind.PARK, s2)
    b1 = place(f"{prefix}创智天地1号楼", PlaceKind.BUILDING, p1)
    b2 = place(f"{prefix}殷行2号楼", PlaceKind.BUILDING, p2)
    return {"district": d, "street1": s1, "street2": s2, "park1": p1, "park2": p2, "building1": b1, "building2": b2}


def enterprise(at: Place, name: str | None = None, **kw) -> Enterprise:
    n = next(_seq)
    kw.setdefault("employees", 10)
    return Enterprise.objects.create(name=name or f"企业{n}", credit_code=uscc(n), place=at, **kw)


def organization(at: Place, name: str | None = None, kind: str = OrgKind.BRANCH, parent=None, **kw) -> Organization:
    return Organization.objects.create(name=name or f"党支部{next(_seq)}", kind=kind, place=at, parent=parent, **kw)


def cover(org: Organization, ent: Enterprise) -> Coverage:
    return Coverage.objects.create(organization=org, enterprise=ent)


def member(org: Organization, name: str = "张三", **kw) -> Member:
    n = next(_seq)
    kw.setdefault("birth_date", dt.date(1990, 5, 17))
    kw.setdefault("gender", "M")
    kw.setdefault("join_date", dt.date(2015, 7, 1))
    kw.setdefault("status", MemberStatus.FULL)
    kw.setdefault("phone", f"138{n:08d}")
    ident = kw.pop("id_number", None) or id_number(n, kw["birth_date"], kw["gender"] == "M")
    return Member.objects.create(name=name, organization=org, id_number=ident, **kw)


def user(username: str, role: str | None = None, target=None, *, superuser: bool = False):
    User = get_user_model()
    u = User.objects.create_user(username=username, password="pass-12345", is_superuser=superuser,
                                 is_staff=superuser)
    if role:
        RoleAssignment.objects.create(user=u, role=role, **{ROLE_TARGET[Role(role)]: target})
    return u
