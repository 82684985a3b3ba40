from django.urls import path

from coordination.api import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("regions/", views.RegionList.as_view(), name="api-regions"),
    path("mechanisms/", views.MechanismList.as_view(), name="api-mechanisms"),
]
