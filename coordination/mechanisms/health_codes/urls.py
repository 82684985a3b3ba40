from django.urls import path

from coordination.mechanisms.health_codes import pages

urlpatterns = [path("health-codes/", pages.health_codes_page, name="health-codes")]
