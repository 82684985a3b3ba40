"""WebSocket authentication by API token (`Authorization: Token …`), for other systems'
clients; browsers use the session cookie (channels' AuthMiddlewareStack)."""

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from rest_framework.authtoken.models import Token


@database_sync_to_async
def user_for_token(key: str):
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        value = headers.get(b"authorization", b"").decode("latin-1")
        if value.startswith("Token "):
            user = await user_for_token(value.removeprefix("Token ").strip())
            if user is not None:
                scope = {**scope, "user": user, "auth_token": value.removeprefix("Token ").strip()}
        return await super().__call__(scope, receive, send)
