def membership(request):
    """The signed-in user's membership (organisation and role), for the header of every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"membership": None}
    return {"membership": getattr(user, "membership", None)}


def navigation(request):
    """The mechanisms' entries of the header (coordination/navigation.py), computed lazily: a
    page that does not draw the header costs no query."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": None}
    from coordination.navigation import navigation_for

    return {"nav": SimpleLazyObject(lambda: _Navigation(navigation_for(user)))}


class _Navigation:
    def __init__(self, values: dict):
        self.links = values["nav_links"]
        self.first_register = values["nav_first_register"]
