"""API routes of building governance (included from jiceng/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from jiceng.core.import_api import import_api_view

from ..importing import OFFICER_IMPORT
from .views import (
    AllianceViewSet,
    CouncilMeetingViewSet,
    CouncilMemberViewSet,
    CouncilViewSet,
    DecisionViewSet,
    HeadSelectionViewSet,
    OfficerAssignmentViewSet,
)

router = SimpleRouter()
router.register("councils", CouncilViewSet, basename="council")
router.register("council-members", CouncilMemberViewSet, basename="councilmember")
router.register("head-selections", HeadSelectionViewSet, basename="headselection")
router.register("officer-assignments", OfficerAssignmentViewSet, basename="officerassignment")
router.register("council-meetings", CouncilMeetingViewSet, basename="councilmeeting")
router.register("council-decisions", DecisionViewSet, basename="councildecision")
router.register("alliances", AllianceViewSet, basename="alliance")

urlpatterns: list = [
    path("officer-assignments/import/", import_api_view(OFFICER_IMPORT).as_view(), name="officerassignment-import"),
    *router.urls,
]
