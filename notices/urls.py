"""The notices app's pages (inbox, circulars), included at the site root by config/urls.py."""

from django.urls import path

from notices import views
from notices.circulars import views as circular_views

urlpatterns: list = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:seq>/open/", views.notice_open, name="notice-open"),
    path("inbox/<int:seq>/read/", views.notice_read, name="notice-read"),
    path("inbox/read-all/", views.notices_read_all, name="notices-read-all"),
    path("inbox/preferences/", views.preferences, name="notice-preferences"),
    path("circulars/verify/<str:digest>/", circular_views.circular_verify, name="circular-verify"),
    path("circulars/", circular_views.circular_list, name="circulars"),
    path("circulars/new/", circular_views.circular_new, name="circular-new"),
    path("circulars/<int:pk>/", circular_views.circular_page, name="circular-page"),
    path("circulars/<int:pk>/preview.pdf", circular_views.circular_preview_pdf, name="circular-preview-pdf"),
    path("circulars/<int:pk>/pdf/", circular_views.circular_pdf, name="circular-pdf"),
    path("circulars/<int:pk>/<slug:step>/", circular_views.circular_step, name="circular-step"),
]
