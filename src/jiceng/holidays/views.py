"""The 节假日安排 pages: every year with its source, a year's days and history, import from the notice text
(with a preview before saving), editing and publishing. Everyone signed in may read; managers may change."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import generic

from jiceng.core.forms import add_service_errors

from . import services
from .calendar import WorkCalendar, holiday_label, published_years, schedule_for
from .forms import ImportForm, YearForm
from .models import HolidayYear

FIRST_YEAR, LAST_YEAR = 2000, 2099
# Bootstrap column per form field (the rest take the whole row), for templates/holidays/_fields.html.
IMPORT_FORM_COLUMNS = {"year": "col-md-3", "publish": "col-md-9", "replace": "col-md-9"}
YEAR_FORM_COLUMNS = {"days_off": "col-md-6", "workdays": "col-md-6"}


def _year_or_404(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return year


def _day_rows(days: dict[dt.date, str], workdays: dict[dt.date, str]) -> list[dict]:
    rows = [{"date": d, "name": holiday_label(n), "workday": False} for d, n in days.items()]
    rows += [{"date": d, "name": holiday_label(n), "workday": True} for d, n in workdays.items()]
    return sorted(rows, key=lambda row: row["date"])


class ManagerMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.can_manage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class YearListView(LoginRequiredMixin, generic.TemplateView):
    template_name = "holidays/year_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rows=services.overview(), can_manage=services.can_manage(self.request.user),
                                        **kwargs)


class YearDetailView(LoginRequiredMixin, generic.TemplateView):
    template_name = "holidays/year_detail.html"

    def get_context_data(self, year: int, **kwargs):
        year = _year_or_404(year)
        schedule = schedule_for(year, published=published_years([year]))
        stored = HolidayYear.objects.filter(year=year).first()
        calendar = WorkCalendar()
        return super().get_context_data(
            year=year, schedule=schedule, stored=stored, rows=_day_rows(schedule.days_off, schedule.workdays),
            working_days=sum(calendar.is_workday(dt.date(year, 1, 1) + dt.timedelta(days=n))
                             for n in range((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days)),
            history=stored.history.select_related("history_user")[:20] if stored else [],
            recomputations=stored.recomputations.all()[:200] if stored else [],
            can_manage=services.can_manage(self.request.user), **kwargs)


class ImportView(ManagerMixin, generic.View):
    template_name = "holidays/import.html"

    def get(self, request):
        year = request.GET.get("year", "")
        initial = {"year": int(year)} if year.isdigit() else {}
        return render(request, self.template_name, {"form": ImportForm(initial=initial),
                                                    "columns": IMPORT_FORM_COLUMNS})

    def post(self, request):
        form = ImportForm(request.POST)
        context = {"form": form, "columns": IMPORT_FORM_COLUMNS}
        if form.is_valid():
            notice, year = form.notice, form.cleaned_data["year"]
            existing = HolidayYear.objects.filter(year=year).first()
            days = services.Days.from_notice(notice)
            context.update(notice=notice, existing=existing, rows=_day_rows(days.days_off, days.workdays))
            if request.POST.get("confirm"):
                if existing is not None and existing.published and not form.cleaned_data["replace"]:
                    form.add_error("replace", _("%(year)d 年的安排已发布;如需替换,请勾选此项。") % {"year": year})
                else:
                    try:
                        saved = services.save_year(days, user=request.user,
                                                   note=notice.document, notice_text=form.cleaned_data["text"],
                                                   publish=form.cleaned_data["publish"], replace=True)
                    except ValidationError as exc:
                        add_service_errors(form, exc)
                    else:
                        messages.success(request, _("%(year)d 年节假日安排已%(what)s。") % {
                            "year": year, "what": _("发布") if saved.published else _("保存为草稿")})
                        return redirect(saved.get_absolute_url())
        return render(request, self.template_name, context, status=200 if form.is_valid() else 400)


class YearEditView(ManagerMixin, generic.View):
    template_name = "holidays/year_form.html"

    def get(self, request, year: int):
        year = _year_or_404(year)
        stored = HolidayYear.objects.filter(year=year).prefetch_related("dates").first()
        # A stored year (a draft too) is edited as it stands; otherwise from the days in use now.
        schedule = schedule_for(year, published={year: stored} if stored else {})
        initial = {"note": stored.note if stored else "",
                   "days_off": "\n".join(f"{d.isoformat()} {n}" for d, n in sorted(schedule.days_off.items())),
                   "workdays": "\n".join(f"{d.isoformat()} {n}" for d, n in sorted(schedule.workdays.items()))}
        return render(request, self.template_name, {"form": YearForm(initial=initial, year=year), "year": year,
                                                    "schedule": schedule, "stored": stored,
                                                    "columns": YEAR_FORM_COLUMNS})

    def post(self, request, year: int):
        year = _year_or_404(year)
        form = YearForm(request.POST, year=year)
        stored = HolidayYear.objects.filter(year=year).first()
        if form.is_valid():
            try:
                saved = services.save_year(form.days, user=request.user, note=form.cleaned_data["note"],
                                           publish=form.cleaned_data["publish"],
                                           replace=form.cleaned_data["replace"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(year)d 年节假日安排已保存。") % {"year": year})
                return redirect(saved.get_absolute_url())
        return render(request, self.template_name, {"form": form, "year": year, "stored": stored,
                                                    "columns": YEAR_FORM_COLUMNS}, status=400)


class PublishView(ManagerMixin, generic.View):
    def post(self, request, year: int):
        stored = get_object_or_404(HolidayYear, year=_year_or_404(year))
        try:
            services.publish(stored, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(year)d 年节假日安排已发布。") % {"year": stored.year})
        return redirect(stored.get_absolute_url())
