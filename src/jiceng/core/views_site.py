"""Site-level pages: the health check and the 404 page (the home page is the workbench, jiceng.workbench)."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound


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
