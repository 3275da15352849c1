"""API routes of the three lists (included from jiceng/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ConferenceViewSet, ListStatisticsAPIView, NeedViewSet, ProjectViewSet, ResourceViewSet

router = SimpleRouter()
router.register("lists/conferences", ConferenceViewSet, basename="conference")
router.register("lists/needs", NeedViewSet, basename="need")
router.register("lists/resources", ResourceViewSet, basename="resource")
router.register("lists/projects", ProjectViewSet, basename="project")

urlpatterns: list = [
    path("lists/statistics/", ListStatisticsAPIView.as_view(), name="list-statistics"),
    *router.urls,
]
