"""Forms of the activities pages. They parse input; the rules live in models and services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import ScopedModelForm
from jiceng.core.scoping import scope_for
from jiceng.members.models import Member
from jiceng.organizations.models import Organization
from jiceng.places.models import Place, PlaceKind

from . import services
from .models import Activity, Club, ClubMembership, ClubRole, MeetingRecord, Series, meeting_members
from .recurrence import WEEKDAY_CODES, Choice, Freq

# A select with more members than this becomes a member-number input.
SPEAKER_SELECT_LIMIT = 2000
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
WEEKDAY_LABELS = [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]
assert len(WEEKDAY_LABELS) == len(WEEKDAY_CODES)


def style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput | forms.HiddenInput):
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def room_queryset(user):
    """The rooms the user may book, when the venues app offers them (None: no room field)."""
    try:
        from jiceng.venues.models import Room
        from jiceng.venues.services import request_booking  # noqa: F401 - the booking service must exist too
    except ImportError:
        return None
    rooms = Room.objects.restrict(user) if hasattr(Room.objects, "restrict") else Room.objects.all()
    return rooms.filter(active=True) if any(f.name == "active" for f in Room._meta.fields) else rooms


class OrganizerFormMixin:
    """Organizer choices are the ones the user manages; the place/speaker pickers stay in scope and small."""

    def setup_organizer_fields(self, user) -> None:
        scope = scope_for(user)
        fields = self.fields
        if not user.is_superuser:
            fields["organization"].queryset = Organization.objects.filter(scope.organization_q()).order_by("path")
            fields["club"].queryset = services.managed(user, Club).order_by("name")
            fields["station"].queryset = Place.objects.filter(
                scope.place_q("district", "street", "path"), kind=PlaceKind.STATION).order_by("path")
        else:
            fields["station"].queryset = Place.objects.filter(kind=PlaceKind.STATION).order_by("path")
        if "conference" in fields:
            from jiceng.matching.models import JointConference

            fields["conference"].queryset = JointConference.objects.restrict(user).order_by("name")
        if "place" in fields:
            fields["place"].queryset = Place.objects.restrict(user).exclude(
                kind__in=[PlaceKind.DISTRICT, PlaceKind.MICRO_GRID]).order_by("path")
        orgs = fields["organization"].queryset
        if not self.initial.get("organization") and orgs.count() == 1 and not self.is_bound:
            self.initial["organization"] = orgs.first().pk
        rooms = room_queryset(user)
        if rooms is not None:
            fields["room"] = forms.ModelChoiceField(
                label=_("预约场地"), queryset=rooms, required=False,
                help_text=_("选择后同时预约该场地:场地管理人员保存即批准,其他人的预约等待服务站审批;场地冲突或不在开放时间时不会保存。"))


class ActivityForm(OrganizerFormMixin, ScopedModelForm):
    start = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)
    end = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)

    class Meta:
        model = Activity
        fields = ["title", "kind", "organization", "club", "station", "conference", "start", "end", "place",
                  "location", "capacity", "public", "speaker", "speaker_name", "description", "cells", "themes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.setup_organizer_fields(user)
        speakers = Member.objects.restrict(user).active().order_by("name", "pk")
        field = self.fields["speaker"]
        field.queryset = speakers
        if speakers.count() > SPEAKER_SELECT_LIMIT:
            field.widget = forms.NumberInput(attrs={"class": "form-control"})
            field.help_text = _("填写主讲党员的编号。")
        if getattr(self.instance, "booking_id", None):
            self.fields.pop("room", None)  # already booked: change the booking in the venues app
        style(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", _("结束时间必须晚于开始时间。"))
        return data


class SeriesForm(OrganizerFormMixin, ScopedModelForm):
    """The simple recurrence form; the RRULE is built from it (see recurrence.build_rrule)."""

    freq = forms.ChoiceField(label=_("重复方式"), choices=[
        (Freq.MONTHLY_WEEKDAY, _("每月第几个星期几")), (Freq.MONTHLY_DAY, _("每月几号")), (Freq.WEEKLY, _("每周"))],
        initial=Freq.MONTHLY_WEEKDAY)
    interval = forms.IntegerField(label=_("间隔(月/周)"), min_value=1, max_value=12, initial=1)
    ordinal = forms.TypedChoiceField(label=_("第几个"), coerce=int, required=False, initial=2, choices=[
        (1, _("第一个")), (2, _("第二个")), (3, _("第三个")), (4, _("第四个")), (-1, _("最后一个"))])
    weekday = forms.TypedChoiceField(label=_("星期几"), coerce=int, required=False, initial=3,
                                     choices=list(enumerate(WEEKDAY_LABELS)))
    weekdays = forms.TypedMultipleChoiceField(label=_("每周哪几天"), coerce=int, required=False,
                                              choices=list(enumerate(WEEKDAY_LABELS)),
                                              widget=forms.CheckboxSelectMultiple)
    monthday = forms.IntegerField(label=_("每月几号"), min_value=1, max_value=31, required=False)
    holiday_default = forms.ChoiceField(label=_("遇节假日"), initial=Choice.MOVE, choices=[
        (Choice.MOVE, _("顺延到下一个工作日")), (Choice.KEEP, _("照常举行")), (Choice.SKIP, _("跳过"))],
        help_text=_("预览中可逐个日期调整。"))

    class Meta:
        model = Series
        fields = ["title", "kind", "organization", "club", "station", "conference", "start_date", "until", "count",
                  "start_time", "end_time", "capacity", "place", "location", "public", "speaker_name",
                  "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}),
                   "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.setup_organizer_fields(user)
        order = ["title", "kind", "organization", "club", "station", "conference", "freq", "interval", "ordinal",
                 "weekday", "weekdays", "monthday", "start_date", "until", "count", "start_time", "end_time",
                 "holiday_default", "capacity", "room", "place", "location", "public", "speaker_name", "description"]
        self.order_fields(order)
        style(self)
        self.fields["weekdays"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        from .recurrence import build_rrule

        try:
            self.instance.rrule = build_rrule(
                data["freq"], interval=data.get("interval") or 1, weekdays=data.get("weekdays") or (),
                ordinal=data.get("ordinal"), weekday=data.get("weekday"), monthday=data.get("monthday"))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data

    def occurrence_choices(self, occurrences) -> dict[dt.date, str]:
        """The per-date choices posted from the preview (`choice_YYYY-MM-DD`)."""
        result = {}
        for occ in occurrences:
            value = self.data.get(f"choice_{occ.date.isoformat()}")
            if occ.flagged and value in (Choice.KEEP, Choice.MOVE, Choice.SKIP):
                result[occ.date] = value
        return result


class ClubForm(ScopedModelForm):
    class Meta:
        model = Club
        fields = ["name", "kind", "place", "organization", "description", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        scope = scope_for(user)
        if not user.is_superuser:
            self.fields["organization"].queryset = Organization.objects.filter(scope.organization_q())
        self.fields["place"].queryset = self.fields["place"].queryset.exclude(
            kind__in=[PlaceKind.DISTRICT, PlaceKind.UNIT, PlaceKind.MICRO_GRID]).order_by("path")

    def save(self, commit=True):
        club = super().save(commit=commit)
        if commit and not services.can_manage(self.user, club):
            raise ValidationError(_("您不能管理该地域或党组织的社团。"))
        return club


class ClubMemberForm(forms.Form):
    member = forms.ModelChoiceField(label=_("党员"), queryset=Member.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=ClubRole.choices, initial=ClubRole.MEMBER)

    def __init__(self, *args, user=None, club=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.restrict(user).active().exclude(
            pk__in=ClubMembership.objects.filter(club=club).values("member")).order_by("name")
        style(self)


class PublicSignUpForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20)
    website = forms.CharField(required=False, label="", widget=forms.TextInput(
        attrs={"tabindex": "-1", "autocomplete": "off", "class": "d-none", "aria-hidden": "true"}))
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["website"].widget.attrs["class"] = "d-none"


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("评分"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("评语"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class MeetingRecordForm(forms.ModelForm):
    """The record of a meeting on its page: the fields, one reason box per expected member not checked in, and a
    photo (checked by the model's validator: JPEG/PNG/WebP by content, ≤ 5 MB)."""

    photo = forms.FileField(label=_("会议照片"), required=False,
                            help_text=_("JPEG、PNG 或 WebP 图片,不超过 5 MB;每次上传一张。"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))

    class Meta:
        model = MeetingRecord
        fields = ["topic", "chair", "recorder", "expected", "decisions"]
        widgets = {"decisions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        pool = meeting_members(activity).order_by("name", "pk")
        self.fields["chair"].queryset = pool
        self.fields["recorder"].queryset = pool
        self.fields["expected"].widget.attrs["placeholder"] = _("按组织计算")
        reasons = {a.member_id: a.reason for a in self.instance.absences.all()} if self.instance.pk else {}
        self.absentees = list(services.absence_candidates(activity)[:200])
        for member in self.absentees:
            self.fields[f"absence_{member.pk}"] = forms.CharField(
                label=member.name, required=False, max_length=200, initial=reasons.get(member.pk, ""))
        style(self)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            from .models import validate_meeting_photo

            validate_meeting_photo(photo)
        return photo

    @property
    def absence_fields(self) -> list:
        return [self[f"absence_{m.pk}"] for m in self.absentees]

    def absences(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"absence_{m.pk}"] for m in self.absentees
                if self.cleaned_data.get(f"absence_{m.pk}", "").strip()}
