from django.db import transaction
from django.http import HttpRequest, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from benchref.models import RefLine, RefTicket


@csrf_exempt
def issue(request: HttpRequest) -> JsonResponse | HttpResponseNotAllowed:
    """One ticket: lock the line's numbering row, increment it, insert a row; one transaction."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with transaction.atomic():
        line = RefLine.objects.select_for_update().get(pk=1)
        line.last_number += 1
        line.save(update_fields=["last_number"])
        ticket = RefTicket.objects.create(line=line, number=line.last_number)
    return JsonResponse({"id": ticket.pk, "number": ticket.number}, status=201)
