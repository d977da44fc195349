from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_from_path
from django.views.decorators.http import require_GET

ONE_YEAR = 365 * 24 * 3600
PREFERENCES = {
    "text": ("oneroof_text", {"normal", "large"}),
    "contrast": ("oneroof_contrast", {"normal", "high"}),
}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def preferences(request: HttpRequest) -> HttpResponse:
    """The language, large text and high contrast, working without JavaScript. Text size and
    contrast are kept in a cookie so pages render right at once; the language is in the path
    (Arabic unprefixed, English under /en/), so the link to switch is shareable."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    lang = request.GET.get("lang")
    if lang in dict(settings.LANGUAGES):
        # Resolve the page in the language it is in, then take its twin in the other.
        with translation.override(get_language_from_path(target) or settings.LANGUAGE_CODE):
            target = translate_url(target, lang)
    response = HttpResponseRedirect(target)
    for param, (cookie, allowed) in PREFERENCES.items():
        value = request.GET.get(param)
        if value in allowed:
            response.set_cookie(
                cookie,
                value,
                max_age=ONE_YEAR,
                samesite="Lax",
                secure=request.is_secure(),
                httponly=True,
            )
    return response


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"status": status, "code": code, "message": message, "details": None}},
        status=status,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Under /api/ a 404 answers in the API's error shape; elsewhere the translated page."""
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found as default_404

    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", _("Not found."))
    return default_404(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    from django.utils.translation import gettext as _
    from django.views.defaults import server_error as default_500

    if request.path.startswith("/api/"):
        return _api_error(500, "server_error", _("Something went wrong on our side."))
    return default_500(request)
