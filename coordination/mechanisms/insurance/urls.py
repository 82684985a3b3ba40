"""Pages of INS, included at the site root by config/urls.py."""

from django.urls import path

from coordination.mechanisms.insurance import views

urlpatterns = [
    path("insurance/filings/", views.my_filings, name="insurance-my-filings"),
    path("insurance/filings/new/", views.filing_new, name="insurance-filing-new"),
    path("insurance/queue/", views.queue, name="insurance-queue"),
    path("insurance/queue/<int:pk>/approve/", views.queue_approve, name="insurance-queue-approve"),
    path("insurance/queue/bulk-approve/", views.queue_bulk_approve, name="insurance-queue-bulk-approve"),
    path("insurance/receipts/verify/<str:digest>/", views.receipt_verify, name="insurance-receipt-verify"),
]
