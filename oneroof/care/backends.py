"""The care inbox's channel backends, chosen by settings like Django's e-mail backends.

Inbound:
- e-mail inboxes (`ONEROOF_CARE_EMAIL_INBOX`), read by `oneroof care_poll_email`:
  `ImapInbox` (a mailbox over IMAP with the standard library's imaplib) and
  `DirectoryInbox` (`.eml` files dropped in a folder: pilots and tests);
- social networks post to a webhook; `ONEROOF_CARE_SOCIAL_ADAPTER` turns a network's JSON into
  an `InboundPost` (`GenericSocialAdapter` reads the generic shape documented in
  docs/operations.md).

Outbound replies go back on the channel they came from: SMS through `notify.sms_send`,
e-mail through Django's e-mail backend, social networks through `ONEROOF_CARE_SOCIAL_BACKEND`
(`ConsoleSocialBackend`, `FileSocialBackend`, `MemorySocialBackend` for tests; a network's
real client implements the same `send`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import email.utils
import imaplib
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from oneroof.core.errors import InvalidInput

# --- what arrives ----------------------------------------------------------------------------


@dataclass
class Inbound:
    """One message from a citizen, whatever the channel, before it becomes (part of) a case."""

    channel: str
    text: str
    lang: str | None = None
    kind: str | None = None
    subject: str = ""
    citizen_name: str = ""
    phone: str = ""
    email: str = ""
    social_network: str = ""
    social_handle: str = ""
    external_id: str = ""  # Message-ID, post id, survey answer: delivered twice, one case
    reply_to_case: int | None = None  # the case reference found in a reply
    service_id: int | None = None
    agency_id: int | None = None
    center_id: int | None = None
    priority: str | None = None
    at: dt.datetime | None = None
    automated: bool = False  # sent by a machine (an out-of-office reply): never auto-answered


@dataclass
class InboundPost:
    """A post from a social network: a direct message (it becomes a case) or a public
    mention (it is monitored, with its sentiment)."""

    network: str
    external_id: str
    kind: str  # "message" or "mention"
    handle: str
    text: str
    name: str = ""
    url: str = ""
    lang: str | None = None
    posted_at: dt.datetime = field(default_factory=timezone.now)


# --- social networks -------------------------------------------------------------------------


class GenericSocialAdapter:
    """Reads the generic JSON shape:

    {"id": "…", "type": "message" | "mention", "author": {"handle": "…", "name": "…"},
     "text": "…", "url": "…", "lang": "ar" | "en", "posted_at": "ISO 8601"}
    """

    def parse(self, network: str, payload: Any) -> InboundPost:
        if not isinstance(payload, dict):
            raise InvalidInput(_("The body must be a JSON object."))
        author = payload.get("author") or {}
        if not isinstance(author, dict):
            author = {"handle": str(author)}
        post_id = str(payload.get("id") or "").strip()
        text = str(payload.get("text") or "").strip()
        handle = str(author.get("handle") or "").strip()
        kind = str(payload.get("type") or "mention")
        missing = [
            n for n, v in (("id", post_id), ("text", text), ("author.handle", handle)) if not v
        ]
        if missing or kind not in ("message", "mention"):
            raise InvalidInput(
                _(
                    "A post needs an id, a text, an author's handle and a type "
                    "(message or mention)."
                ),
                details=[{"loc": [m], "msg": "required"} for m in missing],
            )
        posted = payload.get("posted_at")
        posted_at = parse_datetime(str(posted)) if posted else None
        if posted_at is not None and timezone.is_naive(posted_at):
            posted_at = timezone.make_aware(posted_at, dt.UTC)
        lang = payload.get("lang")
        return InboundPost(
            network=network,
            external_id=post_id[:200],
            kind=kind,
            handle=handle[:120],
            name=str(author.get("name") or "")[:120],
            text=text[:5000],
            url=str(payload.get("url") or "")[:500],
            lang=lang if lang in ("ar", "en") else None,
            posted_at=posted_at or timezone.now(),
        )


def get_social_adapter() -> GenericSocialAdapter:
    return import_string(settings.ONEROOF_CARE_SOCIAL_ADAPTER)()


class SocialBackend:
    def send(self, *, network: str, handle: str, text: str, in_reply_to: str = "") -> str:
        """Send a reply; returns the network's id of the reply (may be empty)."""
        raise NotImplementedError


class ConsoleSocialBackend(SocialBackend):
    def send(self, *, network: str, handle: str, text: str, in_reply_to: str = "") -> str:
        sys.stdout.write(f"[{network} to {handle}] {text}\n")
        sys.stdout.flush()
        return ""


class FileSocialBackend(SocialBackend):
    """Appends each reply as a JSON line to ONEROOF_CARE_SOCIAL_FILE."""

    _lock = threading.Lock()

    def send(self, *, network: str, handle: str, text: str, in_reply_to: str = "") -> str:
        path = Path(settings.ONEROOF_CARE_SOCIAL_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": timezone.now().isoformat(),
                "network": network,
                "to": handle,
                "in_reply_to": in_reply_to,
                "text": text,
            },
            ensure_ascii=False,
        )
        with self._lock, path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return ""


class MemorySocialBackend(SocialBackend):
    """Keeps replies in `MemorySocialBackend.outbox` (tests)."""

    outbox: list[dict[str, str]] = []

    def send(self, *, network: str, handle: str, text: str, in_reply_to: str = "") -> str:
        self.outbox.append(
            {"network": network, "to": handle, "text": text, "in_reply_to": in_reply_to}
        )
        return f"reply-{len(self.outbox)}"


def get_social_backend() -> SocialBackend:
    return import_string(settings.ONEROOF_CARE_SOCIAL_BACKEND)()


def social_secret(network: str) -> str:
    """The shared secret of a network's webhook: `network=secret` in
    ONEROOF_CARE_SOCIAL_SECRETS. No secret: the network's webhook is closed."""
    for item in settings.ONEROOF_CARE_SOCIAL_SECRETS:
        name, _, secret = item.partition("=")
        if name.strip() == network and secret.strip():
            return secret.strip()
    return ""


# --- e-mail ----------------------------------------------------------------------------------


def _plain_text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        from django.utils.html import strip_tags

        text = strip_tags(text)
    # Drop the quoted earlier message of a reply.
    lines = []
    for line in text.splitlines():
        if line.startswith(">"):
            continue
        if line.strip().startswith("On ") and line.strip().endswith("wrote:"):
            break
        lines.append(line)
    return "\n".join(lines).strip()


def parse_email(raw: bytes) -> Inbound:
    """An incoming e-mail as an `Inbound`. A reply keeps the case reference in its subject
    ("[#123]") and is threaded into that case."""
    from oneroof.care.messaging import case_reference_in

    message = email.message_from_bytes(raw, policy=email.policy.default)
    name, address = email.utils.parseaddr(str(message.get("From", "")))
    subject = str(message.get("Subject", "")).strip()
    text = _plain_text(message)  # type: ignore[arg-type]
    if not address or not text:
        raise InvalidInput(_("An e-mail needs a sender and a text."))
    # An out-of-office or list message must not get an automatic answer (mail loops).
    automated = str(message.get("Auto-Submitted", "no")).strip().lower() != "no" or str(
        message.get("Precedence", "")
    ).strip().lower() in ("bulk", "junk", "list", "auto_reply")
    return Inbound(
        channel="email",
        automated=automated,
        text=text[:10000],
        subject=subject[:200],
        citizen_name=name[:120],
        email=address.lower()[:254],
        external_id=str(message.get("Message-ID", "")).strip()[:200],
        reply_to_case=case_reference_in(subject),
    )


class EmailInbox:
    """Where `care_poll_email` reads new e-mail from: yields (id, raw bytes), and is told
    once each one has been stored, so a crash in between reads it again (the case's
    source reference keeps it from being opened twice)."""

    def fetch(self) -> Iterator[tuple[str, bytes]]:
        raise NotImplementedError

    def done(self, message_id: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class DirectoryInbox(EmailInbox):
    """`.eml` files in ONEROOF_CARE_EMAIL_DIR/new/; each is moved to cur/ once stored."""

    def __init__(self, directory: str | None = None) -> None:
        self.root = Path(directory or settings.ONEROOF_CARE_EMAIL_DIR)
        (self.root / "new").mkdir(parents=True, exist_ok=True)
        (self.root / "cur").mkdir(parents=True, exist_ok=True)

    def fetch(self) -> Iterator[tuple[str, bytes]]:
        for path in sorted((self.root / "new").glob("*.eml")):
            yield path.name, path.read_bytes()

    def done(self, message_id: str) -> None:
        (self.root / "new" / message_id).rename(self.root / "cur" / message_id)


class ImapInbox(EmailInbox):
    """Unseen messages of ONEROOF_CARE_IMAP_FOLDER on ONEROOF_CARE_IMAP_HOST (TLS), marked
    seen once stored."""

    imap_class = imaplib.IMAP4_SSL

    def __init__(self) -> None:
        self.conn = self.imap_class(
            settings.ONEROOF_CARE_IMAP_HOST, settings.ONEROOF_CARE_IMAP_PORT
        )
        self.conn.login(settings.ONEROOF_CARE_IMAP_USER, settings.ONEROOF_CARE_IMAP_PASSWORD)
        self.conn.select(settings.ONEROOF_CARE_IMAP_FOLDER)

    def fetch(self) -> Iterator[tuple[str, bytes]]:
        status, data = self.conn.uid("SEARCH", None, "UNSEEN")
        if status != "OK" or not data or not data[0]:
            return
        for uid in data[0].split():
            status, parts = self.conn.uid("FETCH", uid, "(BODY.PEEK[])")
            if status != "OK":
                continue
            for part in parts:
                if isinstance(part, tuple):
                    yield uid.decode(), part[1]
                    break

    def done(self, message_id: str) -> None:
        self.conn.uid("STORE", message_id, "+FLAGS", "(\\Seen)")

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()


def get_email_inbox() -> EmailInbox:
    return import_string(settings.ONEROOF_CARE_EMAIL_INBOX)()
