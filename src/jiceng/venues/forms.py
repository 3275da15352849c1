"""Venue forms: they parse input; the rules live in models.py and services.py."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import ScopedModelForm
from jiceng.demands.forms import style
from jiceng.enterprises.models import Enterprise
from jiceng.organizations.models import Organization
from jiceng.places.models import Place, PlaceKind

from .choices import Equipment, Weekday
from .models import MAX_CAPACITY, PHOTO_MAX_BYTES, PHOTO_TYPES, Room, managed_rooms_q

# Above this many choices a select list is unusable: the field becomes a text box taking a code or number.
SELECT_LIMIT = 300


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class RoomForm(ScopedModelForm):
    equipment = forms.MultipleChoiceField(label=_("设备"), choices=Equipment.choices, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    open_weekdays = forms.MultipleChoiceField(label=_("开放日"), choices=Weekday.choices,
                                              widget=forms.CheckboxSelectMultiple,
                                              error_messages={"required": _("请至少选择一个开放日。")})

    class Meta:
        model = Room
        fields = ["place", "name", "capacity", "active", "opens_at", "closes_at", "open_weekdays", "equipment",
                  "equipment_note", "closed_on_holidays", "description"]
        widgets = {"opens_at": TimeInput(), "closes_at": TimeInput(),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Only places the user manages (below district level).
        places = Place.objects.filter(managed_rooms_q(user, "district", "street", "path"))
        self.fields["place"].queryset = places.exclude(kind=PlaceKind.DISTRICT).order_by("path")
        self.fields["place"].label_from_instance = lambda p: f"{p.name}({p.get_kind_display()})"
        if self.instance.pk:
            self.initial["open_weekdays"] = list(self.instance.open_weekdays)
        else:
            self.initial.setdefault("open_weekdays", list("12345"))
            station = places.filter(kind=PlaceKind.STATION).order_by("path").first()
            if station is not None:
                self.initial.setdefault("place", station.pk)
        for name in ("equipment", "open_weekdays"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_open_weekdays(self) -> str:
        return "".join(sorted(self.cleaned_data["open_weekdays"]))


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("照片"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{t}" for t in PHOTO_TYPES)}))
    caption = forms.CharField(label=_("说明"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request, so the hint is in the reader's language (not the one at import time).
        self.fields["file"].help_text = _("JPG、PNG 或 WebP,不超过 %(mb)d MB。") % {
            "mb": PHOTO_MAX_BYTES // (1024 * 1024)}
        style(self)


class BookingForm(forms.Form):
    """A request for one room on one day; field names match the service's error keys (start, end, …)."""

    date = forms.DateField(label=_("日期"), widget=forms.DateInput())
    start = forms.TimeField(label=_("开始时间"), widget=TimeInput())
    end = forms.TimeField(label=_("结束时间"), widget=TimeInput())
    purpose = forms.CharField(label=_("用途"), max_length=200,
                              help_text=_("例如:主题党日、支部党员大会、青年微党课。"))
    attendees = forms.IntegerField(label=_("参加人数"), min_value=1, max_value=MAX_CAPACITY)
    enterprise = forms.ModelChoiceField(label=_("借用单位"), queryset=Enterprise.objects.none(), required=False)
    organization = forms.ModelChoiceField(label=_("借用党组织"), queryset=Organization.objects.none(),
                                          required=False)

    def __init__(self, *args, user, room: Room, **kwargs):
        super().__init__(*args, **kwargs)
        self.room = room
        self.fields["attendees"].help_text = _("该房间最多容纳 %(n)d 人。") % {"n": room.capacity}
        self._unit_field("enterprise", Enterprise.objects.restrict(user).order_by("name"), "credit_code",
                         _("借用单位(统一社会信用代码)"))
        self._unit_field("organization", Organization.objects.restrict(user).order_by("path"), "pk",
                         _("借用党组织(编号)"))
        style(self)

    def _unit_field(self, name: str, queryset, key: str, long_label) -> None:
        field = self.fields[name]
        field.queryset = queryset
        count = queryset.count()
        if count > SELECT_LIMIT:
            field.to_field_name = None if key == "pk" else key
            field.widget = forms.TextInput()
            field.label = long_label
        elif count == 1:
            field.initial = queryset.first().pk

    def clean(self) -> dict:
        data = super().clean()
        day, start, end = data.get("date"), data.get("start"), data.get("end")
        if day and start and end:
            data["start_at"] = timezone.make_aware(dt.datetime.combine(day, start))
            data["end_at"] = timezone.make_aware(dt.datetime.combine(day, end))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("驳回或取消的理由")}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
