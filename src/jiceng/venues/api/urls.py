"""API routes of the venues app (included from jiceng/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from .views import BookingViewSet, RoomViewSet

router = SimpleRouter()
router.register("venues/rooms", RoomViewSet, basename="venues-room")
router.register("venues/bookings", BookingViewSet, basename="venues-booking")

urlpatterns: list = [*router.urls]
