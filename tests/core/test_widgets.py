"""The Python-drawn widgets give exactly the HTML of Django's widget templates."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from jiceng.core.widgets import DRAWN, FastWidgetRenderer
from jiceng.demands.filters import DemandFilterSet
from jiceng.demands.models import Demand

HOSTILE = '"><script>alert(1)</script>&amp;'


class EveryKind(forms.Form):
    text = forms.CharField(initial=HOSTILE, widget=forms.TextInput(attrs={"placeholder": "名称 <b>", "data-x": 1}))
    number = forms.IntegerField(initial=5, min_value=0)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, initial="https://example.org/?a=1&b=2", assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="s3cret")
    hidden = forms.CharField(widget=forms.HiddenInput, initial="x")
    date = forms.DateField(initial=dt.date(2026, 12, 7), widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(initial=dt.datetime(2026, 12, 7, 9, 30))
    time = forms.TimeField(initial=dt.time(9, 30), required=False)
    checked = forms.BooleanField(initial=True, required=False)
    unchecked = forms.BooleanField(initial=False, required=False, disabled=True)
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "甲 & 乙"), ("b", HOSTILE)], initial="b")
    grouped = forms.ChoiceField(choices=[("组一", [("1", "一"), ("2", "二")]), ("3", "三")], initial="2")
    yes_no = forms.NullBooleanField(required=False)
    many = forms.MultipleChoiceField(choices=[("a", "甲"), ("b", "乙")], initial=["a", "b"])
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="第一行\n" + HOSTILE)
    empty_notes = forms.CharField(widget=forms.Textarea, required=False)
    safe = forms.CharField(initial=mark_safe("<i>已转义</i>"))


def rendered(form: forms.Form, renderer) -> dict[str, str]:
    form.renderer = renderer
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("data", [None, {"text": "", "number": "x", "choice": "a", "grouped": "1", "many": ["b"],
                                         "checked": "on", "yes_no": "true", "notes": "<p>"}])
def test_the_same_html_as_the_templates(data):
    fast = rendered(EveryKind(data), FastWidgetRenderer())
    templates = rendered(EveryKind(data), DjangoTemplates())
    assert fast == templates
    assert "<script>" not in "".join(fast.values())


def test_the_kinds_drawn_in_python_are_used(settings):
    assert settings.FORM_RENDERER == "jiceng.core.widgets.FastWidgetRenderer"
    assert "django/forms/widgets/select.html" in DRAWN
    assert "django/forms/widgets/text.html" in DRAWN


@pytest.mark.django_db
def test_a_filter_form_is_drawn_the_same(rf):
    request = rf.get("/demands/", {"status": "submitted", "q": HOSTILE, "overdue": "true"})
    forms_ = [DemandFilterSet(request.GET, queryset=Demand.objects.none(), request=request).form for _ in range(2)]
    assert rendered(forms_[0], FastWidgetRenderer()) == rendered(forms_[1], DjangoTemplates())
