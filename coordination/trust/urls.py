from django.urls import path

from coordination.trust import views
from coordination.trust.credential_views import credential_verify_page

urlpatterns = [
    path("trust-list.json", views.trust_list, name="trust-list"),
    path("credentials/verify/", credential_verify_page, name="credential-verify"),
]
