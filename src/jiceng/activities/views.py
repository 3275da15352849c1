"""Activity pages: list and month calendar, detail (sign-ups, waiting list, attendance, ratings), create/edit,
the series form with a preview of its dates, the door-screen QR page and check-in, attendance lists, the public
sign-up page, clubs, the 三会一课 compliance report, speakers and ICS feeds.

Views parse, check scope and role, call services and render. Objects come through `restrict(user)` (out of
scope → 404); managing needs `services.can_manage` (→ 403).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.accounts.models import AuditEvent
from jiceng.accounts.permissions import can_write
from jiceng.core import audit
from jiceng.core.audit import client_ip
from jiceng.core.excel import xlsx_response
from jiceng.core.pagination import JoinedLateRowPaginator
from jiceng.core.scoping import scope_for
from jiceng.core.tables import KEY, SECONDARY, Column
from jiceng.core.views import ObjectEditView, ObjectListView, get_scoped_or_404, history_rows
from jiceng.demands import intake
from jiceng.matrix.tags import tag_text
from jiceng.members.models import Member
from jiceng.organizations.models import BRANCH_KINDS, Organization
from jiceng.places.models import Place

from . import compliance, feeds, services
from .filters import ActivityFilterSet, ClubFilterSet, by_organizer
from .forms import (
    ActivityForm,
    ClubForm,
    ClubMemberForm,
    MeetingRecordForm,
    PublicSignUpForm,
    RatingForm,
    SeriesForm,
)
from .models import (
    ACTIVE_SIGNUP_STATUSES,
    Activity,
    ActivityStatus,
    Attendance,
    Club,
    ClubMembership,
    MeetingPhoto,
    MeetingRecord,
    Rating,
    Series,
    SignUp,
    SignUpStatus,
)
from .recurrence import Choice, generate, series_occurrences


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def error_text(exc: ValidationError) -> str:
    return ";".join(exc.messages)


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


ACTIVITY_COLUMNS = [
    Column("title", _("标题")),
    Column("kind", _("类型")),
    Column(lambda a: a.organizer_label, _("主办方"), role=KEY),
    Column(lambda a: _local(a.start), _("开始时间"), role=KEY),
    Column(lambda a: a.location or (a.place.name if a.place_id else ""), _("地点"), role=KEY),
    Column("speaker_name", _("主讲人")),
    Column("status", _("状态")),
    Column(tag_text, _("党建矩阵"), role=SECONDARY),
]
ACTIVITY_RELATED = ("organization", "club", "station", "conference", "place")


class ActivityListView(ObjectListView):
    model = Activity
    filterset_class = ActivityFilterSet
    columns = ACTIVITY_COLUMNS
    related = ACTIVITY_RELATED
    paginator_class = JoinedLateRowPaginator
    add_url = reverse_lazy("activities:activity_add")
    template_name = "activities/activity_list.html"

    def dispatch(self, request, *args, **kwargs):
        # One address for everyone (issue 19): staff keep their list; a visitor, or a signed-in person without a
        # role (a self-registered white-collar worker), sees the upcoming public activities (docs/decisions/077).
        if not services.has_staff_view(request.user):
            from jiceng.portal.views import PublicActivityListView

            return PublicActivityListView.as_view()(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def scoped_queryset(self):
        return by_organizer(super().scoped_queryset(), self.request.GET).newest_first(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = ctx["can_add"] and can_write(self.request.user, Activity)
        ctx["series_url"] = reverse("activities:series_add")
        ctx.update(_feed_links(self.request))
        return ctx


def _feed_links(request) -> dict:
    """Calendar subscription links the user may see: their own sign-ups and the organizations they lead."""
    user = request.user
    links = []
    member = services.member_for(user)
    if member is not None:
        links.append((_t("我报名的活动"), _feed_url(request, feeds.MEMBER, member.pk)))
    scope = scope_for(user)
    if scope.org_paths:
        for org in Organization.objects.filter(scope.org_q("path"), kind__in=BRANCH_KINDS)[:5]:
            links.append((org.name, _feed_url(request, feeds.ORGANIZATION, org.pk)))
    return {"feed_links": links}


def _feed_url(request, kind: str, pk: int) -> str:
    return request.build_absolute_uri(reverse("activities:feed", args=[feeds.feed_token(kind, pk)]))


class CalendarView(LoginRequiredMixin, generic.TemplateView):
    """A month grid of the activities the user can see (same filters as the list)."""

    template_name = "activities/calendar.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        raw = self.request.GET.get("month", "")
        try:
            year, month = (int(part) for part in raw.split("-")) if raw else (None, None)
            first = dt.date(year, month, 1) if raw else timezone.localdate().replace(day=1)
            if not 2000 <= first.year <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            raise Http404 from None
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
        start = timezone.make_aware(dt.datetime.combine(weeks[0][0], dt.time()))
        end = timezone.make_aware(dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time()))
        params = self.request.GET.copy()
        params.pop("month", None)
        filterset = ActivityFilterSet(params or None, request=self.request,
                                      queryset=by_organizer(Activity.objects.restrict(self.request.user), params))
        qs = filterset.qs if filterset.is_bound else filterset.queryset
        by_day = defaultdict(list)
        for activity in qs.filter(start__gte=start, start__lt=end).select_related(*ACTIVITY_RELATED) \
                .order_by("start", "pk")[:2000]:
            by_day[timezone.localtime(activity.start).date()].append(activity)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        ctx.update(
            first=first, filterset=filterset, querystring=params.urlencode(),
            weeks=[[(day, by_day.get(day, [])) for day in week] for week in weeks],
            previous=f"{previous:%Y-%m}", next=f"{following:%Y-%m}", today=timezone.localdate(),
            weekday_names=[_t("一"), _t("二"), _t("三"), _t("四"), _t("五"), _t("六"), _t("日")],
        )
        return ctx


class ActivityDetailView(LoginRequiredMixin, generic.DetailView):
    model = Activity
    template_name = "activities/activity_detail.html"

    def get_queryset(self):
        return Activity.objects.restrict(self.request.user).select_related(
            *ACTIVITY_RELATED, "speaker", "series", "booking__room")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        activity, user = self.object, self.request.user
        member = services.member_for(user)
        manage = services.can_manage(user, activity)
        signups = activity.signups.select_related("member").order_by("position", "created", "pk")
        mine = signups.filter(member=member, status__in=ACTIVE_SIGNUP_STATUSES).first() if member else None
        attended = bool(member) and activity.attendances.filter(member=member).exists()
        rated = bool(member) and activity.ratings.filter(member=member).exists()
        now = timezone.now()
        ctx.update(
            manage=manage, member=member, my_signup=mine, attended=attended,
            confirmed=[s for s in signups if s.status == SignUpStatus.CONFIRMED],
            waiting=[s for s in signups if s.status == SignUpStatus.WAITLISTED],
            attendances=activity.attendances.select_related("member").order_by("checked_in_at", "pk"),
            ratings=activity.ratings.select_related("member") if manage else activity.ratings.none(),
            rating=services.rating_summary(activity.ratings.all()),
            speaker_stats=services.speaker_stats(activity.speaker) if activity.speaker_id else None,
            can_sign_up=member is not None and mine is None and activity.status == ActivityStatus.PLANNED
            and now < activity.start,
            can_rate=activity.has_speaker and attended and not rated,
            rating_form=RatingForm(), history=history_rows(activity, limit=20) if manage else [],
            public_url=self.request.build_absolute_uri(reverse("activities:public_sign_up", args=[activity.pk]))
            if activity.public else "",
            started=now >= activity.start,
            # Link the series only for those who may open it (members see occurrences, not the series).
            series_visible=bool(activity.series_id) and Series.objects.restrict(user).filter(
                pk=activity.series_id).exists(),
        )
        if activity.organization_id and (manage or member is not None):
            ctx["feed_url"] = _feed_url(self.request, feeds.ORGANIZATION, activity.organization_id)
        ctx.update(self.record_context(activity, manage))
        return ctx

    def record_context(self, activity: Activity, manage: bool, form=None) -> dict:
        """The meeting record of an organizational-life meeting, and its form for the organizers."""
        if not (activity.is_organizational_life and activity.organization_id):
            return {}
        record = (MeetingRecord.objects.filter(activity=activity).select_related("chair", "recorder")
                  .prefetch_related("photos", "absences__member").first())
        if manage and form is None:
            form = MeetingRecordForm(instance=record, activity=activity)
        return {"record": record, "record_form": form if manage else None, "can_record": manage}


class MeetingRecordView(ActivityDetailView):
    """POST the meeting record form of the activity page; its errors show on the page (400), naming the field."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = activity = self.get_object()
        if not services.can_manage(request.user, activity):
            raise PermissionDenied
        record = MeetingRecord.objects.filter(activity=activity).first()
        form = MeetingRecordForm(request.POST, request.FILES, instance=record, activity=activity)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in MeetingRecordForm.Meta.fields}
            photo = form.cleaned_data.get("photo")
            try:
                services.save_meeting_record(activity, user=request.user, absences=form.absences(),
                                             photos=[photo] if photo else [], **data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _t("会议记录已保存。"))
                return redirect(f"{activity.get_absolute_url()}#meeting-record")
        ctx = self.get_context_data(object=activity)
        ctx.update(self.record_context(activity, True, form))
        return self.render_to_response(ctx, status=400)


class MeetingPhotoView(LoginRequiredMixin, generic.View):
    """A meeting photo, to whoever may see the activity (404 otherwise), as the type its content was checked to be."""

    def get(self, request, pk, photo_pk):
        activity = get_scoped_or_404(Activity, request.user, pk=pk)
        photo = get_object_or_404(MeetingPhoto, pk=photo_pk, record__activity=activity)
        response = FileResponse(photo.file.open("rb"), content_type=f"image/{photo.format}")
        response["Content-Disposition"] = "inline"
        response["Cache-Control"] = "private, max-age=3600"
        return response


class ManageMixin(LoginRequiredMixin):
    """The activity must be in scope (else 404) and the user its organizer (else 403)."""

    def get_activity(self) -> Activity:
        activity = get_scoped_or_404(Activity, self.request.user, pk=self.kwargs["pk"])
        if not services.can_manage(self.request.user, activity):
            raise PermissionDenied
        return activity


class ActivityEditView(LoginRequiredMixin, generic.FormView):
    form_class = ActivityForm
    template_name = "activities/activity_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = None
        if "pk" in kwargs:
            self.object = get_scoped_or_404(Activity, request.user, pk=kwargs["pk"])
            if not services.can_manage(request.user, self.object):
                raise PermissionDenied
        elif not can_write(request.user, Activity):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(user=self.request.user, instance=self.object)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        club = self.request.GET.get("club", "")
        if self.object is None and club.isdigit():
            initial["club"] = int(club)
        return initial

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        room = data.pop("room", None)
        try:
            if self.object is None:
                activity = services.create_activity(user=self.request.user, room=room, **data)
            else:
                activity = services.update_activity(self.object, user=self.request.user, **data)
                if room is not None:
                    services.book_room(activity, room, self.request.user)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _t("已保存。"))
        return redirect(activity.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object, "opts": Activity._meta}


class ActivityStatusView(ManageMixin, generic.View):
    def post(self, request, pk):
        activity = self.get_activity()
        try:
            services.set_status(activity, request.POST.get("status", ""), user=request.user)
            messages.success(request, _t("活动状态已更新。"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(activity.get_absolute_url())


class SignUpView(LoginRequiredMixin, generic.View):
    """A member signs up on the activity page or from "my activities"."""

    def post(self, request, pk):
        activity = get_scoped_or_404(Activity, request.user, pk=pk)
        try:
            signup = services.sign_up(activity, member=services.member_for(request.user) or _no_member(),
                                      user=request.user)
            messages.success(request, services.signup_message(signup))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(_next(request, activity.get_absolute_url()))


def _no_member():
    raise ValidationError({"member": _t("您的账号没有关联党员信息,请使用公开报名或联系组织者。")})


def _next(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


class SignUpCancelView(LoginRequiredMixin, generic.View):
    """Members cancel their own sign-up; organizers may cancel anyone's."""

    def post(self, request, pk, signup_pk):
        activity = get_scoped_or_404(Activity, request.user, pk=pk)
        signup = get_object_or_404(SignUp, pk=signup_pk, activity=activity)
        member = services.member_for(request.user)
        own = member is not None and signup.member_id == member.pk
        if not own and not services.can_manage(request.user, activity):
            raise PermissionDenied
        try:
            promoted = services.cancel_signup(signup)
            messages.success(request, _t("已取消报名。") + (
                _t("候补的 %(name)s 已自动递补。") % {"name": promoted.display_name} if promoted else ""))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(_next(request, activity.get_absolute_url()))


class RateView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        activity = get_scoped_or_404(Activity, request.user, pk=pk)
        form = RatingForm(request.POST)
        if not form.is_valid():
            messages.error(request, _t("请选择 1 至 5 分。"))
            return redirect(activity.get_absolute_url())
        try:
            services.rate(activity, member=services.member_for(request.user), score=form.cleaned_data["score"],
                          comment=form.cleaned_data["comment"])
            messages.success(request, _t("感谢您的评价。"))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(activity.get_absolute_url())


class DoorView(ManageMixin, generic.TemplateView):
    """The door screen: a QR code with a fresh signed code; the page swaps in a new one every minute."""

    template_name = "activities/door.html"

    def get_template_names(self):
        return ["activities/_door_code.html"] if self.request.headers.get("HX-Request") else [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        activity = self.get_activity()
        opens, closes = services.checkin_window(activity)
        now = timezone.now()
        ctx.update(activity=activity, opens=opens, closes=closes, open=opens <= now <= closes,
                   checked_in=activity.attendances.count())
        if ctx["open"] and activity.status != ActivityStatus.CANCELLED:
            url = self.request.build_absolute_uri(services.checkin_path(activity))
            ctx.update(checkin_url=url, qr=feeds.qr_svg(url))
        return ctx


class CheckInView(LoginRequiredMixin, generic.TemplateView):
    """Behind the QR: sign in if needed, confirm, and the attendance is recorded."""

    template_name = "activities/check_in.html"

    def get_activity(self, code: str) -> Activity:
        # The signed code, not the user's scope, is the authority here: it proves presence at the door. Without
        # a code issued for this activity the page does not exist for anyone who cannot see the activity.
        activity = get_object_or_404(Activity.objects.select_related(*ACTIVITY_RELATED), pk=self.kwargs["pk"])
        if not services.checkin_code_is_authentic(activity, code) and \
                not Activity.objects.restrict(self.request.user).filter(pk=activity.pk).exists():
            raise Http404
        return activity

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        code = self.request.GET.get("code", "")
        activity = self.get_activity(code)
        member = services.member_for(self.request.user)
        error = None
        try:
            services.verify_checkin_code(activity, code)
            if member is None:
                _no_member_checkin()
            if Attendance.objects.filter(activity=activity, member=member).exists():
                raise ValidationError({"member": _t("您已签到,无需重复签到。")})
        except ValidationError as exc:
            error = error_text(exc)
        ctx.update(activity=activity, code=code, member=member, error=error)
        return ctx

    def post(self, request, pk):
        activity = self.get_activity(request.POST.get("code", ""))
        try:
            services.check_in(activity, code=request.POST.get("code", ""), member=services.member_for(request.user),
                              user=request.user)
        except ValidationError as exc:
            return render(request, self.template_name, {"activity": activity, "error": error_text(exc)},
                          status=400)
        messages.success(request, _t("签到成功,欢迎参加“%(title)s”。") % {"title": activity.title})
        return redirect(activity.get_absolute_url())


def _no_member_checkin():
    raise ValidationError({"member": _t("您的账号没有关联党员信息,无法扫码签到;请联系组织者在名单中登记。")})


class AttendanceView(ManageMixin, generic.TemplateView):
    """The organizer ticks attendees: members signed up and the organizing organization's or club's members."""

    template_name = "activities/attendance.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        activity = self.get_activity()
        present = dict(activity.attendances.filter(member__isnull=False).values_list("member_id", "method"))
        signed = set(activity.signups.filter(status__in=ACTIVE_SIGNUP_STATUSES, member__isnull=False)
                     .values_list("member_id", flat=True))
        candidates = services.attendance_candidates(activity)[:2000]
        public_present = set(activity.attendances.filter(member__isnull=True).values_list("phone", flat=True))
        ctx.update(activity=activity, rows=[(m, m.pk in present, present.get(m.pk), m.pk in signed)
                                            for m in candidates],
                   public=[(s, s.phone in public_present) for s in
                           activity.signups.filter(member__isnull=True, status__in=ACTIVE_SIGNUP_STATUSES)])
        return ctx

    def post(self, request, pk):
        activity = self.get_activity()
        try:
            result = services.record_attendance(activity, member_ids=request.POST.getlist("member"),
                                                signup_ids=request.POST.getlist("signup"), user=request.user)
            messages.success(request, _t("出席名单已保存:新增 %(added)d 人,移除 %(removed)d 人。") % result)
        except (ValidationError, ValueError) as exc:
            messages.error(request, error_text(exc) if isinstance(exc, ValidationError) else _t("名单数据无效。"))
            return redirect("activities:attendance", pk=activity.pk)
        return redirect(activity.get_absolute_url())


class PublicSignUpView(generic.FormView):
    """No login: anyone signs up for a public activity with a name and mobile number (throttled, spam-checked
    like the public demand form)."""

    form_class = PublicSignUpForm
    template_name = "activities/public_sign_up.html"

    def dispatch(self, request, *args, **kwargs):
        self.activity = get_object_or_404(Activity.objects.select_related("place", *ACTIVITY_RELATED),
                                          pk=kwargs["pk"], public=True)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = {**super().get_initial(), "form_token": intake.form_token()}
        user = self.request.user
        if user.is_authenticated:  # signed in: the account's name is filled in and the sign-up is tied to it
            initial["name"] = user.get_full_name() or user.get_username()
            # and the mobile number the account was registered with (jiceng.channels' verified contact), if any
            contact = getattr(user, "contact", None)
            if contact is not None and contact.mobile:
                initial["phone"] = contact.mobile
        return initial

    def get_context_data(self, **kwargs):
        from .wall import approved_messages, message_form

        return {**super().get_context_data(**kwargs), "activity": self.activity,
                "wall": approved_messages(self.activity), "wall_form": message_form(self.request)}

    def post(self, request, *args, **kwargs):
        if intake.throttled(client_ip(request)):
            return render(request, "activities/public_throttled.html", {"activity": self.activity}, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        reason = intake.spam_reason(data["form_token"], data.get("website", ""))
        if reason:
            form.add_error(None, _t("提交得太快了,请稍等几秒再点“提交”。") if reason == "too_fast"
                           else _t("提交过快或表单已过期,请刷新页面后重试。"))
            return self.form_invalid(form)
        try:
            signup = services.sign_up(self.activity, name=data["name"], phone=data["phone"],
                                      user=self.request.user if self.request.user.is_authenticated else None)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        intake.record_submission(client_ip(self.request))
        return render(self.request, "activities/public_done.html",
                      {"activity": self.activity, "signup": signup, "message": services.signup_message(signup)})

    def form_invalid(self, form):
        # The clock runs from the first render: fixing an error never makes the resubmission "too fast".
        form.data = form.data.copy()
        form.data["form_token"] = intake.token_for_retry(form.data.get("form_token", ""))
        return super().form_invalid(form)


class MyActivitiesView(LoginRequiredMixin, generic.TemplateView):
    template_name = "activities/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = services.member_for(self.request.user)
        now = timezone.now()
        ctx["member"] = member
        if member is not None:
            signups = (SignUp.objects.filter(member=member, status__in=ACTIVE_SIGNUP_STATUSES)
                       .select_related("activity", "activity__place").order_by("activity__start"))
            ctx["upcoming"] = [s for s in signups if s.activity.end >= now]
            signed = {s.activity_id for s in signups}
            ctx["open"] = (Activity.objects.restrict(self.request.user)
                           .filter(status=ActivityStatus.PLANNED, start__gt=now)
                           .exclude(pk__in=signed).select_related(*ACTIVITY_RELATED).order_by("start")[:20])
            ctx["attended"] = (Attendance.objects.filter(member=member).select_related("activity")
                               .order_by("-checked_in_at")[:50])
            ctx["speaker_stats"] = services.speaker_stats(member)
        ctx.update(_feed_links(self.request))
        return ctx


# --- series ------------------------------------------------------------------------------------------------------
class SeriesCreateView(LoginRequiredMixin, generic.FormView):
    """Fill in the rule, preview its dates (holidays flagged, a choice per flagged date), then create."""

    form_class = SeriesForm
    template_name = "activities/series_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, Series):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        series = form.save(commit=False)
        room = form.cleaned_data.get("room")
        try:
            services.check_organizer_in_scope(self.request.user, series)
            series.full_clean()
            occurrences = series_occurrences(series)
        except ValidationError as exc:
            add_errors(form, exc)
            return self.form_invalid(form)
        if "confirm" not in self.request.POST:
            return self.render_to_response(self.get_context_data(form=form, occurrences=occurrences,
                                                                 default=form.cleaned_data["holiday_default"]))
        try:
            with transaction.atomic():
                series.created_by, series.room = self.request.user, room
                series.save()
                created = generate(series, choices=form.occurrence_choices(occurrences),
                                   default=form.cleaned_data["holiday_default"], user=self.request.user, room=room)
        except ValidationError as exc:
            series.pk = None
            add_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form, occurrences=occurrences,
                                                                 default=form.cleaned_data["holiday_default"]))
        messages.success(self.request, _t("已创建系列活动,共 %(n)d 次。") % {"n": len(created)})
        return redirect(series.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["choices"] = [(Choice.MOVE, _t("顺延")), (Choice.KEEP, _t("照常")), (Choice.SKIP, _t("跳过"))]
        return ctx


class SeriesDetailView(LoginRequiredMixin, generic.DetailView):
    model = Series
    template_name = "activities/series_detail.html"

    def get_queryset(self):
        return Series.objects.restrict(self.request.user).select_related("organization", "club", "station")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["activities"] = self.object.activities.order_by("start")
        ctx["manage"] = services.can_manage(self.request.user, self.object)
        return ctx


# --- clubs -------------------------------------------------------------------------------------------------------
CLUB_COLUMNS = [
    Column("name", _("名称")),
    Column("kind", _("类型"), role=KEY),
    Column("place.name", _("所在地域")),
    Column("organization.name", _("指导党组织"), role=KEY),
    Column("member_count", _("成员数"), role=KEY),
]


class ClubListView(ObjectListView):
    model = Club
    filterset_class = ClubFilterSet
    columns = CLUB_COLUMNS
    related = ("place", "organization")
    add_url = reverse_lazy("activities:club_add")

    def scoped_queryset(self):
        return super().scoped_queryset().annotate(member_count=Count("memberships")).order_by("name", "pk")


class ClubDetailView(LoginRequiredMixin, generic.DetailView):
    model = Club
    template_name = "activities/club_detail.html"

    def get_queryset(self):
        return Club.objects.restrict(self.request.user).select_related("place", "organization")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        club, user = self.object, self.request.user
        member = services.member_for(user)
        manage = services.can_manage(user, club)
        ctx.update(
            manage=manage, member=member,
            memberships=club.memberships.select_related("member").order_by("role", "joined", "pk"),
            is_member=member is not None and club.memberships.filter(member=member).exists(),
            activities=Activity.objects.restrict(user).filter(club=club).order_by("-start")[:30],
            add_form=ClubMemberForm(user=user, club=club) if manage else None,
            history=history_rows(club, limit=20) if manage else [],
        )
        return ctx


class ClubEditView(ObjectEditView):
    model = Club
    form_class = ClubForm

    def get_object(self, queryset=None):
        club = super().get_object(queryset)
        if club is not None and not services.can_manage(self.request.user, club):
            raise PermissionDenied
        return club


class ClubMembershipView(LoginRequiredMixin, generic.View):
    """join / leave (a member for themself) and add / remove (the club's organizer)."""

    def post(self, request, pk, action):
        club = get_scoped_or_404(Club, request.user, pk=pk)
        member = services.member_for(request.user)
        try:
            if action in ("join", "leave"):
                if member is None:
                    raise ValidationError(_t("您的账号没有关联党员信息。"))
                if action == "join":
                    services.join_club(club, member)
                    messages.success(request, _t("已加入社团。"))
                else:
                    services.leave_club(club, member)
                    messages.success(request, _t("已退出社团。"))
            elif action in ("add", "remove"):
                if not services.can_manage(request.user, club):
                    raise PermissionDenied
                if action == "add":
                    form = ClubMemberForm(request.POST, user=request.user, club=club)
                    if not form.is_valid():
                        raise ValidationError(";".join(e for errors in form.errors.values() for e in errors))
                    services.join_club(club, form.cleaned_data["member"], role=form.cleaned_data["role"])
                    messages.success(request, _t("已添加成员。"))
                else:
                    target = get_object_or_404(ClubMembership, club=club, pk=request.POST.get("membership") or 0)
                    services.leave_club(club, target.member)
                    messages.success(request, _t("已移除成员。"))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return redirect(club.get_absolute_url())


# --- compliance --------------------------------------------------------------------------------------------------
class ComplianceView(LoginRequiredMixin, generic.TemplateView):
    """三会一课 per branch and quarter: one branch (`organization`) or every branch in a place (`place`)."""

    template_name = "activities/compliance.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        default_year, default_quarter = compliance.current_quarter()
        try:
            self.year, self.quarter = compliance.parse_quarter(request.GET.get("year") or default_year,
                                                               request.GET.get("quarter") or default_quarter)
        except ValidationError as exc:
            return render(request, "activities/compliance.html", {"error": error_text(exc)}, status=400)
        branches = Organization.objects.restrict(request.user).filter(kind__in=BRANCH_KINDS)
        self.place = self.organization = None
        place_id, org_id = request.GET.get("place", ""), request.GET.get("organization", "")
        if org_id:
            self.organization = branches.filter(pk=org_id).first() if org_id.isdigit() else None
            if self.organization is None:
                raise Http404
            branches = branches.filter(pk=self.organization.pk)
        elif place_id:
            self.place = Place.objects.restrict(request.user).filter(pk=place_id).first() \
                if place_id.isdigit() else None
            if self.place is None:
                raise Http404
            branches = branches.filter(place__path__startswith=self.place.path)
        self.report = compliance.report(branches, self.year, self.quarter)
        if request.GET.get("export") == "xlsx":
            audit.record(request, AuditEvent.Action.EXPORT, object_type="activities.compliance",
                         detail=request.GET.urlencode())
            return xlsx_response(f"compliance-{self.year}Q{self.quarter}.xlsx", compliance.excel_sheets(self.report))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = Paginator(self.report.rows, self.paginate_by).get_page(self.request.GET.get("page"))
        params = self.request.GET.copy()
        params.pop("page", None)
        scope = scope_for(self.request.user)
        places = Place.objects.restrict(self.request.user).filter(
            kind__in=["district", "street", "park", "commercial_building", "community", "market", "building"])
        if not scope.everything and not (scope.district_ids or scope.street_ids or scope.place_paths):
            places = places.none()
        ctx.update(report=self.report, page_obj=page, rows=page.object_list, querystring=params.urlencode(),
                   gap_branches=self.report.branches - self.report.compliant,
                   place=self.place, organization=self.organization, year=self.year, quarter=self.quarter,
                   places=places.order_by("path")[:500], years=range(timezone.localdate().year + 1,
                                                                      timezone.localdate().year - 5, -1))
        return ctx


# --- speakers and feeds ------------------------------------------------------------------------------------------
class SpeakerView(LoginRequiredMixin, generic.TemplateView):
    """A lecturer's talks and their average rating (seed 004: the audience rates the youth micro-lecturers)."""

    template_name = "activities/speaker.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        speaker = services.visible_speaker(self.request.user, self.kwargs["pk"])
        if speaker is None:
            raise Http404
        talks = (Activity.objects.restrict(self.request.user).filter(speaker=speaker)
                 .select_related(*ACTIVITY_RELATED).order_by("-start")
                 .prefetch_related(Prefetch("ratings", queryset=Rating.objects.order_by("-created"))))
        ctx.update(speaker=speaker, stats=services.speaker_stats(speaker), talks=talks[:100],
                   profile_visible=Member.objects.restrict(self.request.user).filter(pk=speaker.pk).exists())
        return ctx


def feed(request, token: str):
    try:
        kind, pk = feeds.read_token(token)
    except signing.BadSignature:
        raise Http404 from None
    if kind == feeds.ORGANIZATION:
        owner = Organization.objects.filter(pk=pk).first()
    else:
        owner = Member.objects.filter(pk=pk).first()
    if owner is None:
        raise Http404
    name = _t("%(name)s 的活动") % {"name": owner.name}
    body = feeds.ics(feeds.feed_activities(kind, pk), name, request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="activities-{kind}-{pk}.ics"'
    return response



# --- the message wall (留言墙) ---------------------------------------------------------------------------------------
class WallPostView(generic.View):
    """POST a message to a public activity's wall (signed up, or signed in); shown after moderation. Throttled per
    client like the other public forms (demands/intake.py)."""

    def post(self, request, pk):
        from . import wall

        activity = get_object_or_404(Activity.objects.select_related(*ACTIVITY_RELATED), pk=pk, public=True)
        ip = client_ip(request)
        if intake.throttled(ip):
            return render(request, "activities/public_throttled.html", {"activity": activity}, status=429)
        form = wall.message_form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                wall.post_message(activity, text=data["text"], name=data.get("name", ""),
                                  phone=data.get("phone", ""), user=request.user)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                intake.record_submission(ip)
                messages.success(request, _t("留言已提交,审核通过后显示。"))
                return redirect(reverse("activities:public_sign_up", args=[activity.pk]) + "#wall")
        ctx = {"activity": activity, "form": PublicSignUpForm(initial={"form_token": intake.form_token()}),
               "wall": wall.approved_messages(activity), "wall_form": form}
        return render(request, "activities/public_sign_up.html", ctx, status=400)


class WallModerationView(LoginRequiredMixin, generic.TemplateView):
    """The moderators' queue: pending messages on the activities the user manages; approve or reject each."""

    template_name = "activities/wall_queue.html"

    def get_context_data(self, **kwargs):
        from . import wall

        ctx = super().get_context_data(**kwargs)
        ctx["pending"] = list(wall.moderation_queue(self.request.user)[:200])
        return ctx

    def post(self, request):
        from . import wall
        from .models import ActivityMessage

        message = get_object_or_404(ActivityMessage.objects.restrict(request.user).select_related("activity"),
                                    pk=request.POST.get("message") if str(request.POST.get("message", "")).isdigit()
                                    else 0)
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            messages.error(request, _t("请选择通过或不通过。"))
        else:
            wall.moderate(message, approve=decision == "approve", user=request.user)
            messages.success(request, _t("已通过,留言将显示在活动页面。") if decision == "approve"
                             else _t("已设为不通过,留言不会显示。"))
        return redirect("activities:wall_queue")
