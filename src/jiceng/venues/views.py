"""Venue pages: the room list, a room with its photos, hours and week calendar, the booking form, "my bookings",
the station's approval queue, all bookings (with Excel export), one booking, and the room's ICS feed.

Views parse, check scope and role, call `services`, render. Rooms and bookings come through
`restrict(user)`, so anything outside the user's scope is a 404; managing needs `services.can_manage`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.accounts.permissions import can_write
from jiceng.core.scoping import scope_for
from jiceng.core.tables import KEY, STATUS, Column
from jiceng.core.views import ObjectEditView, ObjectListView, get_scoped_or_404, history_rows

from . import ics, services
from .choices import BookingStatus
from .filters import BookingFilterSet, RoomFilterSet
from .forms import BookingForm, PhotoForm, ReasonForm, RoomForm
from .models import Booking, Room, RoomPhoto


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# --- rooms -------------------------------------------------------------------------------------------------
ROOM_COLUMNS = [
    Column("name", _("房间"), link=True),
    Column("place.name", _("所在服务站"), role=KEY),
    Column("street.name", _("街道")),
    Column("capacity", _("容纳人数"), role=KEY),
    Column(lambda r: "、".join(r.equipment_labels), _("设备")),
    Column("hours_label", _("开放时间"), role=KEY),
    Column("active", _("开放预约"), role=STATUS),
]


class RoomListView(ObjectListView):
    model = Room
    filterset_class = RoomFilterSet
    columns = ROOM_COLUMNS
    related = ("place", "street")
    template_name = "venues/room_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["add_url"] = reverse("venues:room_create")
        ctx["is_manager"] = ctx["can_add"]  # a managing role: the approval queue is theirs
        return ctx


def safe_date(value: str | None) -> dt.date | None:
    """A date from a query parameter; anything malformed or absurd (year outside 2000–2100) is ignored."""
    try:
        day = parse_date(value or "")
    except ValueError:
        return None
    return day if day is not None and 2000 <= day.year <= 2100 else None


def week_start(value: str | None) -> dt.date:
    day = safe_date(value) or timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def week_grid(room: Room, monday: dt.date, user) -> dict:
    """The week calendar: one column per day, bookings placed by their share of the open hours."""
    bookings = services.week_bookings(room, monday)
    visible = set(Booking.objects.restrict(user).filter(pk__in=[b.pk for b in bookings]).values_list("pk",
                                                                                                     flat=True))
    open_minutes = (room.closes_at.hour * 60 + room.closes_at.minute) - (room.opens_at.hour * 60
                                                                          + room.opens_at.minute)
    opens = room.opens_at.hour * 60 + room.opens_at.minute
    today = timezone.localdate()
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        blocks = []
        for booking in bookings:
            start, end = booking.local_start, booking.local_end
            if start.date() != day:
                continue
            if booking.status != BookingStatus.APPROVED and booking.pk not in visible:
                continue  # other people's pending requests are theirs and the station's business
            top = max(0, start.hour * 60 + start.minute - opens)
            bottom = min(open_minutes, end.hour * 60 + end.minute - opens)
            blocks.append({
                "booking": booking, "visible": booking.pk in visible,
                "top": round(100 * top / open_minutes, 2),
                "height": round(100 * max(bottom - top, 15) / open_minutes, 2),
            })
        days.append({"date": day, "closed": room.closed_reason(day), "blocks": blocks, "today": day == today,
                     "past": day < today})
    hours = list(range(room.opens_at.hour + (1 if room.opens_at.minute else 0), room.closes_at.hour + 1))
    return {
        "monday": monday, "days": days,
        "previous": monday - dt.timedelta(days=7), "next": monday + dt.timedelta(days=7),
        "hours": [{"label": f"{h:02d}:00", "top": round(100 * (h * 60 - opens) / open_minutes, 2)} for h in hours],
        "height": max(240, open_minutes // 2),
    }


class RoomDetailView(LoginRequiredMixin, generic.View):
    template_name = "venues/room_detail.html"

    def get(self, request, pk):
        room = get_object_or_404(Room.objects.restrict(request.user).select_related("place", "street"), pk=pk)
        manager = services.can_manage(request.user, room)
        monday = week_start(request.GET.get("week"))
        token = ics.feed_token(room, request.user)
        feed_url = request.build_absolute_uri(reverse("venues:room_ics", args=[room.pk])) + f"?token={token}"
        upcoming = Booking.objects.restrict(request.user).filter(
            room=room, end__gte=timezone.now(), status__in=(BookingStatus.REQUESTED, BookingStatus.APPROVED)
        ).select_related("enterprise", "organization", "requested_by").order_by("start")[:20]
        return render(request, self.template_name, {
            "room": room, "object": room, "photos": room.photos.all(), "can_manage": manager,
            "calendar": week_grid(room, monday, request.user), "feed_url": feed_url, "upcoming": upcoming,
            "photo_form": PhotoForm() if manager else None, "history": history_rows(room) if manager else [],
            "opts": Room._meta,
        })


class RoomEditView(ObjectEditView):
    """Create or edit a room: only managers, only at places they manage; the result must stay managed."""

    model = Room
    form_class = RoomForm
    template_name = "venues/room_form.html"

    def scoped_queryset(self):
        return Room.objects.managed_by(self.request.user)


class RoomPhotoView(LoginRequiredMixin, generic.View):
    def get(self, request, pk, photo_id):
        room = get_scoped_or_404(Room, request.user, pk=pk)
        photo = get_object_or_404(room.photos, pk=photo_id)
        response = FileResponse(photo.file.open("rb"), filename=photo.name)
        response["Cache-Control"] = "private, max-age=3600"
        return response


class PhotoUploadView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        room = get_scoped_or_404(Room, request.user, pk=pk)
        if not services.can_manage(request.user, room):
            raise PermissionDenied
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_photo(room, form.cleaned_data["file"], by=request.user,
                                   caption=form.cleaned_data.get("caption", ""))
            except ValidationError as exc:
                _errors_to_messages(request, exc)
            else:
                messages.success(request, _t("已上传照片。"))
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect(room.get_absolute_url() + "#photos")


class PhotoDeleteView(LoginRequiredMixin, generic.View):
    def post(self, request, pk, photo_id):
        room = get_scoped_or_404(Room, request.user, pk=pk)
        photo = get_object_or_404(RoomPhoto.objects.filter(room=room), pk=photo_id)
        try:
            services.delete_photo(photo, by=request.user)
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _t("已删除照片。"))
        return redirect(room.get_absolute_url() + "#photos")


class RoomCalendarFeedView(generic.View):
    """`calendar.ics?token=…`: no session; the signed token names the room and the user (see ics.py)."""

    def get(self, request, pk):
        user = ics.user_for_token(pk, request.GET.get("token", ""))
        room = Room.objects.restrict(user).select_related("place").filter(pk=pk).first() if user else None
        if room is None:
            raise Http404
        response = HttpResponse(ics.room_calendar(room, user), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="room-{room.pk}.ics"'
        response["Cache-Control"] = "private, max-age=300"
        return response


# --- bookings ----------------------------------------------------------------------------------------------
class BookingCreateView(LoginRequiredMixin, generic.View):
    template_name = "venues/booking_form.html"

    def get(self, request, pk):
        room = get_scoped_or_404(Room, request.user, pk=pk)
        initial = {"attendees": None}
        day = safe_date(request.GET.get("date"))
        if day:
            initial["date"] = day
        return self.render(request, room, BookingForm(initial=initial, user=request.user, room=room))

    def post(self, request, pk):
        room = get_scoped_or_404(Room, request.user, pk=pk)
        form = BookingForm(request.POST, user=request.user, room=room)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.request_booking(
                    room=room, start=data["start_at"], end=data["end_at"], requested_by=request.user,
                    purpose=data["purpose"], attendees=data["attendees"], enterprise=data.get("enterprise"),
                    organization=data.get("organization"), auto_approve=request.POST.get("auto_approve") == "1")
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                if booking.status == BookingStatus.APPROVED:
                    messages.success(request, _t("已预约并批准:%(booking)s") % {"booking": booking})
                else:
                    messages.success(request, _t("已提交预约申请,等待服务站审批:%(booking)s") % {"booking": booking})
                return redirect(booking.get_absolute_url())
        return self.render(request, room, form, status=400)

    def render(self, request, room, form, status=200):
        return render(request, self.template_name, {
            "room": room, "form": form, "can_manage": services.can_manage(request.user, room),
        }, status=status)


BOOKING_COLUMNS = [
    Column(lambda b: f"{b.local_start:%Y-%m-%d %H:%M}–{b.local_end:%H:%M}", _("时间"), link=True),
    Column("room.place.name", _("服务站")),
    Column("room.name", _("房间"), role=KEY),
    Column("borrower", _("借用单位/申请人"), role=KEY),
    Column("purpose", _("用途"), role=KEY),
    Column("attendees", _("参加人数")),
    Column("status", _("状态")),
    Column(lambda b: b.requested_by.get_username() if b.requested_by_id else "", _("申请人")),
    Column("created", _("申请时间")),
    Column(lambda b: b.decided_by.get_username() if b.decided_by_id else "", _("审批人")),
    Column("reason", _("驳回/取消理由")),
]
BOOKING_RELATED = ("room", "room__place", "enterprise", "organization", "requested_by", "decided_by")


class BookingListView(ObjectListView):
    """All bookings the user may see; `?export=xlsx` exports them (audited)."""

    model = Booking
    filterset_class = BookingFilterSet
    columns = BOOKING_COLUMNS
    related = BOOKING_RELATED
    template_name = "venues/booking_list.html"
    mine = False

    def scoped_queryset(self):
        qs = super().scoped_queryset().order_by("-start", "-pk")
        if self.mine:
            scope = scope_for(self.request.user)
            qs = qs.filter(Q(requested_by=self.request.user) | Q(enterprise_id__in=scope.enterprise_ids)
                           | (scope.org_q("organization__path") if scope.org_paths else Q(pk__in=[])))
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = False
        ctx["is_manager"] = can_write(self.request.user, Room)
        ctx["mine"] = self.mine
        ctx["title"] = _t("我的预约") if self.mine else _t("场地预约")
        return ctx


class ApprovalQueueView(LoginRequiredMixin, generic.ListView):
    """Requests waiting for the stations the user manages, each with the bookings it would clash with."""

    template_name = "venues/approvals.html"
    paginate_by = 50

    def get_queryset(self):
        return services.approval_queue(self.request.user).select_related(*BOOKING_RELATED).order_by("start", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(rows=services.queue_rows(list(ctx["object_list"])), reason_form=ReasonForm(),
                   is_manager=can_write(self.request.user, Room))
        return ctx


class BookingDetailView(LoginRequiredMixin, generic.View):
    template_name = "venues/booking_detail.html"

    def get(self, request, pk):
        booking = get_object_or_404(Booking.objects.restrict(request.user).select_related(*BOOKING_RELATED,
                                                                                          "cancelled_by"), pk=pk)
        manager = services.can_manage(request.user, booking.room)
        is_open = booking.status in (BookingStatus.REQUESTED, BookingStatus.APPROVED) \
            and booking.end > timezone.now()
        return render(request, self.template_name, {
            "booking": booking, "object": booking, "can_manage": manager,
            "can_decide": manager and booking.status == BookingStatus.REQUESTED and is_open,
            "can_cancel": is_open and services.can_cancel(request.user, booking),
            "clash": booking.clashes().first() if booking.status == BookingStatus.REQUESTED else None,
            "reason_form": ReasonForm(), "history": history_rows(booking), "opts": Booking._meta,
        })


class BookingActionView(LoginRequiredMixin, generic.View):
    """POST approve / reject / cancel; errors come back as messages naming the problem."""

    def post(self, request, pk, action):
        booking = get_object_or_404(Booking.objects.restrict(request.user).select_related("room"), pk=pk)
        reason = request.POST.get("reason", "")
        try:
            if action == "approve":
                booking = services.approve_booking(booking, by=request.user)
                done = _t("已批准预约:%(booking)s")
            elif action == "reject":
                booking = services.reject_booking(booking, by=request.user, reason=reason)
                done = _t("已驳回预约:%(booking)s")
            elif action == "cancel":
                booking = services.cancel_booking(booking, by=request.user, reason=reason)
                done = _t("已取消预约:%(booking)s")
            else:
                raise Http404
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, done % {"booking": booking})
        return redirect(_back(request, booking.get_absolute_url()))
