"""API routes of stations (included from jiceng/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import AmenityViewSet, DutyViewSet, ServiceGapsAPIView, StationViewSet

router = SimpleRouter()
router.register("stations", StationViewSet, basename="station")
router.register("station-duties", DutyViewSet, basename="stationduty")
router.register("station-amenities", AmenityViewSet, basename="stationamenity")

urlpatterns: list = [
    path("service-gaps/", ServiceGapsAPIView.as_view(), name="service-gaps"),
    *router.urls,
]
