from django.urls import include, path
from rest_framework.routers import DefaultRouter

from jiceng.core.import_api import import_api_view
from jiceng.demands.api.views import (
    CategoryViewSet,
    DemandViewSet,
    NotificationViewSet,
    ServiceViewSet,
    VisitViewSet,
)
from jiceng.departments.api.views import DepartmentViewSet
from jiceng.enterprises.api.views import EnterpriseUpdateViewSet, EnterpriseViewSet
from jiceng.enterprises.importing import ENTERPRISE_IMPORT
from jiceng.matrix.api import MatrixReportAPIView
from jiceng.members.api.affairs import (
    ApplicationViewSet,
    ArrearsAPIView,
    DuesBaseViewSet,
    DuesPaymentViewSet,
    DuesReliefViewSet,
    MeAPIView,
    TransferViewSet,
)
from jiceng.members.api.views import MemberViewSet
from jiceng.members.api.work import AssignedWorkViewSet
from jiceng.members.importing import MEMBER_IMPORT
from jiceng.organizations.api.views import (
    CommitteeMemberViewSet,
    CoverageReportAPIView,
    CoverageViewSet,
    OrganizationViewSet,
)
from jiceng.places.api.views import PlaceViewSet
from jiceng.reports.api import PartyStatisticsAPIView
from jiceng.risk.api.views import (
    EnterpriseRiskViewSet,
    FollowUpViewSet,
    LevelThresholdViewSet,
    SignalTypeViewSet,
    SignalViewSet,
)

router = DefaultRouter()
router.register("places", PlaceViewSet, basename="place")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("enterprise-updates", EnterpriseUpdateViewSet, basename="enterprise-update")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("organization-coverages", CoverageViewSet, basename="coverage")
router.register("committee-members", CommitteeMemberViewSet, basename="committeemember")
router.register("members", MemberViewSet, basename="member")
router.register("applications", ApplicationViewSet, basename="application")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("dues/bases", DuesBaseViewSet, basename="duesbase")
router.register("dues/payments", DuesPaymentViewSet, basename="duespayment")
router.register("assigned-work", AssignedWorkViewSet, basename="assignedwork")
router.register("dues/reliefs", DuesReliefViewSet, basename="duesrelief")
router.register("demand-categories", CategoryViewSet, basename="category")
router.register("demands", DemandViewSet, basename="demand")
router.register("departments", DepartmentViewSet, basename="department")
router.register("visits", VisitViewSet, basename="visit")
router.register("services", ServiceViewSet, basename="service")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("risk/signal-types", SignalTypeViewSet, basename="risk-signaltype")
router.register("risk/signals", SignalViewSet, basename="risk-signal")
router.register("risk/enterprises", EnterpriseRiskViewSet, basename="risk-enterprise")
router.register("risk/follow-ups", FollowUpViewSet, basename="risk-followup")
router.register("risk/thresholds", LevelThresholdViewSet, basename="risk-threshold")

urlpatterns = [
    path("enterprises/import/", import_api_view(ENTERPRISE_IMPORT).as_view(), name="enterprise-import"),
    path("members/import/", import_api_view(MEMBER_IMPORT).as_view(), name="member-import"),
    path("coverage/", CoverageReportAPIView.as_view(), name="coverage-report"),
    path("dues/arrears/", ArrearsAPIView.as_view(), name="dues-arrears"),
    path("reports/party-statistics/", PartyStatisticsAPIView.as_view(), name="party-statistics"),
    path("me/", MeAPIView.as_view(), name="me"),
    path("reports/matrix/", MatrixReportAPIView.as_view(), name="reports-matrix"),
    path("pioneer/", include("jiceng.members.api.pioneer")),
    path("", include("jiceng.matching.api.urls")),
    path("", include("jiceng.venues.api.urls")),
    path("", include("jiceng.activities.api.urls")),
    path("", include("jiceng.holidays.api.urls")),
    path("", include("jiceng.governance.api.urls")),
    path("", include("jiceng.stations.api.urls")),
    path("", include("jiceng.grids.api.urls")),
    path("", include("jiceng.channels.api.urls")),
    path("", include(router.urls)),
]
