from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyChainConfig(AppConfig):
    name = "supplies.chain"
    label = "supply_chain"
    verbose_name = _("Supply-chain matching (F2)")

    def ready(self):
        from supplies.chain import mechanism  # noqa: F401 - registers F2
