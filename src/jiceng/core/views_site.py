"""Site-level pages: the home page and the health check."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views import defaults, generic
from rest_framework.exceptions import NotFound

from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member
from jiceng.organizations.models import Organization
from jiceng.places.models import Place


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": str(exc)}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def page_not_found(request, exception):
    """404 for a URL no route matches: JSON under /api/ (as every API 404 is, `{"detail": ...}`, the schema's
    ErrorDetail), so an API client never has to parse an HTML page; the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


class HomeView(LoginRequiredMixin, generic.TemplateView):
    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["counts"] = [
            ("places:place_list", Place.objects.restrict(user).count(), "地域"),
            ("enterprises:enterprise_list", Enterprise.objects.restrict(user).count(), "两新组织"),
            ("organizations:organization_list", Organization.objects.restrict(user).count(), "党组织"),
            ("members:member_list", Member.objects.restrict(user).active().count(), "党员"),
        ]
        return ctx
