"""Activities API: activities (create with a room, status action), sign-ups (`sign_up` / `cancel`), attendance
(organizer entries, `check_in` with the QR code), ratings, clubs (`join` / `leave`), series (preview and
generate) and the 三会一课 compliance report. Every list starts from `restrict(user)`; out of scope is 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.accounts.permissions import can_write
from jiceng.core.drf import StandardPagination, as_drf_error
from jiceng.core.filters import MAX_INT
from jiceng.core.pagination import JoinedLateRowPagination
from jiceng.core.schema import NOT_FOUND
from jiceng.members.models import Member
from jiceng.organizations.models import BRANCH_KINDS, Organization
from jiceng.places.models import Place

from .. import compliance, recurrence, services
from ..filters import ActivityAPIFilterSet
from ..models import Activity, Attendance, Club, MeetingRecord, Rating, Series, SignUp, with_counts
from .serializers import (
    ActivityMessageRequestSerializer,
    ActivityMessageSerializer,
    ActivitySerializer,
    AttendanceRequestSerializer,
    AttendanceSerializer,
    CheckInSerializer,
    ClubMembershipSerializer,
    ClubSerializer,
    ComplianceReportSerializer,
    MeetingPhotoSerializer,
    MeetingPhotoUploadSerializer,
    MeetingRecordSerializer,
    RatingRequestSerializer,
    RatingSerializer,
    SeriesCreatedSerializer,
    SeriesPreviewSerializer,
    SeriesSerializer,
    SignUpCancelledSerializer,
    SignUpCreatedSerializer,
    SignUpRequestSerializer,
    SignUpSerializer,
    SpeakerStatsSerializer,
    StatusSerializer,
)

RELATED = ("organization", "club", "station", "conference", "place")


def _service(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


def _scoped(model, user, pk):
    obj = model.objects.restrict(user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def _room(user, pk):
    """A room id from the API as a Room the user may book (the venues app decides what exists)."""
    if pk is None:
        return None
    from ..forms import room_queryset

    rooms = room_queryset(user)
    room = rooms.filter(pk=pk).first() if rooms is not None else None
    if room is None:
        raise as_drf_error(DjangoValidationError({"room": [_("场地不存在或不可预约。")]}))
    return room


def _int_param(request, name: str):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise as_drf_error(DjangoValidationError({name: [_("应为整数 ID。")]}))
    return int(value)


class ActivityViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ActivitySerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Activity.objects.none()  # for the schema
    filterset_class = ActivityAPIFilterSet
    ordering_fields = ["start", "title"]
    pagination_class = JoinedLateRowPagination

    def get_queryset(self):
        qs = Activity.objects.restrict(self.request.user).select_related(*RELATED).newest_first(self.request.user)
        start_from = self.request.query_params.get("start_from")
        if start_from:
            try:
                qs = qs.filter(start__date__gte=dt.date.fromisoformat(start_from))
            except ValueError:
                raise as_drf_error(DjangoValidationError({"start_from": [_("日期格式应为 YYYY-MM-DD。")]})) \
                    from None
        return qs

    def perform_create(self, serializer):
        if not can_write(self.request.user, Activity):
            raise PermissionDenied
        data = dict(serializer.validated_data)
        room = _room(self.request.user, data.pop("room", None))
        serializer.instance = _service(services.create_activity, user=self.request.user, room=room, **data)

    def perform_update(self, serializer):
        if not services.can_manage(self.request.user, serializer.instance):
            raise PermissionDenied
        data = dict(serializer.validated_data)
        room = _room(self.request.user, data.pop("room", None))
        with transaction.atomic():
            activity = _service(services.update_activity, serializer.instance, user=self.request.user, **data)
            if room is not None:
                _service(services.book_room, activity, room, self.request.user)
        serializer.instance = activity

    @extend_schema(request=StatusSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        activity = self.get_object()
        if not services.can_manage(request.user, activity):
            raise PermissionDenied
        data = StatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = _service(services.set_status, activity, data.validated_data["status"], user=request.user)
        return Response(ActivitySerializer(activity, context={"request": request}).data)


class SignUpViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SignUpSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = SignUp.objects.none()
    filterset_fields = ["activity", "status", "member"]

    def get_queryset(self):
        # By the activity's id, not `activity` (that orders by the activity's own ordering, its start: a sort of
        # every row through a join, 1.6 s for the city's 2,000,000 attendance rows); newest activities first.
        return SignUp.objects.restrict(self.request.user).select_related("member").order_by("-activity_id", "pk")

    @extend_schema(request=SignUpRequestSerializer, responses={201: SignUpCreatedSerializer, 404: NOT_FOUND})
    @action(detail=False, methods=["post"], url_path="sign_up")
    def sign_up(self, request):
        data = SignUpRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = _scoped(Activity, request.user, data.validated_data["activity"])
        member = services.member_for(request.user)
        if member is not None:
            signup = _service(services.sign_up, activity, member=member, user=request.user)
        else:
            signup = _service(services.sign_up, activity, name=data.validated_data["name"],
                              phone=data.validated_data["phone"], user=request.user)
        body = SignUpSerializer(signup).data
        body["message"] = services.signup_message(signup)
        return Response(body, status=201)

    @extend_schema(request=None, responses=SignUpCancelledSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        signup = self.get_object()
        member = services.member_for(request.user)
        if not (member is not None and signup.member_id == member.pk) \
                and not services.can_manage(request.user, signup.activity):
            raise PermissionDenied
        promoted = _service(services.cancel_signup, signup)
        signup.refresh_from_db()
        body = SignUpSerializer(signup).data
        body["promoted"] = promoted.pk if promoted else None
        return Response(body)


class AttendanceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Organizers add attendees (POST); members check in with the QR code (POST …/check_in/)."""

    serializer_class = AttendanceSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Attendance.objects.none()
    filterset_fields = ["activity", "member", "method"]

    def get_queryset(self):
        # As for sign-ups: by the activity's id, which the (activity, member) index gives without a sort.
        return Attendance.objects.restrict(self.request.user).select_related("member").order_by("-activity_id", "pk")

    @extend_schema(request=AttendanceRequestSerializer, responses={201: AttendanceSerializer, 404: NOT_FOUND})
    def create(self, request, *args, **kwargs):
        data = AttendanceRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = _scoped(Activity, request.user, data.validated_data["activity"])
        if not services.can_manage(request.user, activity):
            raise PermissionDenied
        member = Member.objects.filter(pk=data.validated_data["member"]).first()
        if member is None:
            raise as_drf_error(DjangoValidationError({"member": [_("党员不存在。")]}))
        attendance = _service(services.add_attendance, activity, member=member, user=request.user,
                              hours=data.validated_data.get("hours"))
        return Response(AttendanceSerializer(attendance).data, status=201)

    @extend_schema(request=CheckInSerializer, responses={201: AttendanceSerializer, 404: NOT_FOUND})
    @action(detail=False, methods=["post"], url_path="check_in")
    def check_in(self, request):
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The signed code is the authority (it proves presence at the door), not the user's scope.
        activity = Activity.objects.filter(pk=data.validated_data["activity"]).first()
        if activity is None:
            raise Http404
        attendance = _service(services.check_in, activity, code=data.validated_data["code"],
                              member=services.member_for(request.user), user=request.user)
        return Response(AttendanceSerializer(attendance).data, status=201)


class RatingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RatingSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Rating.objects.none()
    filterset_fields = ["activity"]

    def get_queryset(self):
        return Rating.objects.restrict(self.request.user).order_by("-created", "-pk")

    @extend_schema(request=RatingRequestSerializer, responses={201: RatingSerializer, 404: NOT_FOUND})
    def create(self, request, *args, **kwargs):
        data = RatingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = _scoped(Activity, request.user, data.validated_data["activity"])
        rating = _service(services.rate, activity, member=services.member_for(request.user),
                          score=data.validated_data["score"], comment=data.validated_data["comment"])
        return Response(RatingSerializer(rating).data, status=201)


class ClubViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ClubSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Club.objects.none()
    filterset_fields = ["kind", "active", "organization"]

    def get_queryset(self):
        return (Club.objects.restrict(self.request.user).select_related("place", "organization")
                .annotate(member_count=Count("memberships")).order_by("name", "pk"))

    def perform_create(self, serializer):
        if not can_write(self.request.user, Club):
            raise PermissionDenied
        with transaction.atomic():
            club = serializer.save()
            if not services.can_manage(self.request.user, club):
                raise as_drf_error(DjangoValidationError({"place": [_("您不能管理该地域或党组织的社团。")]}))
        club.member_count = club.memberships.count()  # the list's annotation, for the answer

    def perform_update(self, serializer):
        if not services.can_manage(self.request.user, serializer.instance):
            raise PermissionDenied
        with transaction.atomic():
            club = serializer.save()
            if not services.can_manage(self.request.user, club):
                raise as_drf_error(DjangoValidationError({"place": [_("您不能管理该地域或党组织的社团。")]}))

    @extend_schema(request=None, responses={201: ClubMembershipSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        club = self.get_object()
        member = services.member_for(request.user)
        if member is None:
            raise as_drf_error(DjangoValidationError({"member": [_("您的账号没有关联党员信息。")]}))
        membership = _service(services.join_club, club, member)
        return Response(ClubMembershipSerializer(membership).data, status=201)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        club = self.get_object()
        member = services.member_for(request.user)
        if member is None:
            raise as_drf_error(DjangoValidationError({"member": [_("您的账号没有关联党员信息。")]}))
        _service(services.leave_club, club, member)
        return Response(status=204)

    # The whole list, unpaginated and unfiltered (the club list's filters and pages are not this list's).
    @extend_schema(responses=ClubMembershipSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def members(self, request, pk=None):
        club = self.get_object()
        return Response(ClubMembershipSerializer(club.memberships.select_related("member"), many=True).data)


class SeriesViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """POST creates the series and its occurrences; POST …/preview/ only lists the dates and their holiday flags."""

    serializer_class = SeriesSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = Series.objects.none()

    def get_queryset(self):
        return Series.objects.restrict(self.request.user).order_by("-start_date", "pk")

    def _validated(self, request) -> tuple[Series, dict]:
        if not can_write(request.user, Series):
            raise PermissionDenied
        serializer = SeriesSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        extra = {name: data.pop(name) for name in SeriesSerializer.EXTRA if name in data}
        series = Series(**data)
        _service(services.check_organizer_in_scope, request.user, series)
        return series, extra

    @extend_schema(request=SeriesSerializer, responses=SeriesPreviewSerializer)
    @action(detail=False, methods=["post"])
    def preview(self, request):
        series, _extra = self._validated(request)
        occurrences = _service(recurrence.series_occurrences, series)
        return Response({"rrule": series.rrule, "dates": [
            {"date": o.date, "workday": o.workday, "next_workday": o.next_workday,
             "provisional": o.provisional} for o in occurrences]})

    @extend_schema(request=SeriesSerializer, responses={201: SeriesCreatedSerializer})
    def create(self, request, *args, **kwargs):
        series, extra = self._validated(request)
        try:
            choices = {dt.date.fromisoformat(day): value for day, value in extra.get("choices", {}).items()}
        except ValueError:
            raise as_drf_error(DjangoValidationError({"choices": [_("日期格式应为 YYYY-MM-DD。")]})) from None
        room = _room(request.user, extra.get("room"))
        with transaction.atomic():
            series.created_by, series.room = request.user, room
            series.save()
            created = _service(recurrence.generate, series, choices=choices,
                               default=extra.get("holiday_default", recurrence.Choice.MOVE), user=request.user,
                               room=room)
        body = SeriesSerializer(series, context={"request": request}).data
        body["activities"] = [a.pk for a in created]
        return Response(body, status=201)


class ComplianceAPIView(APIView):
    """三会一课 per branch for a quarter: one branch (`organization`) or all branches in a place (`place`); `status`
    keeps the rows of that status (met, gap, open; `ok` is read as met)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("quarter", OpenApiTypes.INT),
        OpenApiParameter("place", OpenApiTypes.INT), OpenApiParameter("organization", OpenApiTypes.INT),
        OpenApiParameter("status", OpenApiTypes.STR, enum=[*compliance.ROW_STATUSES, *compliance.STATUS_ALIASES],
                         description="rows whose branch status is this (met, gap or open; `ok` = met)"),
        OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT),
    ], responses={200: ComplianceReportSerializer, 404: NOT_FOUND})
    def get(self, request):
        default_year, default_quarter = compliance.current_quarter()
        year, quarter = _service(compliance.parse_quarter, request.query_params.get("year") or default_year,
                                 request.query_params.get("quarter") or default_quarter)
        status = request.query_params.get("status") or None
        status = compliance.STATUS_ALIASES.get(status, status)
        if status is not None and status not in compliance.ROW_STATUSES:
            raise as_drf_error(DjangoValidationError({"status": [_("状态须为 met、gap 或 open。")]}))
        branches = Organization.objects.restrict(request.user).filter(kind__in=BRANCH_KINDS)
        organization, place = _int_param(request, "organization"), _int_param(request, "place")
        if organization is not None:
            branches = branches.filter(pk=organization)
            if not branches.exists():
                raise Http404
        elif place is not None:
            place_obj = Place.objects.restrict(request.user).filter(pk=place).first()
            if place_obj is None:
                raise Http404
            branches = branches.filter(place__path__startswith=place_obj.path)
        # The figures (`branches`, `compliant`, `totals`) cover every branch; `rows` is one page of them, with
        # `count`/`next`/`previous` as in every list (a district's 12,000 branches made a 5 s, 20 MB answer).
        result = compliance.report(branches, year, quarter)
        rows = result.rows if status is None else [row for row in result.rows if row.status == status]
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        body = compliance.as_json(result, rows=page)
        body.update(count=len(rows), next=paginator.get_next_link(), previous=paginator.get_previous_link())
        return Response(body)


@extend_schema_view(create=extend_schema(responses={201: MeetingRecordSerializer, 404: NOT_FOUND}))
class MeetingRecordViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The record of an organizational-life meeting (one per activity). Who may see the activity sees its record;
    its organizers write it (403 otherwise). POST …/photos/ adds a photo."""

    serializer_class = MeetingRecordSerializer
    permission_classes = [permissions.IsAuthenticated]
    queryset = MeetingRecord.objects.none()
    filterset_fields = ["activity"]

    def get_queryset(self):
        return (with_counts(MeetingRecord.objects.restrict(self.request.user)).select_related("activity")
                .prefetch_related("photos", "absences__member").order_by("-activity_id"))

    def _save(self, serializer, activity: Activity):
        if not services.can_manage(self.request.user, activity):
            raise PermissionDenied
        data = dict(serializer.validated_data)
        data.pop("activity_id", None)
        absences = data.pop("absences", None)
        if absences is not None:
            absences = {a["member"].pk: a["reason"] for a in absences}
        serializer.instance = _service(services.save_meeting_record, activity, user=self.request.user,
                                       absences=absences, **data)

    def perform_create(self, serializer):
        activity = _scoped(Activity, self.request.user, serializer.validated_data["activity_id"])
        if MeetingRecord.objects.filter(activity=activity).exists():
            raise as_drf_error(DjangoValidationError({"activity": [_("该活动已有会议记录,请修改原记录。")]}))
        self._save(serializer, activity)

    def perform_update(self, serializer):
        serializer.validated_data.pop("activity_id", None)  # a record stays with its activity
        self._save(serializer, serializer.instance.activity)

    @extend_schema(request={"multipart/form-data": MeetingPhotoUploadSerializer},
                   responses={201: MeetingPhotoSerializer, 404: NOT_FOUND})
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        record = self.get_object()
        if not services.can_manage(request.user, record.activity):
            raise PermissionDenied
        data = MeetingPhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _service(services.save_meeting_record, record.activity, user=request.user,
                 photos=[data.validated_data["photo"]])
        photo = record.photos.order_by("-pk").first()
        return Response(MeetingPhotoSerializer(photo, context={"request": request}).data, status=201)


class SpeakerAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=SpeakerStatsSerializer)
    def get(self, request, pk: int):
        if pk > MAX_INT:  # no such member (and beyond what the database can compare)
            raise Http404
        member = services.visible_speaker(request.user, pk)
        if member is None:
            raise Http404
        return Response({"member": member.pk, "name": member.name, **services.speaker_stats(member)})


class ActivityMessageViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The message wall (留言墙): the messages of the activities one moderates (and one's own); `approve` /
    `reject` by the activity's moderators. New messages are pending until approved (activities/wall.py)."""

    serializer_class = ActivityMessageSerializer

    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["activity", "status"]

    def get_queryset(self):
        from ..models import ActivityMessage

        return ActivityMessage.objects.restrict(self.request.user).order_by("-created", "-pk")

    @extend_schema(request=None)
    def create(self, request, *args, **kwargs):
        from .. import wall
        data = ActivityMessageRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = _scoped(Activity, request.user, data.validated_data["activity"])
        message = _service(wall.post_message, activity, text=data.validated_data["text"],
                           name=data.validated_data.get("author_name", ""), user=request.user)
        return Response(ActivityMessageSerializer(message).data, status=201)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._moderate(approve=True)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._moderate(approve=False)

    def _moderate(self, *, approve: bool):
        from .. import wall
        message = self.get_object()
        message = _service(wall.moderate, message, approve=approve, user=self.request.user)
        return Response(ActivityMessageSerializer(message).data)
