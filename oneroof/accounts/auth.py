"""Bearer-key authentication for the API (devices and integrations)."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from oneroof.accounts.actions import api_key_authenticate


class BearerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[override]
        user = api_key_authenticate(token)
        if user is not None:
            request.user = user
        return user
