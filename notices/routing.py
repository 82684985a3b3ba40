"""WebSocket routes. The notices consumer arrives with the real-time notices issue."""

websocket_urlpatterns: list = []
