"""Bearer keys: `oneroof create_api_key USERNAME` prints a key that authenticates that user;
only its hash is stored; revoked or wrong keys are refused."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from oneroof.accounts.actions import api_key_authenticate, api_key_create, api_key_revoke
from oneroof.accounts.models import ApiKey

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_key_that_authenticates_the_user():
    out = StringIO()
    call_command(
        "create_api_key", "kiosk.rayyan", "--name", "kiosk 1", stdout=out, stderr=StringIO()
    )
    raw = out.getvalue().strip()
    assert raw.startswith("ork_")
    user = api_key_authenticate(raw)
    assert user is not None and user.username == "kiosk.rayyan"
    key = ApiKey.objects.get(user=user)
    assert raw.split("_", 2)[2] not in key.key_hash  # only a hash is kept
    assert key.last_used_at is not None


def test_unknown_user_is_an_error():
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_key", "nobody", stdout=StringIO())


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # wrong secret
        lambda raw: "ork_000000000000_" + raw.split("_", 2)[2],  # unknown prefix
        lambda raw: raw.replace("ork_", "xyz_"),  # wrong tag
        lambda raw: "garbage",
        lambda raw: "",
    ],
)
def test_wrong_keys_are_refused(employee_a, mangle):
    _key, raw = api_key_create(user=employee_a)
    assert api_key_authenticate(mangle(raw)) is None


def test_revoked_key_and_inactive_user_are_refused(employee_a):
    key, raw = api_key_create(user=employee_a)
    api_key_revoke(key=key)
    assert api_key_authenticate(raw) is None
    _key2, raw2 = api_key_create(user=employee_a)
    employee_a.is_active = False
    employee_a.save()
    assert api_key_authenticate(raw2) is None


def test_bearer_key_authenticates_an_api_request(client, employee_a):
    _key, raw = api_key_create(user=employee_a)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "employee.rayyan"
    assert {"role": "employee", "agency": "passports", "center": "al-rayyan"} in body["roles"]


def test_no_or_a_bad_key_is_401_in_the_error_shape(client):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer ork_nope_nope"}):
        response = client.get("/api/v1/me", **headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
