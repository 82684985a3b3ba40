"""Pages of M1 tracing letters, included at the site root (the declaration's `urls`)."""

from django.urls import path

from coordination.mechanisms.tracing_letters import pages

urlpatterns = [
    path("tracing-letters/new/", pages.tracing_letter_new, name="tracing-letter-new"),
    path("tracing-letters/<int:pk>/unmask/", pages.tracing_letter_unmask_page, name="tracing-letter-unmask"),
]
