"""The place tree: district → street → area (park, building, community, market, village) → building → unit.

Each place keeps a materialized `path` ("/1/5/23/") for subtree queries and denormalized
`district`/`street` keys, so scoping and per-street lists are single indexed filters and a
distributed database can shard by district without cross-district joins.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core.geo import validate_lat, validate_lng
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager

# Sent with the list of places whose district/street may have changed after a move (the moved place first) and
# the moved place's path before the move (`old_path`).
subtree_moved = Signal()


class PlaceKind(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道/镇")
    PARK = "park", _("园区")
    COMMERCIAL_BUILDING = "commercial_building", _("商务楼宇")
    COMMUNITY = "community", _("居民区")
    MARKET = "market", _("商品市场")
    VILLAGE = "village", _("村")
    BUILDING = "building", _("楼栋")
    UNIT = "unit", _("楼层/单元")
    STATION = "station", _("党群服务站")
    MICRO_GRID = "micro_grid", _("微网格")


AREA_KINDS = (
    PlaceKind.PARK,
    PlaceKind.COMMERCIAL_BUILDING,
    PlaceKind.COMMUNITY,
    PlaceKind.MARKET,
    PlaceKind.VILLAGE,
)
# Where enterprises can be located (a building-like place or a unit in it).
ENTERPRISE_PLACE_KINDS = (*AREA_KINDS, PlaceKind.BUILDING, PlaceKind.UNIT)

# The tree's shape as data: which kinds may sit directly under which.
ALLOWED_PARENTS: dict[str, tuple[str | None, ...]] = {
    PlaceKind.DISTRICT: (None,),
    PlaceKind.STREET: (PlaceKind.DISTRICT,),
    **{kind: (PlaceKind.STREET,) for kind in AREA_KINDS},
    PlaceKind.BUILDING: AREA_KINDS,
    PlaceKind.UNIT: (*AREA_KINDS, PlaceKind.BUILDING),
    PlaceKind.STATION: (PlaceKind.STREET, *AREA_KINDS, PlaceKind.BUILDING),
    PlaceKind.MICRO_GRID: (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.VILLAGE),
}


class Place(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=PlaceKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("上级"),
    )
    code = models.CharField(_("编码"), max_length=32, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # WGS-84; conversion to GCJ-02/BD-09 happens at the edges (jiceng.core.geo).
    lat = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_lat]
    )
    lng = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_lng]
    )
    # Maintained by save() and services.move_place(); never edited by hand.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    district = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    street = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = HistoricalRecords(excluded_fields=["path", "depth", "district", "street"])

    objects = ScopedManager()
    # Roles that may create and edit these (within their scope).
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("地域")
        verbose_name_plural = _("地域")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="place_unique_name_under_parent"),
        ]

    def get_kind_display(self) -> str:
        # Django's version hashes every lazy choice label on each call: 0.1 s for a picker of the city's 500 places.
        try:
            return str(PlaceKind(self.kind).label)
        except ValueError:
            return self.kind

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope):
        q = scope.place_q("district", "street", "path")
        q |= models.Q(pk__in=scope.district_ids) | models.Q(pk__in=scope.street_ids)
        if scope.org_paths:
            from jiceng.organizations.models import Organization

            q |= models.Q(pk__in=Organization.objects.filter(scope.org_q("path")).values("place"))
        if scope.enterprise_ids:
            from jiceng.enterprises.models import Enterprise

            q |= models.Q(pk__in=Enterprise.objects.filter(pk__in=scope.enterprise_ids).values("place"))
        return q

    # --- tree -------------------------------------------------------------------------------
    def clean(self) -> None:
        allowed = ALLOWED_PARENTS.get(self.kind, ())
        parent_kind = self.parent.kind if self.parent_id else None
        if parent_kind not in allowed:
            if parent_kind is None:
                raise ValidationError({"parent": _("该类型的地域必须有上级。")})
            raise ValidationError(
                {
                    "parent": _("“%(kind)s”不能设在“%(parent)s”之下。")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )
        if self.pk and self.parent_id:
            if self.parent_id == self.pk or self.parent.path.startswith(self.path_for_self()):
                raise ValidationError({"parent": _("不能把地域移到它自己或它的下级之下。")})

    def path_for_self(self) -> str:
        """This place's stored path (from the database, not the possibly edited parent)."""
        return Place.objects.filter(pk=self.pk).values_list("path", flat=True).first() or ""

    def compute_tree_fields(self) -> None:
        parent = self.parent
        self.path = f"{parent.path if parent else '/'}{self.pk}/"
        self.depth = parent.depth + 1 if parent else 0
        if self.kind == PlaceKind.DISTRICT:
            self.district_id, self.street_id = self.pk, None
        elif self.kind == PlaceKind.STREET:
            self.district_id, self.street_id = parent.district_id if parent else None, self.pk
        else:
            self.district_id = parent.district_id if parent else None
            self.street_id = parent.street_id if parent else None

    def save(self, *args, **kwargs):
        old_path = self.path  # as loaded; empty for a new place
        with transaction.atomic():
            super().save(*args, **kwargs)
            old = (self.path, self.depth, self.district_id, self.street_id)
            self.compute_tree_fields()
            if (self.path, self.depth, self.district_id, self.street_id) != old:
                Place.objects.filter(pk=self.pk).update(
                    path=self.path, depth=self.depth, district_id=self.district_id, street_id=self.street_id
                )
            if old_path and old_path != self.path:
                self._rebase_subtree(old_path)

    def _rebase_subtree(self, old_path: str) -> None:
        """After a move, recompute the descendants' tree fields and tell located objects."""
        by_pk = {self.pk: self}
        moved = list(Place.objects.filter(path__startswith=old_path).exclude(pk=self.pk).order_by("depth"))
        for place in moved:
            place.parent = by_pk[place.parent_id]
            place.compute_tree_fields()
            by_pk[place.pk] = place
        Place.objects.bulk_update(moved, ["path", "depth", "district", "street"], batch_size=500)
        subtree_moved.send(sender=Place, places=[self, *moved], old_path=old_path)

    def ancestors(self) -> models.QuerySet[Place]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part][:-1]
        return Place.objects.filter(pk__in=ids).order_by("depth")

    def descendants(self, include_self: bool = False) -> models.QuerySet[Place]:
        qs = Place.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def get_absolute_url(self) -> str:
        return pk_url("places:place_detail", self.pk)


class Located(models.Model):
    """An object that sits at a place, with the place's district and street copied for fast scoping."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, verbose_name=_("所在地域"))
    district = models.ForeignKey(Place, null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    street = models.ForeignKey(Place, null=True, on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.place_id:
            self.district_id, self.street_id = self.place.district_id, self.place.street_id
        super().save(*args, **kwargs)

    @classmethod
    def resync_location(cls, places: list[Place]) -> None:
        for place in places:
            cls._default_manager.filter(place=place).update(
                district_id=place.district_id, street_id=place.street_id
            )
