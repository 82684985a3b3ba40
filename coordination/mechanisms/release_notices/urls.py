"""Pages of M2 release notices, included at the site root (the declaration's `urls`)."""

from django.urls import path

from coordination.mechanisms.release_notices import pages

urlpatterns = [
    path("release-notices/new/", pages.release_notice_new, name="release-notice-new"),
    path("release-notices/<int:pk>/pdf/", pages.release_notice_pdf_page, name="release-notice-pdf-page"),
]
