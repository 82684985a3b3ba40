"""The notices app's API routes, included under /api/v1/ by config/urls.py."""

from rest_framework.routers import SimpleRouter

from notices.api.circulars import CircularViewSet
from notices.api.notices import NoticeViewSet
from notices.api.webhooks import WebhookViewSet

router = SimpleRouter()
router.register("notices", NoticeViewSet, basename="notice")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("circulars", CircularViewSet, basename="circular")

urlpatterns: list = [*router.urls]
