"""API routes of the activities app (included from jiceng/api_urls.py)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list = [*router.urls]
