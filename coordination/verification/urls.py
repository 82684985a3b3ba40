from django.urls import path

from coordination.verification import views

urlpatterns = [
    path("documents/verify/", views.document_verify_upload, name="document-verify-upload"),
    path("documents/verify/<str:code>/", views.document_verify, name="document-verify"),
]
