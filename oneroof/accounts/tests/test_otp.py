"""One-time codes: 6 digits by SMS, expire, at most N tries, rate limited, work once."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from oneroof.accounts.models import PhoneCode
from oneroof.accounts.otp import TooManyCodes, otp_request, otp_verify
from oneroof.core.errors import InvalidInput
from oneroof.notify.backends import MemorySmsBackend

pytestmark = pytest.mark.django_db
PHONE = "+97455123456"


def sent_code(django_capture_on_commit_callbacks, **kwargs) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(phone=kwargs.pop("phone", "55123456"), purpose="appointment", **kwargs)
    return re.search(r"\b(\d{6})\b", MemorySmsBackend.outbox[-1]["text"]).group(1)


def test_a_code_is_sent_and_works_once(django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks, lang="en")
    assert MemorySmsBackend.outbox[-1]["to"] == PHONE
    assert "expires in 5 minutes" in MemorySmsBackend.outbox[-1]["text"]
    assert code not in PhoneCode.objects.get().code_hash
    assert otp_verify(phone="55123456", purpose="appointment", code=code) == PHONE
    with pytest.raises(InvalidInput) as again:
        otp_verify(phone=PHONE, purpose="appointment", code=code)
    assert again.value.code == "code_expired"


def test_wrong_codes_count_and_lock_after_five(django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(InvalidInput) as caught:
            otp_verify(phone=PHONE, purpose="appointment", code=wrong)
        assert caught.value.code == "code_wrong"
    assert PhoneCode.objects.get().tries == 5
    with pytest.raises(InvalidInput) as locked:
        otp_verify(phone=PHONE, purpose="appointment", code=code)
    assert locked.value.code == "code_locked"
    assert PhoneCode.objects.get().used_at is None


def test_an_expired_code_is_refused(django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks)
    later = timezone.now() + dt.timedelta(minutes=6)
    with pytest.raises(InvalidInput) as caught:
        otp_verify(phone=PHONE, purpose="appointment", code=code, now=later)
    assert caught.value.code == "code_expired"


def test_a_code_for_another_purpose_does_not_work(django_capture_on_commit_callbacks):
    code = sent_code(django_capture_on_commit_callbacks)
    with pytest.raises(InvalidInput):
        otp_verify(phone=PHONE, purpose="history", code=code)


def test_requests_are_limited_per_phone_and_per_address(settings):
    settings.ONEROOF_OTP_PER_PHONE_PER_HOUR = 2
    settings.ONEROOF_OTP_PER_IP_PER_HOUR = 3
    for _ in range(2):
        otp_request(phone=PHONE, purpose="appointment", ip="10.0.0.1")
    with pytest.raises(TooManyCodes):
        otp_request(phone=PHONE, purpose="appointment", ip="10.0.0.2")
    otp_request(phone="+97455000001", purpose="appointment", ip="10.0.0.1")
    with pytest.raises(TooManyCodes):
        otp_request(phone="+97455000002", purpose="appointment", ip="10.0.0.1")
    assert PhoneCode.objects.count() == 3


def test_a_bad_phone_is_a_clear_error_and_sends_nothing():
    with pytest.raises(InvalidInput):
        otp_request(phone="12", purpose="appointment")
    assert not PhoneCode.objects.exists()
