from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.demands.forms import style

from .choices import RiskLevel, SourceKind
from .models import MAX_POINTS, SignalType


class SignalForm(forms.Form):
    type = forms.ModelChoiceField(label=_("信号类型"), to_field_name="code", queryset=SignalType.objects.none())
    points = forms.IntegerField(label=_("分值"), required=False, min_value=-MAX_POINTS, max_value=MAX_POINTS,
                                help_text=_("留空则按该类型的默认分值。"))
    observed_on = forms.DateField(label=_("发现日期"), initial=timezone.localdate)
    evidence = forms.CharField(label=_("依据"), required=False, max_length=1000,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = SignalType.objects.filter(active=True).exclude(
            source_kind=SourceKind.OVERDUE_DEMAND)
        style(self)


class OverrideForm(forms.Form):
    level = forms.TypedChoiceField(label=_("调整为"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("取消人工调整(采用计算等级)")), *RiskLevel.choices])
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("调整等级须说明理由。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class CloseFollowUpForm(forms.Form):
    outcome = forms.CharField(label=_("跟进结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": _("请填写跟进结果。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
