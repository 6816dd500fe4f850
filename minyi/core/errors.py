"""The one family of errors that services raise.

Views, the API and commands turn a `MinyiError` into a clear message (and an HTTP 4xx); anything
else is a bug. Every message says what is wrong and what to do about it.
"""

from __future__ import annotations


class MinyiError(Exception):
    """An action was refused. `code` is stable for API clients; `message` is for people."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field
        self.details = details

    def as_dict(self) -> dict:
        data: dict = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.details:
            data["details"] = self.details
        return data


class InvalidInput(MinyiError):
    """The input is malformed or names something that does not exist."""

    code = "invalid"


class NotFound(MinyiError):
    """Nothing of that kind exists, or the user may not know that it exists."""

    code = "not_found"
    http_status = 404


class NotPermitted(MinyiError):
    """The user may see the object but may not do this with it."""

    code = "forbidden"
    http_status = 403


class IllegalTransition(MinyiError):
    """The operation is not allowed in the case's current status."""

    code = "illegal_transition"
    http_status = 409


class Conflict(MinyiError):
    """Someone else changed the object first; reload and try again."""

    code = "conflict"
    http_status = 409


class TooManyRequests(MinyiError):
    """The user did this too often in a short time; `retry_at` says when they may again."""

    code = "rate_limited"
    http_status = 429
