"""Generic scoped views (list with search/filter/pagination/export, detail with history, edit).

Views stay thin: they parse, check scope and role, call the model/service and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic

from jiceng.accounts.models import AuditEvent
from jiceng.accounts.permissions import can_reveal_personal_data, can_write

from . import audit
from .excel import objects_to_sheet, xlsx_response
from .tables import Column, card_roles, table_rows


class ScopedMixin(LoginRequiredMixin):
    model = None

    def scoped_queryset(self):
        return self.model.objects.restrict(self.request.user)

    def get_queryset(self):
        return self.scoped_queryset()


class ObjectListView(ScopedMixin, generic.ListView):
    """A list page: `filterset_class` (with a `q` search), `columns`, pagination and `?export=xlsx`."""

    filterset_class = None
    columns: list[Column] = []
    paginate_by = 50
    template_name = "core/object_list.html"
    export_limit = 100_000
    related = ()

    def get_queryset(self):
        qs = self.scoped_queryset()
        if self.related:
            qs = qs.select_related(*self.related)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs if self.filterset.is_bound else qs

    def get_paginate_by(self, queryset):
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return max(10, min(size, 500))

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            qs = self.get_queryset()[: self.export_limit]
            opts = self.model._meta
            audit.record(request, AuditEvent.Action.EXPORT, object_type=opts.label_lower,
                         detail=request.GET.urlencode())
            return xlsx_response(f"{opts.model_name}.xlsx", [objects_to_sheet(str(opts.verbose_name_plural),
                                                                              self.columns, qs)])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        rows = [(obj, [c.value(obj) for c in self.columns]) for obj in ctx["object_list"]]
        roles = card_roles(self.columns)
        ctx.update(
            filterset=self.filterset,
            columns=self.columns,
            heads=[{"label": c.label, "role": role} for c, role in zip(self.columns, roles, strict=True)],
            rows=rows,
            table_rows=table_rows(rows, self.columns, roles),
            active_filters=active_filters(self.filterset.form, self.request.GET),
            opts=self.model._meta,
            querystring=params.urlencode(),
            can_add=can_write(self.request.user, self.model),
            add_url=getattr(self, "add_url", None),
            import_url=getattr(self, "import_url", None),
        )
        return ctx


def active_filters(form, params) -> int:
    """How many filters other than the search are set: the count on the phone's filter button, whose drawer
    starts closed."""
    return sum(1 for name in form.fields if name != "q" and params.get(name) not in (None, ""))


class ObjectDetailView(ScopedMixin, generic.DetailView):
    template_name = "core/object_detail.html"
    fields: list[Column] = []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx.update(
            opts=self.model._meta,
            field_rows=[(c.label, c.value(obj)) for c in self.fields],
            history=history_rows(obj),
            can_edit=can_write(self.request.user, self.model),
        )
        return ctx


def history_rows(obj, limit: int = 50) -> list[dict]:
    """Change history (who, when, which field from what to what), newest first."""
    records = list(obj.history.select_related("history_user").order_by("-history_date")[: limit + 1])
    rows = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = obj._meta.get_field(change.field)
                changes.append((field.verbose_name, history_value(obj, field, change.old),
                                history_value(obj, field, change.new)))
        rows.append({"record": record, "changes": changes})
    return rows


def history_value(obj, field, value):
    """A history value as users should see it: choice labels, and personal data masked like everywhere else."""
    masker = getattr(obj, "personal_fields", {}).get(field.name)
    if masker is not None:
        return masker(value)
    if hasattr(field, "display") and value is not None:
        return field.display(value)  # a set of tags stored as bits (jiceng.matrix.tags.FlagsField): its labels
    if field.choices and value is not None:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation and field.many_to_one and value is not None:
        # History stores the key; people read names (at most one lookup per changed reference shown).
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else value
    return value


class ObjectEditView(ScopedMixin, generic.UpdateView):
    """Create (no pk) or edit; writes need an editing role, and the result must stay in scope."""

    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, self.model):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, queryset=None):
        if "pk" not in self.kwargs:
            return None
        return super().get_object(queryset)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.object = form.save()
                # Re-check inside the transaction that the saved object is still the user's to see.
                if not self.scoped_queryset().filter(pk=self.object.pk).exists():
                    raise ValidationError(_("保存后的对象不在您的管辖范围内。"))
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect(self.object.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["opts"] = self.model._meta
        ctx["reveal_url"] = reveal_url(self.request.user, self.object, getattr(self, "reveal_url_name", None))
        return ctx


def reveal_url(user, obj, url_name: str | None) -> str | None:
    """The reveal action of an edit form: for an existing object with personal data, to roles that may reveal."""
    if obj is None or obj.pk is None or url_name is None or not can_reveal_personal_data(user):
        return None
    if not any(getattr(obj, name, "") for name in getattr(obj, "personal_fields", {})):
        return None
    return reverse(url_name, args=[obj.pk])


class RevealView(ScopedMixin, generic.View):
    """Full values of one object's personal fields, for the roles that may reveal them (district admins,
    secretaries, superusers); every reveal is audited (docs/decisions/003)."""

    def post(self, request, pk):
        obj = get_object_or_404(self.scoped_queryset(), pk=pk)
        if not can_reveal_personal_data(request.user):
            return JsonResponse({"detail": _("您的角色无权查看完整个人信息。")}, status=403)
        names = list(self.model.personal_fields)
        audit.record(request, AuditEvent.Action.REVEAL, obj, detail=",".join(names))
        return JsonResponse({name: getattr(obj, name) for name in names})


def get_scoped_or_404(model, user, **lookup):
    try:
        return model.objects.restrict(user).get(**lookup)
    except model.DoesNotExist as exc:
        raise Http404 from exc
