"""The Office's page for the working-day calendar, included at the site root."""

from django.urls import path

from coordination.calendar import views

urlpatterns = [
    path("calendar/", views.calendar_year, name="calendar"),
    path("calendar/new/", views.calendar_day_new, name="calendar-new"),
    path("calendar/<int:pk>/edit/", views.calendar_day_edit, name="calendar-edit"),
    path("calendar/<int:pk>/delete/", views.calendar_day_delete, name="calendar-delete"),
]
