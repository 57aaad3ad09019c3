"""Errors in Frappe's shape: {"exc_type", "exception", "_server_messages"} with Frappe's status codes."""

from __future__ import annotations

import json

from django.http import JsonResponse

STATUS = {
    "AuthenticationError": 401,
    "PermissionError": 403,
    "DoesNotExistError": 404,
    "DuplicateEntryError": 409,
    "ValidationError": 417,
    "DataError": 417,
    "LinkExistsError": 417,
    "CSRFTokenError": 400,
    "TooManyRequestsError": 429,
    "ServerError": 500,
}


class ApiError(Exception):
    exc_type = "ValidationError"

    def __init__(self, message: str, exc_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if exc_type:
            self.exc_type = exc_type

    @property
    def status(self) -> int:
        return STATUS.get(self.exc_type, 417)


def error_response(error: ApiError) -> JsonResponse:
    payload = {
        "exc_type": error.exc_type,
        "exception": f"frappe.exceptions.{error.exc_type}: {error.message}",
        "_server_messages": json.dumps([json.dumps({"message": error.message, "indicator": "red"})]),
    }
    return JsonResponse(payload, status=error.status, json_dumps_params={"ensure_ascii": False})


def not_found(what: str) -> ApiError:
    return ApiError(what, "DoesNotExistError")


def forbidden(what: str) -> ApiError:
    return ApiError(what, "PermissionError")
