from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from oneroof.accounts.permissions import is_staff_member, roles_of
from oneroof.catalog.actions import notice_mark_seen
from oneroof.catalog.models import Agency
from oneroof.catalog.selectors import (
    agencies_with_counts,
    notices_for_staff,
    search_services,
    service_detail,
    services_query,
)
from oneroof.centers.models import Center
from oneroof.centers.presenters import opening_label
from oneroof.centers.selectors import centers_hours, opening_status

MAX_QUERY = 200


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/home.html",
        {
            "agencies": agencies_with_counts(),
            "center_count": Center.objects.active().count(),
        },
    )


def service_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    agency_slug = request.GET.get("agency", "").strip()[:80] or None
    agency = Agency.objects.active().filter(slug=agency_slug).first() if agency_slug else None
    if q:
        services = [h.service for h in search_services(q, agency=agency.slug if agency else None)]
    else:
        services = list(services_query(agency=agency.slug if agency else None))
    return render(
        request,
        "catalog/service_list.html",
        {
            "q": q,
            "agency": agency,
            "services": services,
            "agencies": agencies_with_counts(),
            "searched": bool(q),
        },
    )


def agency_page(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(agencies_with_counts(), slug=slug)
    return render(
        request,
        "catalog/agency_detail.html",
        {
            "agency": agency,
            "services": services_query(agency=agency.slug),
            "centers": Center.objects.active()
            .filter(center_agencies__agency=agency)
            .order_by("pk"),
        },
    )


def service_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_detail(slug)
    if service is None:
        raise Http404
    centers = list(Center.objects.active().filter(center_services__service=service).order_by("pk"))
    hours = centers_hours(centers)
    offered = [
        {
            "center": c,
            "opening": opening_label(
                opening_status(hours[c.pk], agency_id=service.agency_id), c.tz
            ),
        }
        for c in centers
    ]
    offered.sort(key=lambda row: not row["opening"]["open"])
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "offered": offered,
            "open_count": sum(1 for row in offered if row["opening"]["open"]),
        },
    )


@require_GET
@cache_control(max_age=300, public=True)
def agency_colors_css(request: HttpRequest) -> HttpResponse:
    """Each agency's colour as a class, so pages need no inline style (the content security
    policy allows style sheets from this site only)."""
    rules = [
        f".agency-{a.pk} {{ --agency-color: {a.color}; }}"
        for a in Agency.objects.only("pk", "color")
    ]
    return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where staff land after signing in: their roles, the notices of changed services."""
    return render(
        request,
        "catalog/staff_home.html",
        {
            "roles": roles_of(request.user),
            "is_staff_member": is_staff_member(request.user),
            "recent_notices": notices_for_staff(request.user)
            .select_related("service")
            .order_by("-created_at", "-pk")[:20],
        },
    )


@login_required
@require_POST
def notices_seen(request: HttpRequest) -> HttpResponse:
    ids = [int(x) for x in request.POST.getlist("notice") if x.isdigit()]
    allowed = set(notices_for_staff(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    notice_mark_seen(user=request.user, notice_ids=sorted(allowed))
    target = request.POST.get("next") or reverse("catalog:staff-home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("catalog:staff-home")
    return HttpResponseRedirect(target)
