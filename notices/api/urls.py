"""The notices app's API routes, included under /api/v1/ by config/urls.py."""

from rest_framework.routers import SimpleRouter

from notices.api.circulars import CircularViewSet
from notices.api.notices import NoticeViewSet

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
router.register("circulars", CircularViewSet, basename="circular")

urlpatterns: list = [*router.urls]
