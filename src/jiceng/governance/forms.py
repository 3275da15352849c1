from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import ScopedModelForm
from jiceng.enterprises.models import Enterprise
from jiceng.matching.models import Category

from .models import (
    COUNCIL_PLACE_KINDS,
    MAX_NOTICE_DAYS,
    Alliance,
    Council,
    CouncilMember,
    ObjectionStatus,
    OfficerAssignment,
)


def DateInput():  # noqa: N802 - reads like the widget class it makes
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UsernameField(forms.CharField):
    """An account given by its login name (user lists are too long for a select)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        user = get_user_model().objects.filter(username=value.strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("未找到登录名为“%(name)s”的用户。") % {"name": value})
        return user


class CouncilForm(ScopedModelForm):
    class Meta:
        model = Council
        fields = ["place", "name", "established", "description", "alliance"]
        widgets = {"established": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = self.fields["place"].queryset.filter(kind__in=COUNCIL_PLACE_KINDS)


class CouncilMemberForm(forms.ModelForm):
    username = UsernameField(label=_("登录账号"), required=False,
                             help_text=_("填写登录名;当选楼长须有账号(任命时授予楼长角色)。"))

    class Meta:
        model = CouncilMember
        fields = ["seat", "name", "title", "enterprise", "term_start", "term_end"]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.council = council
        self.fields["enterprise"].queryset = Enterprise.objects.filter(
            place__path__startswith=council.place.path).order_by("name")
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")

    def save(self, commit=True):
        self.instance.user = self.cleaned_data.get("username")
        return super().save(commit)


class NominateForm(forms.Form):
    nominee = forms.ModelChoiceField(queryset=CouncilMember.objects.none(), label=_("推荐人选"))
    notice_days = forms.IntegerField(label=_("公示期(工作日)"), min_value=1, max_value=MAX_NOTICE_DAYS)
    note = forms.CharField(label=_("推荐意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, council: Council, minimum: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominee"].queryset = council.members.select_related("seat").order_by("seat__order", "name")
        self.fields["notice_days"].initial = minimum
        self.fields["notice_days"].help_text = _("不少于 %(n)s 个工作日(规则)。") % {"n": minimum}


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("异议内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    raised_by_name = forms.CharField(label=_("提出人"), max_length=50, required=False)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=[(ObjectionStatus.UPHELD, _("异议成立(终止推选)")),
                                                          (ObjectionStatus.DISMISSED, _("异议不成立(继续公示)"))])
    resolution = forms.CharField(label=_("处理意见"), max_length=2000)


class OfficerAssignmentForm(ScopedModelForm):
    person_username = UsernameField(label=_("负责人登录名"))

    class Meta:
        model = OfficerAssignment
        fields = ["enterprise", "kind", "assigned_on", "note"]
        widgets = {"assigned_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.person_id:
            self.fields["person_username"].initial = self.instance.person.username

    def _post_clean(self):
        if self.cleaned_data.get("person_username"):
            self.instance.person = self.cleaned_data["person_username"]
        super()._post_clean()


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100)
    held_at = forms.DateTimeField(label=_("会议时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("地点"), max_length=100, required=False)
    agenda = forms.CharField(label=_("议题"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("每行一个议题。"))
    attendees = forms.ModelMultipleChoiceField(label=_("出席成员"), queryset=CouncilMember.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)
    guests = forms.CharField(label=_("列席人员"), max_length=300, required=False)
    minutes = forms.CharField(label=_("会议纪要"), required=False, max_length=10000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = council.members.select_related("seat").order_by("seat__order", "name")


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("决议事项"), max_length=500)
    owner = forms.ModelChoiceField(label=_("责任人"), queryset=CouncilMember.objects.none(),
                                   error_messages={"required": _("决议须指定责任人。")})
    due_in_working_days = forms.IntegerField(label=_("办理时限(工作日)"), min_value=1, max_value=250, initial=10)

    def __init__(self, *args, council: Council, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = council.members.order_by("seat__order", "name")


class ConvertForm(forms.Form):
    to = forms.ChoiceField(choices=[("demand", _("需求")), ("need", _("清单需求")), ("project", _("项目"))])
    category = forms.ChoiceField(label=_("清单类别"), choices=Category.choices, initial=Category.OTHER, required=False)
    quantity = forms.IntegerField(min_value=1, max_value=100_000, initial=1, required=False)
    unit = forms.IntegerField(min_value=1, required=False)


class AllianceForm(ScopedModelForm):
    class Meta:
        model = Alliance
        fields = ["place", "name", "established", "description"]
        widgets = {"established": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = self.fields["place"].queryset.filter(kind__in=("street", "district"))

