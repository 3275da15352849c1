"""The one scoping mechanism: which objects a user may see.

A user's role assignments are folded into a `Scope` (places, organizations, enterprises, members
granted). Each scoped model says how a Scope maps onto its rows (`scope_q`), and
`ScopedQuerySet.restrict(user)` applies it. Every list, detail, search, export and API view goes
through `restrict`, so an object outside the scope is simply not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q


@dataclass
class Scope:
    everything: bool = False
    district_ids: set[int] = field(default_factory=set)
    street_ids: set[int] = field(default_factory=set)
    place_paths: set[str] = field(default_factory=set)
    # The part of place_paths granted by roles that may write there (building workers; building heads only read).
    worker_place_paths: set[str] = field(default_factory=set)
    org_paths: set[str] = field(default_factory=set)
    enterprise_ids: set[int] = field(default_factory=set)
    member_ids: set[int] = field(default_factory=set)
    department_ids: set[int] = field(default_factory=set)  # the departments a department user works for
    roles: set[str] = field(default_factory=set)
    user_id: int | None = None  # for "own" records (e.g. demands a user submitted)
    # Per-request memo for lookups a scope needs (the ids under its paths, see Demand.scope_q).
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def _ids_under(self, model_label: str, prefixes: set[str]) -> set[int]:
        """Ids of the rows of a path tree (places, organizations) under the granted path prefixes, fetched once
        per request and kept in the memo."""
        key = f"ids_under:{model_label}"
        if key not in self.memo:
            from django.apps import apps

            paths = Q(pk__in=[])
            for prefix in prefixes:
                paths |= Q(path__startswith=prefix)
            model = apps.get_model(model_label)
            self.memo[key] = set(model.objects.filter(paths).values_list("pk", flat=True)) if prefixes else set()
        return self.memo[key]

    @property
    def place_ids(self) -> set[int]:
        """The places under the granted place paths (a park: its buildings and units)."""
        return self._ids_under("places.Place", self.place_paths)

    @property
    def org_ids(self) -> set[int]:
        """The organizations under the granted organization paths (a committee: its branches and groups)."""
        return self._ids_under("organizations.Organization", self.org_paths)

    def place_q(self, district: str, street: str, path: str) -> Q:
        """Q for rows located by place: `district`/`street` are denormalized FK names, `path` a place path
        (`path` on the place itself, `<fk>__path` through a foreign key to it)."""
        q = Q(pk__in=[])
        if self.district_ids:
            q |= Q(**{f"{district}__in": self.district_ids})
        if self.street_ids:
            q |= Q(**{f"{street}__in": self.street_ids})
        if self.place_paths:
            # `<fk> IN (ids)` uses the foreign key's index; a prefix match on the joined place's path made the
            # database read every row (a park's demand list took 7 s among 1,000,000 demands).
            q |= Q(**{f"{_through(path)}__in": self.place_ids})
        return q

    def organization_q(self, prefix: str = "") -> Q:
        """Rows reached through a party organization (`prefix` = "organization__" etc.): by its place or its subtree."""
        return (self.place_q(f"{prefix}district", f"{prefix}street", f"{prefix}place__path")
                | self.org_q(f"{prefix}path"))

    def org_q(self, path: str) -> Q:
        """Q for rows reached through a party organization: `path` on the organization itself, `<fk>__path` through
        a foreign key to it. By id, for the index, as in place_q."""
        if not self.org_paths:
            return Q(pk__in=[])
        return Q(**{f"{_through(path)}__in": self.org_ids})


def _through(path: str) -> str:
    """`path` (the row's own) or `<fk>__path`: the lookup that matches the row by id, `pk` or `<fk>`."""
    return "pk" if path == "path" else path.removesuffix("__path")


def nothing() -> Q:
    return Q(pk__in=[])


def as_union(model: type[models.Model], q: Q) -> Q:
    """`a OR b OR c` rewritten as `pk IN (SELECT pk WHERE a UNION ALL SELECT pk WHERE b …)` (decision 031).

    A scope is an OR of conditions that each have their index (the branch's activities, its clubs', the public
    ones); SQLite answers the OR by reading the whole table in the list's date order and testing every row (a
    branch secretary's activity list: 0.7 s among 270,000). Each part of the union uses its own index, and the
    list then sorts the few rows found.
    """
    if q.connector != Q.OR or q.negated or len(q.children) < 2:
        return q
    children = [child if isinstance(child, Q) else Q(child) for child in q.children if child != ("pk__in", [])]
    if len(children) < 2:
        # One condition left: as it is (a subquery round it made PostgreSQL hash the whole table's ids).
        return children[0] if children else nothing()
    parts = [model._default_manager.filter(child).values("pk").order_by() for child in children]
    return Q(pk__in=parts[0].union(*parts[1:], all=True))


def scope_for(user) -> Scope:
    """Build (and cache on the user object for this request) the user's scope."""
    cached = getattr(user, "_jiceng_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user_id=user.pk if user.is_authenticated else None)
    if not user.is_authenticated or not user.is_active:
        pass
    elif user.is_superuser:
        scope.everything = True
    else:
        from jiceng.accounts.models import Role

        # The columns a scope is made of, not whole rows: this runs on every request.
        for role, place_id, place_path, organization_id, organization_path, enterprise_id, member_id, \
                department_id in user.role_assignments.values_list(
                    "role", "place_id", "place__path", "organization_id", "organization__path", "enterprise_id",
                    "member_id", "department_id"):
            scope.roles.add(role)
            if role == Role.DISTRICT_ADMIN and place_id:
                scope.district_ids.add(place_id)
            elif role == Role.STREET_STAFF and place_id:
                scope.street_ids.add(place_id)
            elif role in (Role.BUILDING_WORKER, Role.BUILDING_HEAD) and place_id:
                scope.place_paths.add(place_path)
                if role == Role.BUILDING_WORKER:
                    scope.worker_place_paths.add(place_path)
            elif role == Role.ORG_SECRETARY and organization_id:
                scope.org_paths.add(organization_path)
            elif role == Role.UNIT_CONTACT and enterprise_id:
                scope.enterprise_ids.add(enterprise_id)
            elif role == Role.MEMBER and member_id:
                scope.member_ids.add(member_id)
            elif role == Role.DEPARTMENT_STAFF and department_id:
                scope.department_ids.add(department_id)
    user._jiceng_scope = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user) -> ScopedQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        return self.filter(self.model.scope_q(scope))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


# --- may the user open an object's page? ------------------------------------------------------------------------
# Pages link only to what the reader may open (a link to a 404 also tells them the object exists): templates ask
# `{% if obj|visible_to:user %}` (core/templatetags/jiceng.py). Answers are cached on the user object for the
# request, like the scope; views that list many related objects prime the cache with one query per model.

def _visibility_cache(user) -> dict:
    cache = getattr(user, "_jiceng_visible", None)
    if cache is None:
        cache = user._jiceng_visible = {}
    return cache


def _scoped(model) -> bool:
    return hasattr(model._default_manager.all(), "restrict")


def prime_visibility(user, objects) -> None:
    """Find out in one query per model which of `objects` the user may open."""
    scope = scope_for(user)
    if scope.everything:
        return
    cache = _visibility_cache(user)
    wanted: dict[type, set] = {}
    for obj in objects:
        if obj is not None and obj.pk is not None and _scoped(type(obj)) and \
                (type(obj)._meta.label_lower, obj.pk) not in cache:
            wanted.setdefault(type(obj), set()).add(obj.pk)
    for model, pks in wanted.items():
        seen = set(model._default_manager.restrict(user).filter(pk__in=pks).values_list("pk", flat=True))
        for pk in pks:
            cache[model._meta.label_lower, pk] = pk in seen


def can_see(user, obj) -> bool:
    """Is `obj` in the user's scope, so that its page opens (unscoped models: yes)?"""
    if obj is None or obj.pk is None:
        return False
    if not _scoped(type(obj)) or scope_for(user).everything:
        return True
    key = (type(obj)._meta.label_lower, obj.pk)
    cache = _visibility_cache(user)
    if key not in cache:
        prime_visibility(user, [obj])
    return cache[key]
