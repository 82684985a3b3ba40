from django.apps import AppConfig


class PlainRequestsConfig(AppConfig):
    name = "tests.mechanisms.plain_requests"
    label = "plain_requests"

    def ready(self):
        from tests.mechanisms.plain_requests import mechanism  # noqa: F401
