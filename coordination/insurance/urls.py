"""Pages of INS, included at the site root by config/urls.py."""

from django.urls import path

from coordination.insurance import calendar_views, views

urlpatterns = [
    path("insurance/filings/", views.my_filings, name="insurance-my-filings"),
    path("insurance/filings/new/", views.filing_new, name="insurance-filing-new"),
    path("insurance/queue/", views.queue, name="insurance-queue"),
    path("insurance/queue/<int:pk>/approve/", views.queue_approve, name="insurance-queue-approve"),
    path("insurance/queue/bulk-approve/", views.queue_bulk_approve, name="insurance-queue-bulk-approve"),
    path("insurance/receipts/verify/<str:digest>/", views.receipt_verify, name="insurance-receipt-verify"),
    path("insurance/calendar/", calendar_views.calendar_year, name="insurance-calendar"),
    path("insurance/calendar/new/", calendar_views.calendar_day_new, name="insurance-calendar-new"),
    path("insurance/calendar/<int:pk>/edit/", calendar_views.calendar_day_edit, name="insurance-calendar-edit"),
    path("insurance/calendar/<int:pk>/delete/", calendar_views.calendar_day_delete, name="insurance-calendar-delete"),
]
