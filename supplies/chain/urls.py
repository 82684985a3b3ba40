"""Pages of F2 supply-chain matching, included at the site root (the F2 declaration's `urls`)."""

from django.urls import path

from supplies.chain import pages

urlpatterns = [
    path("supplies/supply-chain-requests/new/", pages.supply_chain_request_new, name="supply-chain-request-new"),
]
