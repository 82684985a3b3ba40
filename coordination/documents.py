"""Documents attached to a case (circulars, receipts…), listed on the case page.

`coordination` knows no document app: an app that issues documents for cases registers a
provider here in its AppConfig.ready(); the case page asks every provider. A provider takes
(case, user) and returns dicts with `title`, `number`, `status`, `url` (None until ready).
"""

from collections.abc import Callable

Provider = Callable[[object, object], list[dict]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def documents_for(case, user) -> list[dict]:
    return [document for provider in _providers for document in provider(case, user)]
