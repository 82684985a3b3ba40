from django.urls import path
from rest_framework.routers import SimpleRouter

from coordination.api import views
from coordination.api.cases import viewset_for
from coordination.briefing.views import BriefingView
from coordination.trust.credential_views import CredentialVerifyView
from coordination.trust.views import trust_list
from coordination.workflow import mechanisms

# One resource per registered mechanism, at the name its declaration gives (shared/DESIGN.md §5.1).
router = SimpleRouter()
for declaration in mechanisms.registered():
    router.register(declaration.resource, viewset_for(declaration), basename=declaration.api_basename())

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("regions/", views.RegionList.as_view(), name="api-regions"),
    path("mechanisms/", views.MechanismList.as_view(), name="api-mechanisms"),
    path("briefing/", BriefingView.as_view(), name="api-briefing"),
    path("trust-list/", trust_list, name="api-trust-list"),
    path("credentials/verify/", CredentialVerifyView.as_view(), name="api-credential-verify"),
    *router.urls,
]
