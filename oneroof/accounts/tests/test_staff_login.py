"""Staff sign in with a username and password; repeated failures are throttled."""

import pytest
from django.test import Client

from oneroof.catalog.demodata import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_sign_in_and_land_on_their_page():
    client = Client()
    response = client.post(
        "/en/accounts/login/", {"username": "supervisor.rayyan", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Center supervisor" in page


def test_a_wrong_password_is_a_clear_translated_error():
    page = (
        Client()
        .post("/accounts/login/", {"username": "supervisor.rayyan", "password": "wrong"})
        .content.decode()
    )
    assert 'role="alert"' in page and 'dir="rtl"' in page


def test_repeated_failures_lock_the_username_even_with_the_right_password(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(3):
        client.post("/en/accounts/login/", {"username": "employee.rayyan", "password": "bad"})
    response = client.post(
        "/en/accounts/login/", {"username": "employee.rayyan", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
