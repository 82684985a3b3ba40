"""Pages of M4 mutual aid and of regional stock: the request's panel on the generic case page
(request_panel, forms), the shortage and capacity board and the flows between regions (board),
stock and warehouses with their exports (stock), the new request form (new_request)."""
