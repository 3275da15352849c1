from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import MaskedPersonalDataMixin
from jiceng.matrix.tags import FlagsFormField, cell_codes, theme_codes

from .models import ChairTerm, JointConference, Meeting, MemberUnit, Need, Resource

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConferenceForm(forms.ModelForm):
    class Meta:
        model = JointConference
        fields = ["name", "place", "organization", "established", "description"]
        widgets = {"established": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from jiceng.places.models import Place, PlaceKind

        self.fields["place"].queryset = Place.objects.restrict(user).filter(
            kind__in=[PlaceKind.DISTRICT, PlaceKind.STREET])
        self.fields["organization"].queryset = self.fields["organization"].queryset.model.objects.restrict(user)


class MemberUnitForm(forms.ModelForm):
    class Meta:
        model = MemberUnit
        fields = ["name", "kind", "enterprise", "organization", "place", "contact_name", "contact_phone", "joined"]
        widgets = {"joined": DATE, "enterprise": forms.NumberInput, "organization": forms.NumberInput,
                   "place": forms.NumberInput}
        help_texts = {"enterprise": _("两新组织 ID(可选;填写后该单位的联系人可代表单位认领)。"),
                      "organization": _("党组织 ID(可选)。"), "place": _("地域 ID(可选,街道或居民区)。")}


class RotationForm(forms.Form):
    """Generate the rotating chair schedule (轮值制): units in turn, one term each."""

    start = forms.DateField(label=_("首任开始日期"), widget=DATE)
    months = forms.IntegerField(label=_("每任月数"), min_value=1, max_value=24, initial=6)
    rounds = forms.IntegerField(label=_("轮数"), min_value=1, max_value=5, initial=1)
    units = forms.ModelMultipleChoiceField(label=_("轮值单位(按顺序)"), queryset=MemberUnit.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, conference: JointConference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = conference.units.filter(active=True)


class ChairTermForm(forms.ModelForm):
    class Meta:
        model = ChairTerm
        fields = ["unit", "start", "end"]
        widgets = {"start": DATE, "end": DATE}


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "held_at", "location", "chair", "agenda", "minutes"]
        widgets = {"held_at": DATETIME, "agenda": forms.Textarea(attrs={"rows": 6}),
                   "minutes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, conference: JointConference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = conference.units.all()


class _ListItemForm(MaskedPersonalDataMixin, forms.ModelForm):
    common_widgets = {"start": DATETIME, "end": DATETIME, "daily_start": TIME, "daily_end": TIME,
                      "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, conferences=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if conferences is not None:
            self.fields["conference"].queryset = conferences
        for name in ("start", "end"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self._mask_personal_data()

    def clean(self):
        return self._keep_unchanged_personal_data(super().clean())


class ResourceForm(_ListItemForm):
    class Meta:
        model = Resource
        fields = ["conference", "unit", "title", "category", "description", "capacity", "measure", "start", "end",
                  "daily_start", "daily_end", "location", "lat", "lng", "radius_m"]
        widgets = _ListItemForm.common_widgets

    def __init__(self, *args, conferences=None, units=None, **kwargs):
        super().__init__(*args, conferences=conferences, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class NeedForm(_ListItemForm):
    class Meta:
        model = Need
        fields = ["conference", "requester_kind", "requester_unit", "requester_name", "contact_phone", "title",
                  "category", "description", "quantity", "measure", "start", "end", "daily_start", "daily_end",
                  "location", "lat", "lng"]
        widgets = _ListItemForm.common_widgets

    def __init__(self, *args, conferences=None, units=None, **kwargs):
        super().__init__(*args, conferences=conferences, **kwargs)
        if units is not None:
            self.fields["requester_unit"].queryset = units


class ClaimNeedForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("认领单位"), queryset=MemberUnit.objects.none())
    quantity = forms.IntegerField(label=_("认领数量"), min_value=1)
    resource = forms.ModelChoiceField(label=_("使用本单位资源(可选)"), queryset=Resource.objects.none(),
                                      required=False)
    note = forms.CharField(label=_("认领说明"), max_length=500, required=False)

    def __init__(self, *args, need: Need, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["resource"].queryset = Resource.objects.filter(unit__in=units, category=need.category,
                                                                   status="open")
        self.fields["quantity"].initial = need.remaining
        only = list(units[:2])
        if len(only) == 1:
            self.fields["unit"].initial = only[0].pk


class ClaimResourceForm(forms.Form):
    need = forms.ModelChoiceField(label=_("对应需求"), queryset=Need.objects.none(), required=False,
                                  help_text=_("不选则按本次认领登记一条新需求。"))
    requester_name = forms.CharField(label=_("需求方"), max_length=100, required=False,
                                     help_text=_("社区、企业或居民群体的名称(登记新需求时必填)。"))
    quantity = forms.IntegerField(label=_("认领数量"), min_value=1)
    note = forms.CharField(label=_("用途说明"), max_length=500, required=False)

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].queryset = needs

    def clean(self):
        data = super().clean()
        if not data.get("need") and not (data.get("requester_name") or "").strip():
            self.add_error("requester_name", _("未选择已有需求时,请填写需求方。"))
        return data


class EvaluateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评分"), choices=[(i, str(i)) for i in range(5, 0, -1)], coerce=int)
    outcome = forms.CharField(label=_("成效"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProjectTagsForm(forms.Form):
    """The project's cells of the 3×3 matrix and its 党建+ themes (cleaned to the stored bit masks)."""

    cells = FlagsFormField(kind="cells", label=_("党建矩阵"), required=False,
                           help_text=_("工作对象 × 工作目标,可选多格。"))
    themes = FlagsFormField(kind="themes", label=_("党建+主题"), required=False)

    @classmethod
    def for_project(cls, project, data=None) -> ProjectTagsForm:
        return cls(data, initial={"cells": cell_codes(project.cells), "themes": theme_codes(project.themes)})


class PromoteDemandForm(forms.Form):
    conference = forms.ModelChoiceField(label=_("联席会议"), queryset=JointConference.objects.none())

    def __init__(self, *args, conferences, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conference"].queryset = conferences
