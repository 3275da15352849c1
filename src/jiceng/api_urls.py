from django.urls import include, path
from rest_framework.routers import DefaultRouter

from jiceng.enterprises.api.views import EnterpriseViewSet
from jiceng.members.api.views import MemberViewSet
from jiceng.organizations.api.views import (
    CommitteeMemberViewSet,
    CoverageReportAPIView,
    CoverageViewSet,
    OrganizationViewSet,
)
from jiceng.places.api.views import PlaceViewSet

router = DefaultRouter()
router.register("places", PlaceViewSet, basename="place")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("organization-coverages", CoverageViewSet, basename="coverage")
router.register("committee-members", CommitteeMemberViewSet, basename="committeemember")
router.register("members", MemberViewSet, basename="member")

urlpatterns = [
    path("coverage/", CoverageReportAPIView.as_view(), name="coverage-report"),
    path("", include(router.urls)),
]
