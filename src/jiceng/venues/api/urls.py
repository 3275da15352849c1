"""API routes of the venues app (included from jiceng/api_urls.py)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list = [*router.urls]
