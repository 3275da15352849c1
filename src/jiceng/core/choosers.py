"""Choosing a place, organization, enterprise or member by name in list filters (search-as-you-type).

A filter keeps its query parameter (`?street=5`, an id, so links, bookmarks and the API keep working); the page
draws it as a select that holds only the chosen option and "全部", and jiceng.js turns that select into a search
box backed by `choices/<kind>/?q=` (docs/decisions/047). Every name comes from `Model.objects.restrict(user)`, the
same scope as the lists themselves: the endpoint and the chosen option's label never name anything the user could
not already open (OWASP Top 10 A01 Broken Access Control; a search box is an enumeration oracle otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet

RESULTS = 20  # a search box shows a screenful; typing more narrows it


@dataclass(frozen=True)
class Chooser:
    model: str  # "app_label.Model"
    search: tuple[str, ...] = ("name",)
    pinyin: tuple[str, ...] = ()  # pinyin keys: an ASCII query matches them too (zs → 张三)
    pinyin_lookup: str = "startswith"
    related: tuple[str, ...] = ()
    hint: Callable[[Any], str] = field(default=lambda obj: "")

    def queryset(self, user) -> QuerySet:
        qs = apps.get_model(self.model).objects.restrict(user)
        return qs.select_related(*self.related) if self.related else qs

    def label(self, obj: Model) -> str:
        hint = self.hint(obj)
        return f"{obj.name} · {hint}" if hint else str(obj.name)

    def search_q(self, text: str) -> Q:
        q = Q()
        for name in self.search:
            q |= Q(**{f"{name}__icontains": text})
        key = text.replace(" ", "").lower()
        if self.pinyin and key.isascii() and key.isalpha():
            for name in self.pinyin:
                q |= Q(**{f"{name}__{self.pinyin_lookup}": key})
        return q


def _place_hint(place) -> str:
    """The parent's name tells apart the many "1号楼" of a street."""
    return place.parent.name if place.parent_id and place.parent else ""


CHOOSERS: dict[str, Chooser] = {
    "place": Chooser("places.Place", search=("name", "code"), related=("parent",), hint=_place_hint),
    "organization": Chooser("organizations.Organization", related=("street",),
                            hint=lambda org: org.street.name if org.street_id and org.street else ""),
    "enterprise": Chooser("enterprises.Enterprise", search=("name", "credit_code"),
                          pinyin=("name_pinyin", "name_initials"), pinyin_lookup="contains"),
    "member": Chooser("members.Member", pinyin=("name_pinyin", "name_initials"), related=("organization",),
                      hint=lambda m: m.organization.name if m.organization_id else ""),
    "department": Chooser("departments.Department", search=("name", "short_name"), related=("district",),
                          hint=lambda d: d.district.name if d.district_id else ""),
}


class BadChoice(ValueError):
    """Bad input to the search endpoint: the message names the parameter."""


def place_kinds(raw: str) -> tuple[str, ...]:
    from jiceng.places.models import PlaceKind

    kinds = tuple(k for k in (raw or "").split(",") if k)
    unknown = [k for k in kinds if k not in PlaceKind.values]
    if unknown:
        raise BadChoice(f"kinds: unknown place kind {unknown[0]!r}")
    return kinds


def search(kind: str, user, text: str = "", *, kinds: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Up to RESULTS {id, label} in the user's scope whose name (or pinyin) matches `text`, by name."""
    chooser = CHOOSERS[kind]
    qs = chooser.queryset(user)
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    text = (text or "").strip()[:50]
    if text:
        qs = qs.filter(chooser.search_q(text))
    return [{"id": obj.pk, "label": chooser.label(obj)} for obj in qs.order_by("name", "pk")[:RESULTS]]


def label_for(kind: str, user, pk: Any) -> str | None:
    """The chosen option's label, or None when it is not in the user's scope (or not a number)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    chooser = CHOOSERS[kind]
    obj = chooser.queryset(user).filter(pk=pk).first()
    return chooser.label(obj) if obj is not None else None
