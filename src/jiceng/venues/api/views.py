"""Venues API: `/api/venues/rooms/` (scoped list/detail; managers create, edit and upload photos) and
`/api/venues/bookings/` (scoped list/detail/create; approve, reject, cancel actions). Rules are the services'."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiceng.core.api import ScopedModelViewSet
from jiceng.core.drf import as_drf_error

from .. import services
from ..filters import ApiBookingFilterSet, ApiRoomFilterSet
from ..models import Booking, Room
from .serializers import (
    BookingCreateSerializer,
    BookingSerializer,
    PhotoUploadSerializer,
    ReasonSerializer,
    RejectSerializer,
    RoomDetailSerializer,
    RoomPhotoSerializer,
    RoomSerializer,
)


class RoomViewSet(ScopedModelViewSet):
    base_queryset = Room.objects.select_related("place").prefetch_related("photos")
    filterset_class = ApiRoomFilterSet
    ordering_fields = ["name", "capacity"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_serializer_class(self):
        return RoomDetailSerializer if self.action == "retrieve" else RoomSerializer

    def get_queryset(self):
        return super().get_queryset().order_by("place__path", "name", "pk")

    def _require_manager(self, room: Room) -> None:
        if not services.can_manage(self.request.user, room):
            raise PermissionDenied(_("只有该房间所在服务站的管理人员可以修改。"))

    def _save_in_scope(self, serializer):
        with transaction.atomic():
            room = serializer.save()
            if not Room.objects.managed_by(self.request.user).filter(pk=room.pk).exists():
                raise ValidationError({"place": [_("保存后的场地不在您管理的范围内。")]})

    def perform_update(self, serializer):
        self._require_manager(serializer.instance)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        self._require_manager(instance)
        if instance.bookings.exists():
            raise ValidationError({"non_field_errors": [_("该房间已有预约记录,不能删除;可设为暂停预约。")]})
        super().perform_destroy(instance)

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses={201: RoomPhotoSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request, pk=None):
        room = self.get_object()
        self._require_manager(room)
        data = PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            photo = services.add_photo(room, data.validated_data["file"], by=request.user,
                                       caption=data.validated_data["caption"])
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(RoomPhotoSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)


class BookingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = ApiBookingFilterSet
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["start", "created", "status"]
    queryset = Booking.objects.none()  # for the schema; requests use the scoped one

    def get_queryset(self):
        return (Booking.objects.restrict(self.request.user)
                .select_related("room", "room__place", "requested_by", "decided_by", "cancelled_by",
                                "enterprise", "organization").order_by("-start", "-pk"))

    def get_serializer_class(self):
        return BookingCreateSerializer if self.action == "create" else BookingSerializer

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request, *args, **kwargs):
        data = BookingCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            booking = services.request_booking(requested_by=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)

    def _act(self, booking: Booking, call):
        try:
            booking = call()
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(BookingSerializer(booking).data)

    @extend_schema(request=None, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        booking = self.get_object()
        if not services.can_manage(request.user, booking.room):
            raise PermissionDenied(_("只有该房间所在服务站的管理人员可以审批。"))
        return self._act(booking, lambda: services.approve_booking(booking, by=request.user))

    @extend_schema(request=RejectSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        booking = self.get_object()
        if not services.can_manage(request.user, booking.room):
            raise PermissionDenied(_("只有该房间所在服务站的管理人员可以审批。"))
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(booking, lambda: services.reject_booking(booking, by=request.user,
                                                                  reason=data.validated_data["reason"]))

    @extend_schema(request=ReasonSerializer, responses=BookingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = self.get_object()
        if not services.can_cancel(request.user, booking):
            raise PermissionDenied(_("只有申请人或该房间的管理人员可以取消预约。"))
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(booking, lambda: services.cancel_booking(booking, by=request.user,
                                                                  reason=data.validated_data["reason"]))
