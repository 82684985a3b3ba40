"""The notices app's API routes, included under /api/v1/ by coordination/api/urls.py."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list = [*router.urls]
