"""SMS backends, chosen by the ONEROOF_SMS_BACKEND setting, like Django's e-mail backends.

The console and file backends are for development and pilots without a gateway; the HTTP
backend posts JSON to a gateway; the memory backend keeps messages for tests."""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsBackend:
    def send(self, *, to: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Writes each message to standard output."""

    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {to}] {text}\n")
        sys.stdout.flush()


class FileSmsBackend(SmsBackend):
    """Appends each message as a JSON line to ONEROOF_SMS_FILE (default var/sms.jsonl)."""

    _lock = threading.Lock()

    def send(self, *, to: str, text: str) -> None:
        path = Path(settings.ONEROOF_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": to, "text": text}, ensure_ascii=False
        )
        with self._lock, path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class MemorySmsBackend(SmsBackend):
    """Keeps messages in `MemorySmsBackend.outbox` (tests)."""

    outbox: list[dict[str, str]] = []

    def send(self, *, to: str, text: str) -> None:
        self.outbox.append({"to": to, "text": text})


class HttpJsonSmsBackend(SmsBackend):
    """POSTs {"to", "text"} as JSON to ONEROOF_SMS_HTTP_URL with a bearer token."""

    def send(self, *, to: str, text: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - the URL is operator configuration
            settings.ONEROOF_SMS_HTTP_URL,
            data=json.dumps({"to": to, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.ONEROOF_SMS_HTTP_TOKEN}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status >= 300:
                raise OSError(f"gateway answered {response.status}")


def get_sms_backend() -> SmsBackend:
    return import_string(settings.ONEROOF_SMS_BACKEND)()
