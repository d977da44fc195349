import json

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _


class ApiLanguageMiddleware:
    """The API has no language prefix: its messages follow `?lang=` or Accept-Language
    (Arabic by default). A 405 there answers in the API's error shape too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        lang = request.GET.get("lang") or translation.get_language_from_request(request)
        if lang not in ("ar", "en"):
            lang = "ar"
        with translation.override(lang):
            response = self.get_response(request)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                allow = response.get("Allow", "")
                response = HttpResponse(
                    json.dumps(
                        {
                            "error": {
                                "status": 405,
                                "code": "method_not_allowed",
                                "message": _("This method is not allowed here."),
                                "details": {"allow": allow},
                            }
                        }
                    ),
                    status=405,
                    content_type="application/json",
                )
                response["Allow"] = allow
            response.setdefault("Content-Language", lang)
        return response
