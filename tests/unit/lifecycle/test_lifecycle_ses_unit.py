"""The SES adapter without SES: the MIME message it sends, and how SES errors are sorted into
retry (throttling) and give up (rejection)."""

from __future__ import annotations

import email
from email.policy import default

import pytest
from botocore.exceptions import ClientError
from lifecycle_fakes import T0

from xero_sync.aws.ses import (
    MIME_POLICY,
    EmailRejected,
    EmailThrottled,
    OutgoingEmail,
    SesMailer,
    build_mime,
    classify_ses_error,
    sender_address,
)

EMAIL = OutgoingEmail(
    sender="Acme Billing <xero-sync@acme.example>",
    to=["ops@acme.example", "cfo@acme.example"],
    reply_to="support@acme.example",
    subject="Acme Billing: 3 Datensätze konnten nicht an Xero gesendet werden",
    text="Guten Tag,\n\nÄnderung nötig.\n",
    html="<p>Änderung nötig.</p>",
    headers={"X-Xero-Sync-Notification": "digest:org-a:1"},
)


def client_error(code: str, status: int = 400) -> ClientError:
    response = {"Error": {"Code": code, "Message": f"{code} happened"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "SendRawEmail")


class StubSes:
    def __init__(self, error: ClientError | None = None) -> None:
        self.error = error
        self.calls: list[dict] = []

    def send_raw_email(self, **kwargs):
        self.calls.append(kwargs)
        if self.error:
            raise self.error
        return {"MessageId": "0100018c-abc"}


def test_the_message_has_a_text_and_an_html_part_and_the_right_headers():
    raw = build_mime(EMAIL, now=T0).as_bytes(policy=MIME_POLICY)
    assert all(byte < 128 for byte in raw)
    parsed = email.message_from_bytes(raw, policy=default)

    assert parsed["From"] == EMAIL.sender and parsed["Reply-To"] == "support@acme.example"
    assert parsed["To"] == "ops@acme.example, cfo@acme.example"
    assert str(parsed["Subject"]) == EMAIL.subject  # non-ASCII survives the header encoding
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["X-Xero-Sync-Notification"] == "digest:org-a:1"
    assert parsed["Message-ID"].endswith("@acme.example>")
    assert parsed.get_content_type() == "multipart/alternative"
    text, html = parsed.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text["Content-Transfer-Encoding"] == "quoted-printable"  # 7-bit, short lines
    assert text.get_content().replace("\r\n", "\n") == EMAIL.text and "Änderung" in html.get_content()


def test_the_mailer_sends_raw_from_the_bare_sender_address_to_every_recipient():
    ses = StubSes()
    assert SesMailer(ses, clock=lambda: T0).send(EMAIL) == "0100018c-abc"
    [call] = ses.calls
    assert call["Source"] == "xero-sync@acme.example" == sender_address(EMAIL.sender)
    assert call["Destinations"] == EMAIL.to
    assert b"multipart/alternative" in call["RawMessage"]["Data"]


@pytest.mark.parametrize(
    "code,status", [("Throttling", 400), ("TooManyRequestsException", 429), ("ServiceUnavailable", 503)]
)
def test_throttling_is_retried(code, status):
    with pytest.raises(EmailThrottled):
        SesMailer(StubSes(client_error(code, status))).send(EMAIL)


@pytest.mark.parametrize(
    "code", ["MessageRejected", "MailFromDomainNotVerifiedException", "AccountSendingPausedException"]
)
def test_rejections_are_given_up(code):
    with pytest.raises(EmailRejected) as raised:
        SesMailer(StubSes(client_error(code))).send(EMAIL)
    assert raised.value.code == code


def test_other_errors_propagate_unchanged():
    assert classify_ses_error(client_error("AccessDenied", 403)) is None
    with pytest.raises(ClientError):
        SesMailer(StubSes(client_error("AccessDenied", 403))).send(EMAIL)
