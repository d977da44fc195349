from typing import Any

from ninja import Schema


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    details: Any | None = None


class ErrorOut(Schema):
    """The one shape of every 4xx and 5xx answer of the API."""

    error: ErrorBody


ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    500: ErrorOut,
}
