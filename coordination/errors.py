"""The engine's and services' domain errors. They know nothing of HTTP frameworks: the API edge
(coordination/api/errors.py) turns each into its status code and the one JSON error shape, the
pages into a message next to the form."""


class DomainError(Exception):
    """An error with a machine-readable code, a message in the user's language, the HTTP status
    it answers at the edge, and details (e.g. field errors)."""

    status_code = 400

    def __init__(self, code: str, message, status_code: int | None = None, details=None):
        super().__init__(str(message))
        self.error_code = code
        self.message = message
        self.details = details or {}
        if status_code is not None:
            self.status_code = status_code

    @property
    def detail(self):
        return self.message


class Invalid(DomainError):
    """400: the request's fields are not valid (`details` maps fields to their errors)."""

    def __init__(self, message, code: str = "invalid", details=None):
        super().__init__(code, message, 400, details)


class Conflict(DomainError):
    def __init__(self, message, code: str = "conflict", details=None):
        super().__init__(code, message, 409, details)


class PreconditionFailed(DomainError):
    def __init__(self, message, code: str = "stale_version", details=None):
        super().__init__(code, message, 412, details)


class Unprocessable(DomainError):
    def __init__(self, message, code: str = "unprocessable", details=None):
        super().__init__(code, message, 422, details)
