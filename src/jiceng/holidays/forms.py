from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .notice import NoticeError, parse_notice


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)


class ImportForm(_Styled):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2099)
    text = forms.CharField(label=_("通知原文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("粘贴国务院办公厅《关于 YYYY 年部分节假日安排的通知》全文"
                                       "(含“一、元旦:……”各条)。"))
    publish = forms.BooleanField(label=_("保存后立即发布(用于计算工作日)"), required=False, initial=True)
    replace = forms.BooleanField(label=_("替换已发布的安排(原安排保留在历史记录中)"), required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.notice = parse_notice(data["text"], data["year"])
        except NoticeError as exc:
            raise ValidationError({"text": str(exc)}) from exc
        return data


class YearForm(_Styled):
    note = forms.CharField(label=_("依据"), max_length=200, required=False, help_text=_("如国务院办公厅通知文号"))
    days_off = forms.CharField(label=_("放假日期"), widget=forms.Textarea(attrs={"rows": 12}),
                               help_text=_("每行一天:YYYY-MM-DD 名称,如“2027-02-06 春节”;假期中的周末也列出。"))
    workdays = forms.CharField(label=_("调休上班日期"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=_("每行一天,须是周六或周日。"))
    publish = forms.BooleanField(label=_("保存后立即发布(用于计算工作日)"), required=False)
    replace = forms.BooleanField(label=_("替换已发布的安排(原安排保留在历史记录中)"), required=False)

    def __init__(self, *args, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        days = services.Days(self.year, services.parse_day_lines(data["days_off"], self.year, "days_off"),
                             services.parse_day_lines(data.get("workdays", ""), self.year, "workdays"))
        services.check_days(days)
        self.days = days
        return data
