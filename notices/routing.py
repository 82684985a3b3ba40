from django.urls import path

from notices.consumers import NoticeConsumer

websocket_urlpatterns = [path("ws/notices/", NoticeConsumer.as_asgi())]
