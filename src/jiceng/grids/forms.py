from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import ScopedModelForm
from jiceng.members.models import Member
from jiceng.organizations.models import BRANCH_KINDS

from .models import (
    GRID_PLACE_KINDS,
    AssignmentBasis,
    ConsultationRound,
    ContactWay,
    Grid,
    HouseholdContact,
    MediationCase,
    RenovationProject,
)


def DateInput():  # noqa: N802 - reads like the widget class it makes
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GeoJSONField(forms.CharField):
    """A polygon typed or pasted as GeoJSON text; the model checks its shape."""

    widget = forms.Textarea(attrs={"rows": 5, "class": "form-control font-monospace"})

    def prepare_value(self, value):
        return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(_("不是有效的 GeoJSON(JSON 解析失败)。")) from exc


class GridForm(ScopedModelForm):
    geometry = GeoJSONField(label=_("范围(GeoJSON)"), help_text=_("WGS-84 多边形,坐标顺序为 [经度, 纬度],首尾闭合。"))

    class Meta:
        model = Grid
        fields = ["place", "name", "code", "geometry", "branch", "contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = self.fields["place"].queryset.filter(kind__in=GRID_PLACE_KINDS)
        self.fields["branch"].queryset = self.fields["branch"].queryset.filter(kind__in=BRANCH_KINDS)
        members = self.fields["contact"].queryset.active()
        if self.instance.pk:
            members = members.filter(grid_assignment__grid=self.instance) | members.filter(
                organization=self.instance.branch_id)
        self.fields["contact"].queryset = members.order_by("name", "pk")


class GridImportForm(forms.Form):
    place = forms.ModelChoiceField(queryset=None, label=_("所在地域"))
    file = forms.FileField(label=_("GeoJSON 文件"), help_text=_("FeatureCollection:每个多边形要素成为一个网格,"
                                                               "properties.name 为网格名称。"))

    def __init__(self, *args, user=None, **kwargs):
        from jiceng.places.models import Place

        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.restrict(user).filter(kind__in=GRID_PLACE_KINDS)
        self.fields["place"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(queryset=Member.objects.none(), label=_("党员"))
    basis = forms.ChoiceField(choices=AssignmentBasis.choices, label=_("编入依据"))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members if members is not None else Member.objects.none()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class HouseholdForm(ScopedModelForm):
    class Meta:
        model = HouseholdContact
        fields = ["kind", "name", "address", "place", "enterprise", "grid", "member", "assigned_on"]
        widgets = {"assigned_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = self.fields["member"].queryset.active()


class ContactLogForm(forms.Form):
    date = forms.DateField(label=_("联系日期"), widget=DateInput())
    way = forms.ChoiceField(choices=ContactWay.choices, label=_("联系方式"))
    raised = forms.CharField(label=_("反映的问题"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    to_demand = forms.BooleanField(label=_("转为需求"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-check-input" if name == "to_demand" else \
                ("form-select" if name == "way" else "form-control")


class RenovationProjectForm(ScopedModelForm):
    class Meta:
        model = RenovationProject
        fields = ["name", "place", "started", "households", "signed", "description"]
        widgets = {"started": DateInput()}


class RoundForm(forms.ModelForm):
    class Meta:
        model = ConsultationRound
        fields = ["number", "held_on", "responded", "agreed", "note"]
        widgets = {"held_on": DateInput()}


class MediationForm(forms.ModelForm):
    class Meta:
        model = MediationCase
        fields = ["household", "resident_party", "enterprise_party", "street_party", "issue", "opened_on", "outcome",
                  "outcome_note", "closed_on"]
        widgets = {"opened_on": DateInput(), "closed_on": DateInput(), "issue": forms.Textarea(attrs={"rows": 2}),
                   "outcome_note": forms.Textarea(attrs={"rows": 2})}


class BranchForm(forms.Form):
    name = forms.CharField(label=_("临时党支部名称"), required=False, max_length=200)
    members = forms.ModelMultipleChoiceField(queryset=Member.objects.none(), label=_("成员"), required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members if members is not None else Member.objects.none()
        self.fields["name"].widget.attrs["class"] = "form-control"
        self.fields["members"].widget.attrs["class"] = "form-select"


def style(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form
