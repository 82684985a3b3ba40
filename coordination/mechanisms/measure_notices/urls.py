"""Pages of notices between regions, included at the site root (the registry names this module)."""

from django.urls import path

from coordination.mechanisms.measure_notices import pages

urlpatterns = [
    path("measure-notices/new/", pages.measure_notice_new, name="measure-notice-new"),
]
