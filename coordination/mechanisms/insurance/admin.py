from django.contrib import admin

from coordination.mechanisms.insurance.models import Diagnosis


@admin.register(Diagnosis)
class DiagnosisAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "active"]
    search_fields = ["code", "name_zh", "name_en"]
