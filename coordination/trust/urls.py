from django.urls import path

from coordination.trust import views

urlpatterns = [
    path("trust-list.json", views.trust_list, name="trust-list"),
]
