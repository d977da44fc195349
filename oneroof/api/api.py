"""The HTTP API, /api/v1/: routers of the apps, bearer keys or sessions, one error shape."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from oneroof.accounts.api import router as accounts_router
from oneroof.appointments.api import router as appointments_router
from oneroof.care.api import router as care_router
from oneroof.catalog.api import router as catalog_router
from oneroof.centers.api import router as centers_router
from oneroof.core.errors import DomainError
from oneroof.feedback.api import router as feedback_router
from oneroof.insights.api import router as insights_router
from oneroof.knowledge.api import router as knowledge_router
from oneroof.queueing.api import router as queue_router
from oneroof.transactions.api import router as transactions_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="OneRoof API",
    version="1",
    description=(
        "The API of OneRoof, the platform of one-stop government service centers. "
        "Devices and integrations authenticate with `Authorization: Bearer <key>` "
        "(`oneroof create_api_key USERNAME`); people with their session. Every error "
        'answers `{"error": {status, code, message, details}}`.'
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, details=None
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": {"status": status, "code": code, "message": str(message), "details": details}},
        status=status,
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return error_response(request, 422, "invalid", _("Some parameters are not valid."), details)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(request, exc.status_code, exc.code, exc.message, exc.details)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, "unauthorized", _("Authentication is required."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error_response(request, 403, "forbidden", _("You are not allowed to do this."))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return error_response(request, 413, "too_large", _("The request is too large."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, "error", str(exc))


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("unhandled API error")
    return error_response(request, 500, "server_error", _("Something went wrong on our side."))


api.add_router("/", accounts_router)
api.add_router("/", catalog_router)
api.add_router("/", centers_router)
api.add_router("/", queue_router)
api.add_router("/", appointments_router)
api.add_router("/", transactions_router)
api.add_router("/", feedback_router)
api.add_router("/", care_router)
api.add_router("/", knowledge_router)
api.add_router("/", insights_router)
