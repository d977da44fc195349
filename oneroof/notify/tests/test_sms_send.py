"""sms_send: recorded first, delivered after commit; a failing gateway is recorded, not
raised. phone_normalize: E.164 or a clear InvalidInput."""

import pytest
from django.db import transaction

from oneroof.core.errors import InvalidInput
from oneroof.notify.actions import phone_normalize, sms_send
from oneroof.notify.backends import MemorySmsBackend, SmsBackend
from oneroof.notify.models import MessageStatus, OutboundMessage

pytestmark = pytest.mark.django_db


class FailingSmsBackend(SmsBackend):
    def send(self, *, to: str, text: str) -> None:
        raise OSError("gateway answered 503")


def test_a_message_is_recorded_then_sent_after_commit(django_capture_on_commit_callbacks):
    # when an SMS is sent inside a transaction
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = sms_send(to="+97455123456", text="Hello", lang="en", purpose="queue")
        # then it is recorded as queued, and nothing has left yet
        assert OutboundMessage.objects.get(pk=message.pk).status == MessageStatus.QUEUED
        assert MemorySmsBackend.outbox == []

    # and once the transaction commits it is delivered and marked sent
    for callback in callbacks:
        callback()
    assert MemorySmsBackend.outbox == [{"to": "+97455123456", "text": "Hello"}]
    sent = OutboundMessage.objects.get(pk=message.pk)
    assert sent.status == MessageStatus.SENT
    assert sent.sent_at is not None
    assert (sent.channel, sent.lang, sent.purpose) == ("sms", "en", "queue")


def test_a_failing_gateway_marks_the_message_failed_without_raising(
    settings, django_capture_on_commit_callbacks
):
    # given a gateway that fails
    settings.ONEROOF_SMS_BACKEND = f"{__name__}.FailingSmsBackend"

    # when an SMS is sent and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(to="+97455123456", text="Hello")

    # then no exception reached the caller and the message records the failure
    failed = OutboundMessage.objects.get(pk=message.pk)
    assert failed.status == MessageStatus.FAILED
    assert "503" in failed.error
    assert failed.sent_at is None


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sms_send(to="+97455123456", text="Hello")
        raise RuntimeError

    assert callbacks == []
    assert MemorySmsBackend.outbox == []
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("55123456", None, "+97455123456"),
        (" 5512 3456 ", None, "+97455123456"),
        ("+974 5512-3456", None, "+97455123456"),
        ("0097455123456", None, "+97455123456"),
        ("+44 20 7946 0958", None, "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw, region, e164):
    assert phone_normalize(raw, region=region) == e164


@pytest.mark.parametrize("raw", ["", "abc", "123", "+974 5512", "5512345678901234"])
def test_what_is_not_a_valid_phone_number_is_invalid_input(raw):
    with pytest.raises(InvalidInput) as caught:
        phone_normalize(raw)
    assert raw.strip() in caught.value.message or raw == ""
