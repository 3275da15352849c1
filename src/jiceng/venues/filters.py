from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import IntegerFilter, SearchFilterSet
from jiceng.places.models import Place

from .choices import BookingStatus, Equipment
from .models import Booking, Room


def _streets(request):
    if request is None:
        return Place.objects.none()
    return Place.objects.filter(pk__in=Room.objects.restrict(request.user).values("street")).order_by("path")


def _stations(request):
    if request is None:
        return Place.objects.none()
    return Place.objects.filter(pk__in=Room.objects.restrict(request.user).values("place")).order_by("path")


def _rooms(request):
    if request is None:
        return Room.objects.none()
    return Room.objects.restrict(request.user).select_related("place")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class RoomFilterSet(SearchFilterSet):
    search_fields = ("name", "place__name", "description", "equipment_note")
    street = django_filters.ModelChoiceFilter(queryset=_streets, label=_("街道"))
    place = django_filters.ModelChoiceFilter(queryset=_stations, label=_("服务站"))
    equipment = django_filters.ChoiceFilter(choices=Equipment.choices, method="filter_equipment", label=_("设备"))
    min_capacity = IntegerFilter(field_name="capacity", lookup_expr="gte", min_value=0, label=_("容纳人数≥"))
    active = django_filters.BooleanFilter(label=_("开放预约"))

    class Meta:
        model = Room
        fields = ["q", "street", "place", "equipment", "min_capacity", "active"]

    def filter_equipment(self, queryset, name, value):
        # Stored as a JSON list of codes; a quoted code matches exactly one element on SQLite and PostgreSQL.
        return queryset.filter(equipment__icontains=f'"{value}"')


class BookingFilterSet(SearchFilterSet):
    search_fields = ("purpose", "room__name", "room__place__name", "enterprise__name", "organization__name")
    status = django_filters.ChoiceFilter(choices=BookingStatus.choices, label=_("状态"))
    room = django_filters.ModelChoiceFilter(queryset=_rooms, label=_("房间"))
    street = django_filters.ModelChoiceFilter(queryset=_streets, field_name="room__street", label=_("街道"))
    date_from = django_filters.DateFilter(method="filter_from", label=_("日期自"))
    date_to = django_filters.DateFilter(method="filter_to", label=_("日期至"))

    class Meta:
        model = Booking
        fields = ["q", "status", "room", "street", "date_from", "date_to"]

    def filter_from(self, queryset, name, value):
        return queryset.filter(end__gt=_day_start(value))

    def filter_to(self, queryset, name, value):
        if value >= dt.date.max:
            return queryset  # no day after it; nothing can start later anyway
        return queryset.filter(start__lt=_day_start(value + dt.timedelta(days=1)))


class ApiBookingFilterSet(BookingFilterSet):
    """The API takes ids (the web list's selects become plain numbers)."""

    room = IntegerFilter(field_name="room_id", label=_("房间 ID"))
    street = IntegerFilter(field_name="room__street_id", label=_("街道 ID"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("我申请的"))

    class Meta(BookingFilterSet.Meta):
        fields = [*BookingFilterSet.Meta.fields, "mine"]

    def filter_mine(self, queryset, name, value):
        if self.request is None or value is None:
            return queryset
        mine = Q(requested_by=self.request.user)
        return queryset.filter(mine) if value else queryset.exclude(mine)


class ApiRoomFilterSet(RoomFilterSet):
    street = IntegerFilter(field_name="street_id", label=_("街道 ID"))
    place = IntegerFilter(method="filter_place", label=_("地域 ID(含下级)"))

    def filter_place(self, queryset, name, value):
        path = Place.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(place__path__startswith=path) if path else queryset.none()
