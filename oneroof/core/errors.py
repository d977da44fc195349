"""Domain errors: raised by actions, turned into one JSON shape by the API and into messages
by pages. Messages are translated strings, safe to show to the person who acted."""

from typing import Any


class DomainError(Exception):
    status_code = 400
    code = "error"

    def __init__(self, message: Any, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(str(message))
        self.message = message
        if code:
            self.code = code
        self.details = details


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid"


class Conflict(DomainError):
    """The request is well formed but the current state does not allow it."""

    status_code = 409
    code = "conflict"


class NotAllowed(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
