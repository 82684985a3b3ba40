"""ASGI entry point: HTTP through Django, WebSockets through Channels (routes in notices/)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_POOL", "1")  # a web process pools its PostgreSQL connections (settings)
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.gc_tuning import tune_for_serving  # noqa: E402
from notices.auth import TokenAuthMiddleware  # noqa: E402
from notices.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin checked against ALLOWED_HOSTS; session cookie, then `Authorization: Token …`.
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
tune_for_serving()  # after loading everything: see config/gc_tuning.py
