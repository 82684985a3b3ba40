"""Errors the engine and services raise; the API turns each into its status code and the one
JSON error shape (coordination/api/errors.py)."""

from rest_framework import exceptions, status


class APIError(exceptions.APIException):
    """An error with an explicit code, raised by services and views alike."""

    def __init__(self, code: str, message: str, status_code: int = status.HTTP_400_BAD_REQUEST, details=None):
        self.status_code = status_code
        self.error_code = code
        self.details = details or {}
        super().__init__(detail=message, code=code)


class Conflict(APIError):
    def __init__(self, message: str, code: str = "conflict", details=None):
        super().__init__(code, message, status.HTTP_409_CONFLICT, details)


class PreconditionFailed(APIError):
    def __init__(self, message: str, code: str = "stale_version", details=None):
        super().__init__(code, message, status.HTTP_412_PRECONDITION_FAILED, details)


class Unprocessable(APIError):
    def __init__(self, message: str, code: str = "unprocessable", details=None):
        super().__init__(code, message, status.HTTP_422_UNPROCESSABLE_ENTITY, details)
