"""API routes of micro-grids, household contacts and renovation projects (included from jiceng/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from .views import (
    ConsultationRoundViewSet,
    ContactLogViewSet,
    GridViewSet,
    HouseholdContactViewSet,
    MediationCaseViewSet,
    RenovationProjectViewSet,
)

router = SimpleRouter()
router.register("grids", GridViewSet, basename="grid")
router.register("household-contacts", HouseholdContactViewSet, basename="householdcontact")
router.register("household-contact-logs", ContactLogViewSet, basename="contactlog")
router.register("renovation-projects", RenovationProjectViewSet, basename="renovationproject")
router.register("consultation-rounds", ConsultationRoundViewSet, basename="consultationround")
router.register("mediation-cases", MediationCaseViewSet, basename="mediationcase")

urlpatterns: list = [*router.urls]
