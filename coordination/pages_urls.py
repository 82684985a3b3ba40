"""Pages for people (registers, search, the briefing dashboard), included at the site root."""

from django.urls import path

from coordination import views
from coordination.briefing import views as briefing_views

urlpatterns = [
    path("registers/<slug:slug>/", views.register_list, name="register"),
    path("search/", views.search, name="search"),
    path("briefing/", briefing_views.dashboard, name="briefing"),
    path("briefing/daily.pdf", briefing_views.daily_pdf, name="briefing-daily-pdf"),
]
