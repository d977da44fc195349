from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from oneroof.core.errors import DomainError
from oneroof.feedback.actions import active_version, invite_for_answer, survey_answer

SCORES = [1, 2, 3, 4, 5]


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The one-page survey behind the SMS link: no sign-in, no script, works on an old
    phone. A used, expired or unknown link says so; nothing is recorded twice."""
    try:
        invite = invite_for_answer(token)
        version = active_version()
    except DomainError as exc:
        return render(
            request, "feedback/closed.html", {"message": exc.message}, status=exc.status_code
        )
    error = ""
    if request.method == "POST":
        try:
            values = {
                name: int(request.POST.get(name, "0"))
                for name in ("overall", "waiting", "courtesy")
            }
            one_visit = request.POST.get("one_visit")
            if one_visit not in ("yes", "no"):
                raise ValueError
        except ValueError:
            error = _("Please answer every question.")
        else:
            try:
                survey_answer(
                    token=token,
                    one_visit=one_visit == "yes",
                    comment=request.POST.get("comment", ""),
                    **values,
                )
            except DomainError as exc:
                error = str(exc.message)
            else:
                return render(request, "feedback/thanks.html", {})
    return render(
        request,
        "feedback/survey.html",
        {
            "invite": invite,
            "version": version,
            "scores": SCORES,
            "error": error,
            "posted": request.POST,
        },
        status=422 if error else 200,
    )
