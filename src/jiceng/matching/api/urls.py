"""API routes of the matching app (included from jiceng/api_urls.py)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list = [*router.urls]
