"""Pages of enterprise updates: the list (a contact's own, a reviewer's in scope), proposing one (unit contacts),
and a page per update with its before/after and the review form. Rules in updates.py."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.core.tables import KEY, SECONDARY, STATUS, TITLE, Column
from jiceng.core.views import ObjectListView, history_rows

from . import updates
from .models import Enterprise, EnterpriseUpdate, UpdateStatus


class UpdateFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=UpdateStatus.choices, label=_("状态"))

    class Meta:
        model = EnterpriseUpdate
        fields = ["status"]


UPDATE_COLUMNS = [
    Column("enterprise.name", _("单位"), role=TITLE),
    Column("status", _("状态"), role=STATUS),
    Column(lambda u: "; ".join(f"{label} {a}→{b}" for label, a, b in u.changes()), _("更新内容"), role=KEY),
    Column(lambda u: f"{u.created:%Y-%m-%d}", _("提交时间"), role=KEY),
    Column("reason", _("退回原因"), role=SECONDARY),
]


class UpdateListView(ObjectListView):
    model = EnterpriseUpdate
    filterset_class = UpdateFilterSet
    columns = UPDATE_COLUMNS
    related = ("enterprise",)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # Contacts propose (for their own enterprise); reviewers have no "new" button here.
        ctx["can_add"] = updates.own_enterprises(self.request.user).exists()
        ctx["add_url"] = reverse("enterprises:update_add")
        return ctx


class UpdateForm(forms.Form):
    enterprise = forms.ModelChoiceField(label=_("单位"), queryset=Enterprise.objects.none())
    employees = forms.IntegerField(label=_("从业人员数"), required=False, min_value=0)
    lease_end = forms.DateField(label=_("租约到期日"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    contact_name = forms.CharField(label=_("联系人"), required=False, max_length=50)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    note = forms.CharField(label=_("说明"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = updates.own_enterprises(user)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")


class UpdateCreateView(LoginRequiredMixin, generic.FormView):
    form_class = UpdateForm
    template_name = "enterprises/update_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not updates.own_enterprises(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        own = updates.own_enterprises(self.request.user)
        chosen = own.filter(pk=self.request.GET.get("enterprise")).first() if str(
            self.request.GET.get("enterprise", "")).isdigit() else None
        chosen = chosen or own.order_by("pk").first()
        return {"enterprise": chosen, "employees": chosen.employees, "lease_end": chosen.lease_end,
                "contact_name": chosen.contact_name} if chosen else {}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            update = updates.propose(self.request.user, data["enterprise"], employees=data.get("employees"),
                                     lease_end=data.get("lease_end"), contact_name=data.get("contact_name", ""),
                                     contact_phone=data.get("contact_phone", ""), note=data.get("note", ""))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _t("已提交,楼宇党群工作者审核通过后生效。"))
        return redirect(update.get_absolute_url())


class UpdateDetailView(LoginRequiredMixin, generic.DetailView):
    template_name = "enterprises/update_detail.html"
    context_object_name = "update"

    def get_queryset(self):
        return EnterpriseUpdate.objects.restrict(self.request.user).select_related(
            "enterprise", "proposed_by", "reviewed_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        update = self.object
        ctx["can_review"] = update.status == UpdateStatus.PENDING and updates.can_review(
            self.request.user, update.enterprise)
        ctx["history"] = history_rows(update)
        return ctx

    def post(self, request, pk):
        update = get_object_or_404(self.get_queryset(), pk=pk)
        decision = request.POST.get("decision")
        try:
            updates.review(update, request.user, approve=decision == "approve", reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _t("已通过,单位信息已更新。") if decision == "approve" else _t("已退回。"))
        return redirect(update.get_absolute_url())
