"""The notices app's API routes, included under /api/v1/ by config/urls.py."""

from rest_framework.routers import SimpleRouter

from notices.api.notices import NoticeViewSet

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")

urlpatterns: list = [*router.urls]
