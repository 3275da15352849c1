"""Forms for member affairs. They only parse input; the rules are in pipeline/transfers/dues."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.dates import validate_plausible_date
from jiceng.core.forms import ScopedModelForm
from jiceng.organizations.models import MEMBER_KINDS, Organization

from .identity import APPLICANT_IS_MEMBER, APPLICATION_IN_PROGRESS, check_id_number
from .models import Application, DuesCategory, LetterScope, Member, MemberStatus, PaymentMethod, ReliefKind
from .pipeline import rule_for


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.DateInput):
            # <input type=date> only accepts ISO dates, whatever the locale's display format.
            widget.input_type, widget.format = "date", "%Y-%m-%d"


class ApplicationForm(ScopedModelForm):
    applied_on = forms.DateField(label=_("申请日期"), initial=timezone.localdate)

    class Meta:
        model = Application
        fields = ["name", "gender", "birth_date", "id_number", "phone", "organization", "employer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applied_on"].widget = forms.DateInput(attrs={"class": "form-control", "type": "date"},
                                                            format="%Y-%m-%d")

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        # Before the model form's constraint check, whose message would say so about anyone in the city.
        check_id_number(value, self.user, member_message=APPLICANT_IS_MEMBER,
                        application_message=APPLICATION_IN_PROGRESS, field=None)
        return value


class StepForm(forms.Form):
    """The fields a step needs, as declared in its rule (`StepRule.fields`)."""

    date = forms.DateField(label=_("日期"), initial=timezone.localdate)
    people = forms.CharField(label=_("参与人员"), required=False, max_length=200)
    reference = forms.CharField(label=_("文号/记录"), required=False, max_length=100)
    introducers = forms.ModelMultipleChoiceField(label=_("入党介绍人"), queryset=Member.objects.none(), required=False)
    contacts = forms.ModelMultipleChoiceField(label=_("培养联系人"), queryset=Member.objects.none(), required=False)
    ends_on = forms.DateField(label=_("公示截止日期"), required=False, validators=[validate_plausible_date],
                              help_text=_("公示开始日期填在“日期”"))
    training_days = forms.IntegerField(label=_("培训天数"), required=False, min_value=0, max_value=365)
    training_hours = forms.IntegerField(label=_("培训学时"), required=False, min_value=0, max_value=2000)
    extension_months = forms.IntegerField(label=_("延长月数"), required=False, min_value=1, max_value=24)
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, code: str, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        rule = rule_for(code, application.stage)
        keep = {"date", "note", *rule.fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        # Introducers and contacts are full members of the cultivating branch (or its groups), on the rolls.
        for name in ("introducers", "contacts"):
            if name in self.fields:
                self.fields[name].queryset = Member.objects.filter(
                    organization__path__startswith=application.organization.path, status=MemberStatus.FULL,
                    left_on__isnull=True).order_by("name")
        if rule.code == "publicity":
            self.fields["date"].label = _("公示开始日期")
        _style(self)


class TransferIssueForm(forms.Form):
    to_organization = forms.ModelChoiceField(label=_("接收党组织(平台内)"), queryset=Organization.objects.none(),
                                             required=False)
    external_organization = forms.CharField(label=_("接收党组织(平台外)"), required=False, max_length=200)
    scope = forms.ChoiceField(label=_("去向"), choices=LetterScope.choices, initial=LetterScope.OUTSIDE_CITY,
                              required=False,
                              help_text=_("平台外转出时决定介绍信有效期;平台内转接按本市计。"))
    issue_date = forms.DateField(label=_("开具日期"), initial=timezone.localdate)
    letter_no = forms.CharField(label=_("介绍信编号"), required=False, max_length=50,
                                help_text=_("留空自动编号"))
    reason = forms.CharField(label=_("原因/说明"), required=False, max_length=200)

    def __init__(self, *args, issuing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Any branch on the platform can receive (members sit only in branches); the receiving side then acts in
        # its own scope.
        self.fields["to_organization"].queryset = Organization.objects.filter(kind__in=MEMBER_KINDS).order_by("name")
        if not issuing:
            # A branch secretary requests; the number and date come when the authority issues the letter.
            del self.fields["issue_date"], self.fields["letter_no"]
        _style(self)

    def clean(self):
        data = super().clean()
        if bool(data.get("to_organization")) == bool(data.get("external_organization")):
            raise forms.ValidationError(_("请选择平台内接收党组织,或填写平台外党组织名称(二选一)。"))
        return data


class IncomingTransferForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=[("M", _("男")), ("F", _("女"))])
    birth_date = forms.DateField(label=_("出生日期"))
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    join_date = forms.DateField(label=_("入党日期"))
    status = forms.ChoiceField(label=_("党员类别"), choices=MemberStatus.choices)
    to_organization = forms.ModelChoiceField(label=_("接收党组织"), queryset=Organization.objects.none())
    external_organization = forms.CharField(label=_("原党组织"), max_length=200)
    letter_no = forms.CharField(label=_("介绍信编号"), max_length=50)
    issue_date = forms.DateField(label=_("开具日期"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = Organization.objects.restrict(user).filter(kind__in=MEMBER_KINDS)
        _style(self)

    def details(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "gender": data["gender"], "birth_date": data["birth_date"].isoformat(),
                "id_number": data["id_number"].strip().upper(), "phone": data.get("phone", ""),
                "join_date": data["join_date"].isoformat(), "status": data["status"]}


class DuesBaseForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=DuesCategory.choices)
    base = forms.CharField(label=_("月缴纳基数(税后工资)"), max_length=20)
    declared_amount = forms.CharField(label=_("自报金额(农民)"), max_length=20, required=False)
    effective_month = forms.DateField(label=_("起始月份"), initial=lambda: timezone.localdate().replace(day=1))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class PaymentForm(forms.Form):
    month = forms.DateField(label=_("所属月份"), initial=lambda: timezone.localdate().replace(day=1))
    amount = forms.CharField(label=_("金额"), max_length=20, required=False, help_text=_("留空按应缴金额"))
    method = forms.ChoiceField(label=_("缴纳方式"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("缴纳日期"), initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class DuesReliefForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ReliefKind.choices)
    amount = forms.CharField(label=_("每月应交金额(少交)"), max_length=20, required=False)
    start_month = forms.DateField(label=_("起始月份"), initial=lambda: timezone.localdate().replace(day=1))
    end_month = forms.DateField(label=_("截止月份"))
    reason = forms.CharField(label=_("原因"), max_length=200)
    approved_by = forms.CharField(label=_("批准党组织"), max_length=200)
    approved_on = forms.DateField(label=_("批准日期"), initial=timezone.localdate)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
