from django.utils.deprecation import MiddlewareMixin


class ChineseFirstMiddleware(MiddlewareMixin):
    """Pages are Chinese unless the user chose English with the language switch (a cookie):
    an English-language browser on a government intranet is common and says nothing about
    the reader. API clients keep Accept-Language, so other systems can ask for English."""

    def process_request(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
