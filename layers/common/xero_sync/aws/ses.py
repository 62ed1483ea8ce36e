"""Sending an admin email through SES (F6.3), and keeping a copy on disk in the local stack.

The email is built here as one MIME message (plain-text and HTML alternatives, UTF-8) and sent
with ``SendRawEmail``, so what SES receives is byte for byte what the local stack writes to
``local_email_dir`` as an ``.eml`` file — open it in any mail program to see what an admin sees.

SES errors come back as two kinds the notifier acts on:

* :class:`EmailThrottled` — SES is busy or the account's sending rate/quota is used up
  (``Throttling``, ``TooManyRequestsException``, ``ServiceUnavailable``…): try again later (the
  SQS message goes back to the queue);
* :class:`EmailRejected` — SES will never send this email (``MessageRejected``: a malformed or
  blocked address, an unverified sender; a paused account or configuration set): give up and
  record why.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from xero_sync.domain.email import EmailError, EmailRejected, EmailThrottled, OutgoingEmail

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "RequestTimeout",
    }
)
REJECTION_CODES = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerified",
        "MailFromDomainNotVerifiedException",
        "AccountSendingPausedException",
        "ConfigurationSetSendingPausedException",
        "ConfigurationSetDoesNotExist",
        "ConfigurationSetDoesNotExistException",
        "InvalidParameterValue",
        "BadRequestException",
    }
)


# The parts are encoded under SMTP's 78-character policy (quoted-printable, short 7-bit lines);
# the message is written with headers folded only beyond RFC 5322's hard limit of 998, so a long
# subject stays on its line (Python folds it after "Subject:", which some mail programs show
# with a leading space).
MIME_POLICY = SMTP.clone(max_line_length=998)


def build_mime(email: OutgoingEmail, *, now: datetime | None = None) -> EmailMessage:
    """The email as SES will send it: ``multipart/alternative`` with the plain text first (mail
    programs show the last part they can display, so HTML wins where it can)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = email.sender
    message["To"] = ", ".join(email.to)
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = make_msgid(domain=_domain_of(email.sender) or "xero-sync.invalid")
    # RFC 3834: a machine wrote this — auto-responders (out-of-office) must not answer it.
    message["Auto-Submitted"] = "auto-generated"
    for name, value in email.headers.items():
        message[name] = value
    # Quoted-printable keeps every line 7-bit and short, as SES recommends for raw messages.
    message.set_content(email.text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def sender_address(sender: str) -> str:
    """The bare address of ``"Name <address>"`` (SES's ``Source``)."""
    addresses = getaddresses([sender])
    return addresses[0][1] if addresses and addresses[0][1] else sender


def _domain_of(sender: str) -> str | None:
    address = sender_address(sender)
    return address.rsplit("@", 1)[1] if "@" in address else None


def classify_ses_error(error: ClientError) -> EmailError | None:
    """The notifier's view of an SES error, or None for anything else (a bug, missing IAM
    permission): those propagate and the message goes back to the queue, then to its DLQ."""
    info = error.response.get("Error", {})
    code = str(info.get("Code") or "")
    message = str(info.get("Message") or "")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in THROTTLING_CODES or status == 429 or status >= 500:
        return EmailThrottled(code or str(status), message)
    if code in REJECTION_CODES:
        return EmailRejected(code, message)
    return None


class SesMailer:
    """Sends through SES v1 ``SendRawEmail``. ``local_email_dir``: also write each email SES
    accepted to that folder (local stack only; unset in AWS)."""

    def __init__(self, ses: Any, *, local_email_dir: str | None = None, clock: Any = None) -> None:
        self._ses = ses
        self._dir = Path(local_email_dir) if local_email_dir else None
        self._clock = clock

    def send(self, email: OutgoingEmail) -> str:
        """Send one email; returns SES's message id. Raises EmailThrottled or EmailRejected."""
        now = self._clock() if self._clock else datetime.now(UTC)
        raw = build_mime(email, now=now).as_bytes(policy=MIME_POLICY)
        try:
            answer = self._ses.send_raw_email(
                Source=sender_address(email.sender),
                Destinations=list(email.to),
                RawMessage={"Data": raw},
            )
        except ClientError as error:
            classified = classify_ses_error(error)
            if classified is not None:
                raise classified from error
            raise
        message_id = str(answer.get("MessageId") or "")
        if self._dir is not None:
            _write_copy(self._dir, raw, message_id, now)
        return message_id


def _write_copy(directory: Path, raw: bytes, message_id: str, now: datetime) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    safe_id = re.sub(r"[^A-Za-z0-9_.-]", "_", message_id)[:80] or secrets.token_hex(6)
    path = directory / f"{now.strftime('%Y%m%dT%H%M%S')}-{safe_id}.eml"
    path.write_bytes(raw)
    return path


__all__ = [
    "EmailError",
    "EmailRejected",
    "EmailThrottled",
    "OutgoingEmail",
    "SesMailer",
    "build_mime",
    "classify_ses_error",
    "sender_address",
]
