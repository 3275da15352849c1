"""Demand, visit and action forms. They parse input; rules live in workflow.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.people import person_label
from jiceng.core.scoping import scope_for
from jiceng.departments.models import Department
from jiceng.enterprises.models import Enterprise
from jiceng.places.models import AREA_KINDS, Place, PlaceKind

from .models import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    CallbackResult,
    Category,
    Demand,
    DemandSource,
    RequesterKind,
)

DEMAND_PLACE_KINDS = (*AREA_KINDS, PlaceKind.BUILDING, PlaceKind.STATION)


def style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.DateInput):
            widget.input_type, widget.format = "date", "%Y-%m-%d"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to three images or PDFs, each checked for type and size."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > 3:
            raise forms.ValidationError(_("最多上传 3 个附件。"))
        for upload in files:
            extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            if extension not in ATTACHMENT_TYPES:
                raise forms.ValidationError(_("附件“%(name)s”的类型不支持,只能上传图片(JPG/PNG)或 PDF。")
                                            % {"name": upload.name})
            if upload.size > ATTACHMENT_MAX_BYTES:
                raise forms.ValidationError(_("附件“%(name)s”超过 5 MB。") % {"name": upload.name})
        return files


class DemandIntakeForm(forms.Form):
    """Staff intake (a visit, a call, a walk-in) and signed-in enterprise users and members."""

    text = forms.CharField(label=_("需求内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    title = forms.CharField(label=_("标题"), required=False, max_length=100)
    place = forms.ModelChoiceField(label=_("所在楼宇/园区"), queryset=Place.objects.none())
    source = forms.ChoiceField(label=_("来源"), choices=DemandSource.choices, initial=DemandSource.PHONE)
    requester_kind = forms.ChoiceField(label=_("提出方"), choices=RequesterKind.choices,
                                       initial=RequesterKind.ENTERPRISE)
    requester_enterprise = forms.ModelChoiceField(label=_("提出企业"), queryset=Enterprise.objects.none(),
                                                  required=False)
    requester_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    requester_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    category = forms.ModelChoiceField(label=_("类别(留空由系统建议)"), queryset=Category.objects.filter(active=True),
                                      required=False)
    attachments = AttachmentsField(label=_("附件"), required=False)

    def __init__(self, *args, user, staff: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["place"].queryset = Place.objects.restrict(user).filter(kind__in=DEMAND_PLACE_KINDS)
            self.fields["requester_enterprise"].queryset = Enterprise.objects.restrict(user)
        else:
            # Enterprise users and members pick any building; the demand is theirs to follow.
            self.fields["place"].queryset = Place.objects.filter(kind__in=DEMAND_PLACE_KINDS)
            for name in ("source", "requester_kind", "requester_enterprise", "category"):
                del self.fields[name]
        style(self)


class PublicDemandForm(forms.Form):
    text = forms.CharField(label=_("您的需求"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    place = forms.ModelChoiceField(label=_("所在楼宇/园区"), queryset=Place.objects.filter(kind__in=DEMAND_PLACE_KINDS))
    requester_name = forms.CharField(label=_("称呼"), required=False, max_length=50)
    requester_phone = forms.CharField(label=_("手机号码(便于联系)"), required=False, max_length=20)
    attachments = AttachmentsField(label=_("图片或 PDF(可选)"), required=False)
    website = forms.CharField(required=False, label="", widget=forms.TextInput(
        attrs={"tabindex": "-1", "autocomplete": "off", "class": "d-none", "aria-hidden": "true"}))
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["website"].widget.attrs["class"] = "d-none"


class PersonChoiceField(forms.ModelChoiceField):
    """A user chosen by name and unit ("孙丽华 · 创智天地"), not by login name."""

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class CallbackForm(forms.Form):
    result = forms.ChoiceField(label=_("回访结果"), choices=CallbackResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("回访记录"), required=False, max_length=500)


class AssignForm(forms.Form):
    assignee_user = PersonChoiceField(label=_("承办人"), queryset=get_user_model().objects.none(), required=False)
    to_department = forms.ModelChoiceField(label=_("职能部门"), queryset=Department.objects.none(), required=False,
                                           help_text=_("派给职能部门:部门须在签收时限内签收或退单。"))
    department = forms.CharField(label=_("其他承办部门"), required=False, max_length=100)
    enterprise = forms.ModelChoiceField(label=_("承办单位"), queryset=Enterprise.objects.none(), required=False)
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, demand: Demand, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .workflow import assignable_users

        self.fields["assignee_user"].queryset = assignable_users(demand)
        scope = scope_for(user)
        if scope.everything or scope.street_ids or scope.district_ids:
            self.fields["to_department"].queryset = Department.objects.filter(district_id=demand.district_id,
                                                                              active=True)
        else:
            # Streets (and districts) hand work to the district's departments; a building's people pass it up.
            del self.fields["to_department"]
        self.fields["enterprise"].queryset = Enterprise.objects.restrict(user).filter(street_id=demand.street_id)
        style(self)


class VisitForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("走访企业"), queryset=Enterprise.objects.none())
    date = forms.DateField(label=_("走访日期"), initial=timezone.localdate)
    people_met = forms.CharField(label=_("接待人员"), required=False, max_length=200)
    notes = forms.CharField(label=_("走访记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    findings = forms.CharField(label=_("发现情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    signals = forms.MultipleChoiceField(label=_("风险信号"), required=False, widget=forms.CheckboxSelectMultiple)
    demand_1 = forms.CharField(label=_("需求 1"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    demand_2 = forms.CharField(label=_("需求 2"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    demand_3 = forms.CharField(label=_("需求 3"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .visits import SIGNAL_CHOICES

        self.fields["enterprise"].queryset = Enterprise.objects.restrict(user).order_by("name")
        self.fields["signals"].choices = SIGNAL_CHOICES
        style(self)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("走访日期不能晚于今天。"))
        return day

    def demand_texts(self) -> list[str]:
        return [t.strip() for t in (self.cleaned_data.get(f"demand_{i}", "") for i in (1, 2, 3)) if t.strip()]
