from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from jiceng.core import views_choosers, views_site
from jiceng.stations.urls import map_patterns
from jiceng.workbench.views import WorkbenchView

urlpatterns = [
    path("", WorkbenchView.as_view(), name="home"),
    path("healthz", views_site.healthz, name="healthz"),
    path("", include("jiceng.channels.urls")),  # /accounts/register/, /accounts/preferences/, /deliveries/
    path("accounts/", include("jiceng.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("choices/<slug:kind>/", views_choosers.ChoicesView.as_view(), name="choices"),
    path("places/", include("jiceng.places.urls")),
    path("enterprises/", include("jiceng.enterprises.urls")),
    path("organizations/", include("jiceng.organizations.urls")),
    path("members/", include("jiceng.members.urls")),
    path("demands/", include("jiceng.demands.urls")),
    path("departments/", include("jiceng.departments.urls")),
    path("risk/", include("jiceng.risk.urls")),
    path("lists/", include("jiceng.matching.urls")),
    path("venues/", include("jiceng.venues.urls")),
    path("activities/", include("jiceng.activities.urls")),
    path("holidays/", include("jiceng.holidays.urls")),
    path("governance/", include("jiceng.governance.urls")),
    path("stations/", include("jiceng.stations.urls")),
    path("map/", include(map_patterns)),
    path("screen/", include("jiceng.screen.urls")),
    path("matrix/", include("jiceng.matrix.urls")),
    path("reports/", include("jiceng.reports.urls")),
    path("grids/", include("jiceng.grids.urls")),
    path("p/", include("jiceng.portal.urls")),
    path("open311/v2/", include("jiceng.demands.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("jiceng.api_urls")),
    path("admin/", admin.site.urls),
]

# Django uses this only when DEBUG is off (production, and the tests); with DEBUG on, its debug page answers.
handler404 = "jiceng.core.views_site.page_not_found"
