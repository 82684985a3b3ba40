from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    name = "supplies"
    verbose_name = _("Supplies")

    def ready(self):
        from coordination import documents, verification
        from supplies import mechanism  # noqa: F401  (registers M4 with the engine)
        from supplies.documents import allocation_order_record, allocation_orders_of_case

        verification.register(allocation_order_record)
        documents.register(allocation_orders_of_case)
