"""Pages of supplies, included at the site root (the M4 declaration's `urls`)."""

from django.urls import path

from supplies.pages import board, new_request, stock

urlpatterns = [
    path("supplies/shortage/", board.shortage_board, name="supplies-shortage"),
    path("supplies/shortage/pledge/<int:pk>/", board.board_pledge, name="supplies-board-pledge"),
    path("supplies/flows/", board.flows_view, name="supplies-flows"),
    path("supplies/stock/", stock.stock_list, name="supplies-stock"),
    path("supplies/warehouses/<slug:code>/", stock.warehouse_detail, name="supplies-warehouse"),
    path("supplies/requests/new/", new_request.supply_request_new, name="supply-request-new"),
]
