from django.urls import path

from coordination.mechanisms.health_codes import api

urlpatterns = [
    path("health-codes/lists/", api.CodeListsView.as_view(), name="api-health-code-lists"),
    path("health-codes/lookup/", api.LookupView.as_view(), name="api-health-code-lookup"),
    path("health-codes/tokens/", api.TokensView.as_view(), name="api-health-code-tokens"),
]
