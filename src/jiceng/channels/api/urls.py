"""API routes of the notification channels (included from jiceng/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import DeliveryViewSet, PreferencesAPIView, RobotViewSet

router = SimpleRouter()
router.register("deliveries", DeliveryViewSet, basename="delivery")
router.register("robots", RobotViewSet, basename="robot")

urlpatterns: list = [
    path("notification-preferences/", PreferencesAPIView.as_view(), name="notification-preferences"),
    *router.urls,
]
