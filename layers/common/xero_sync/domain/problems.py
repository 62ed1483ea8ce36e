"""What the export domain reports besides a payload: problems and notices.

* A :class:`Problem` stops a record: it needs the admin (an account without a code, an unmapped
  tax …) and is not worth retrying until something changes. Every problem has a stable ``code``
  (for metrics, grouping of failure emails per F6.2, translations per F6.3), an actionable English
  ``message`` that names the thing to fix and where, and ``params`` (the names and numbers in
  the message) so that a notifier can render the same problem in German or French.
* A :class:`Notice` does not stop the record: it records something the admin may want to know
  (the host's total differs from Xero's by a cent, a sixth contact person was dropped …).

Both are frozen pydantic models: they go into history items and emails as JSON.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ProblemCode(StrEnum):
    # accounts (F2.1, F2.2)
    ACCOUNT_NOT_CONFIGURED = "account_not_configured"
    UNKNOWN_ACCOUNT = "unknown_account"
    ARCHIVED_ACCOUNT = "archived_account"
    MISSING_ACCOUNT_CODE = "missing_account_code"
    ACCOUNT_NOT_PAYMENT_ENABLED = "account_not_payment_enabled"
    NOT_A_BANK_ACCOUNT = "not_a_bank_account"
    BANK_ACCOUNT_NOT_ALLOWED = "bank_account_not_allowed"  # settings: their accounts go on lines
    # taxes (F2.3)
    UNMAPPED_TAX = "unmapped_tax"
    UNKNOWN_TAX_RATE = "unknown_tax_rate"
    INACTIVE_TAX_RATE = "inactive_tax_rate"
    TAX_RATE_MISMATCH = "tax_rate_mismatch"
    TAX_NOT_ALLOWED_FOR_ACCOUNT = "tax_not_allowed_for_account"
    NO_ZERO_TAX_RATE = "no_zero_tax_rate"
    DUPLICATE_MAPPING = "duplicate_mapping"  # tax mappings: a host tax mapped twice
    # currencies (xero-facts §6.8)
    CURRENCY_NOT_ENABLED = "currency_not_enabled"
    BASE_CURRENCY_MISMATCH = "base_currency_mismatch"
    EXCHANGE_RATE_TOO_SMALL = "exchange_rate_too_small"
    # documents
    NEGATIVE_TOTAL = "negative_total"
    WRITE_OFF_AMOUNT_UNKNOWN = "write_off_amount_unknown"
    # field mapping overrides (F2.4)
    VALUE_TOO_LONG = "value_too_long"
    INVALID_VALUE = "invalid_value"
    REQUIRED_VALUE_MISSING = "required_value_missing"
    # settings (F2.1)
    UNKNOWN_CONTACT_GROUP = "unknown_contact_group"
    # lock dates (domain/lock_dates.py)
    CLOSED_PERIOD = "closed_period"
    # tracking categories on lines (F2.4, domain/mapping/line_fields.py)
    UNKNOWN_TRACKING_CATEGORY = "unknown_tracking_category"
    UNKNOWN_TRACKING_OPTION = "unknown_tracking_option"
    # items (F3.10): Xero refuses a line whose item code it does not know
    UNKNOWN_ITEM = "unknown_item"


class NoticeCode(StrEnum):
    TOTAL_MISMATCH = "total_mismatch"
    UNIT_PRICE_ROUNDED = "unit_price_rounded"
    LINE_DISCOUNT_FOLDED = "line_discount_folded"
    CONTACT_PERSONS_DROPPED = "contact_persons_dropped"
    EXCHANGE_RATE_DEFAULTED = "exchange_rate_defaulted"


class Problem(BaseModel):
    """Something the admin must fix before this record can reach Xero."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    code: ProblemCode
    message: str
    field: str | None = Field(default=None, description="The host field at fault, when there is one.")
    params: dict[str, str] = Field(default_factory=dict)


class Notice(BaseModel):
    """Something worth telling the admin that does not stop the export."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    code: NoticeCode
    message: str
    field: str | None = None
    params: dict[str, str] = Field(default_factory=dict)
