"""API routes of the activities app (included from jiceng/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("activities/activities", views.ActivityViewSet, basename="activities-activity")
router.register("activities/signups", views.SignUpViewSet, basename="activities-signup")
router.register("activities/attendance", views.AttendanceViewSet, basename="activities-attendance")
router.register("activities/ratings", views.RatingViewSet, basename="activities-rating")
router.register("activities/clubs", views.ClubViewSet, basename="activities-club")
router.register("activities/series", views.SeriesViewSet, basename="activities-series")
router.register("activity-messages", views.ActivityMessageViewSet, basename="activity-message")
router.register("activities/meeting-records", views.MeetingRecordViewSet, basename="activities-meetingrecord")

urlpatterns: list = [
    path("activities/compliance/", views.ComplianceAPIView.as_view(), name="activities-compliance"),
    path("activities/speakers/<int:pk>/", views.SpeakerAPIView.as_view(), name="activities-speaker"),
    *router.urls,
]
