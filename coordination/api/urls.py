from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api import views
from coordination.api.assignment_sheets import AssignmentSheetViewSet
from coordination.api.insurance import InsuranceFilingViewSet
from coordination.api.measure_notices import MeasureNoticeViewSet
from coordination.briefing.views import BriefingView

router = SimpleRouter()
router.register("assignment-sheets", AssignmentSheetViewSet, basename="assignment-sheet")
router.register("measure-notices", MeasureNoticeViewSet, basename="measure-notice")
router.register("insurance-filings", InsuranceFilingViewSet, basename="insurance-filing")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("regions/", views.RegionList.as_view(), name="api-regions"),
    path("mechanisms/", views.MechanismList.as_view(), name="api-mechanisms"),
    path("briefing/", BriefingView.as_view(), name="api-briefing"),
    *router.urls,
]
