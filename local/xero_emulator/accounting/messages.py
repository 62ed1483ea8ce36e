"""Validation messages, in one place so that the wording can be checked against Xero.

Texts marked ``# Xero`` are Xero's own wording (source in the comment); the others are the
emulator's own, specific wording for rules whose exact Xero text is not known (UNCONFIRMED).
Clients should key on the HTTP status and on which element failed, not on these strings.
"""

# --- contacts (xero-facts §6.5) ---------------------------------------------------------------
CONTACT_IDENTIFICATION = (  # Xero (observed; SPEC example of createBankTransactions)
    "The Contact must contain at least 1 of the following elements to identify the contact: "
    "Name, ContactID, ContactNumber"
)
CONTACT_NAME_NOT_UNIQUE = (  # Xero (observed, xero-facts §6.5)
    "The contact name {name} is already assigned to another contact. "
    "The contact name must be unique across all active contacts."
)
ACCOUNT_NUMBER_NOT_UNIQUE = (  # Xero (I:calcinai/xero-php#880, start of the text)
    "The Account Number already exists. Please enter a different Account Number."
)
CONTACT_NAME_REQUIRED = "The contact Name is required when creating a contact."
CONTACT_NUMBER_NOT_UNIQUE = "The ContactNumber {number} is already assigned to another contact."
CONTACT_NOT_FOUND = "A contact with the ContactID {contact_id} could not be found."
CONTACT_NUMBER_NOT_FOUND = "A contact with the ContactNumber {number} could not be found."
CONTACT_ARCHIVED = "The contact {name} is archived. Restore the contact before using it on a transaction."
TOO_MANY_CONTACT_PERSONS = "A contact can have a maximum of 5 contact persons."
INVALID_ADDRESS_TYPE = "AddressType {value} is not valid. Use POBOX or STREET."
INVALID_PHONE_TYPE = "PhoneType {value} is not valid. Use DEFAULT, DDI, MOBILE, FAX or OFFICE."
INVALID_CONTACT_STATUS = "ContactStatus {value} is not valid. Use ACTIVE or ARCHIVED."
INVALID_EMAIL = "Email address must be valid."
TOO_LONG = "{field} must not be longer than {limit} characters."

# --- documents: invoices, credit notes (xero-facts §6.1, §6.3) -------------------------------------
INVALID_STATUS_FOR_MODIFICATION = "Invoice not of valid status for modification"  # Xero (I:Xero-NetStandard#79)
CREDIT_NOTE_INVALID_STATUS = "Credit Note not of valid status for modification"
DOCUMENT_HAS_PAYMENT = (  # Xero (I:XeroAPI/Xero-NetStandard#84, xeroizer#211)
    "This document cannot be edited as it has a payment or credit note allocated to it"
)
INVOICE_NUMBER_NOT_UNIQUE = "Invoice # must be unique."  # Xero (observed; SPEC example getInvoice)
CREDIT_NOTE_NUMBER_NOT_UNIQUE = "Credit Note # must be unique."
INVALID_CREATE_STATUS = "{kind} cannot be created with Status {status}. Use DRAFT, SUBMITTED or AUTHORISED."
INVALID_STATUS = "Status {status} is not valid for {kind}."
TYPE_REQUIRED = "{kind} Type is required. Use {allowed}."
TYPE_INVALID = "{kind} Type {value} is not valid. Use {allowed}."
TYPE_CHANGE = "The Type of an existing {kind} cannot be changed."
LINE_ITEMS_REQUIRED = "At least one line item is required."
DESCRIPTION_REQUIRED = "The description field is mandatory for each line item."  # Xero (observed)
ACCOUNT_CODE_REQUIRED = "Account code must be specified"  # Xero (I:benedwards44/Apex-for-Xero#9)
TAX_TYPE_REQUIRED = "The TaxType field is mandatory"  # Xero (I:benedwards44/Apex-for-Xero#9)
ACCOUNT_CODE_INVALID = "Account code '{code}' is not a valid code for this document."  # Xero (I:Xero-NetStandard#364)
ACCOUNT_ID_INVALID = "Account with AccountID '{account_id}' is not a valid account for this document."
TAX_TYPE_INVALID = (  # Xero (I:XeroAPI/Xero-Java#336)
    "The TaxType code {tax_type} does not exist or cannot be used for this type of transaction."
)
TAX_TYPE_NOT_FOR_ACCOUNT = "The TaxType code '{tax_type}' cannot be used with account code '{code}'."  # Xero (same)
CURRENCY_NOT_SUBSCRIBED = "Organisation is not subscribed to currency {code}"  # Xero (D:purchaseorders copy)
CURRENCY_RATE_INVALID = "CurrencyRate must be greater than zero."
DISCOUNT_NOT_ALLOWED = (
    "Discounts are only supported on ACCREC invoices; ACCPAY invoices and credit notes do not support them."
)
DISCOUNT_BOTH = "Specify either DiscountRate or DiscountAmount on a line item, not both."
DISCOUNT_RATE_RANGE = "DiscountRate must be between 0 and 100."
DUE_DATE_REQUIRED = "Due Date is required when the {kind} is submitted or approved."
SENT_TO_CONTACT_DRAFT = "SentToContact can only be set on approved invoices."
NUMBER_REQUIRED_NUMBER = "{field} must be a number."
NUMBER_TOO_LARGE = "{field} is too large."
DATE_INVALID = "{field} is not a valid date."
LINE_AMOUNT_TOO_LARGE = "LineAmount must not exceed 9,999,999,999.99."
QUANTITY_TOO_LARGE = "Quantity must not have more than 13 digits."
EXISTING_NOT_FOUND = "An existing {kind} with the specified {id_field} could not be found"  # Xero (SPEC example)
BRANDING_THEME_INVALID = "BrandingThemeID must be a GUID."
TRACKING_LIMIT = "A line item can have a maximum of 2 tracking categories."
TOTAL_IGNORED = (
    "The Total supplied ({sent}) does not equal the sum of the line items; the calculated Total {total} was used."
)
REFERENCE_IGNORED = "Reference is only stored on ACCREC documents; put the supplier's reference in {field}."

# --- items (items.py; emulator wording unless marked) -------------------------------------------------------
ITEM_CODE_INVALID = "Item code '{code}' is not valid"  # Xero (quoted by integrators' help pages)
ITEM_CODE_REQUIRED = "Item Code is required."
ITEM_CODE_NOT_UNIQUE = "Item code '{code}' already exists. Item codes must be unique."
ITEM_COGS_ACCOUNT_INVALID = "COGSAccountCode '{code}' must be an active expense or direct costs account."
ITEM_INVENTORY_ACCOUNT_REQUIRED = "InventoryAssetAccountCode is required to track an item as inventory."
ITEM_INVENTORY_ACCOUNT_INVALID = "InventoryAssetAccountCode '{code}' must be an active account of Type INVENTORY."
ITEM_COGS_REQUIRED = "PurchaseDetails.COGSAccountCode is required to track an item as inventory."

# --- tracking categories (tracking.py; emulator wording unless marked) --------------------------------------
TRACKING_CATEGORY_NAME_REQUIRED = "Tracking category Name is required."
TRACKING_CATEGORY_NAME_NOT_UNIQUE = "For each specified tracking category the name must be unique."  # by analogy
TRACKING_OPTION_NAME_REQUIRED = "Tracking option Name is required."
TRACKING_OPTION_NAME_NOT_UNIQUE = "For each specified tracking option the name must be unique."  # Xero (xero-php#920)
TRACKING_CATEGORY_LIMIT = "An organisation can have at most {limit} active tracking categories."
TRACKING_STATUS = "Status {value} is not valid; use ACTIVE or ARCHIVED (DELETE to delete)."
TRACKING_IN_USE = "The tracking {kind} {name} has been used in transactions and cannot be deleted. Archive it instead."
TRACKING_CATEGORY_UNKNOWN = (  # Xero's text for a contact's tracking (xero-php#386), used for lines too
    "There is no ACTIVE tracking category with the name '{name}'"
)
TRACKING_CATEGORY_ID_UNKNOWN = "There is no ACTIVE tracking category with the TrackingCategoryID '{category_id}'"
TRACKING_OPTION_UNKNOWN = "There is no ACTIVE tracking option with the name '{option}' in tracking category '{name}'"
TRACKING_OPTION_ID_UNKNOWN = (
    "There is no ACTIVE tracking option with the TrackingOptionID '{option_id}' in tracking category '{name}'"
)
TRACKING_CATEGORY_TWICE = "A line item can have only one option of tracking category '{name}'."
TRACKING_CATEGORY_MISSING = "Tracking on a line item must name its category (Name or TrackingCategoryID)."

# --- lock dates (locks.py) -----------------------------------------------------------------------------
LOCKED_END_OF_YEAR = (  # Xero (I:waynerobinson/xeroizer#92; FYI support page quotes it too)
    "The document date cannot be before the end of year lock date, currently set at {date}"
)
LOCKED_PERIOD = (  # Xero's start (matched by integrations); the ", currently set at" tail by analogy
    "The document date cannot be before the period lock date, currently set at {date}"
)

# --- payments (xero-facts §6.2) ----------------------------------------------------------------------
PAYMENT_NOT_AUTHORISED = "Payments can only be made against Authorised documents"  # Xero (Workato KB)
PAYMENT_EXCEEDS_OUTSTANDING = "Payment amount exceeds the amount outstanding on this document"  # Xero (SPEC example)
ONLY_STATUS_ACCEPTED = "Only Status accepted for updates."  # Xero (I:XeroAPI/xero-node#115)
PAYMENT_STATUS_DELETED_ONLY = "A payment can only be updated to Status DELETED."
PAYMENT_ALREADY_DELETED = "This payment has already been deleted."
PAYMENT_TARGET_REQUIRED = "A payment must be applied to exactly one of: Invoice, CreditNote, Prepayment, Overpayment."
PAYMENT_TARGET_UNSUPPORTED = "Payments against {kind} are not supported by the emulator."
PAYMENT_DOCUMENT_NOT_FOUND = "The {kind} specified on the payment could not be found."
PAYMENT_DOCUMENT_AMBIGUOUS = "More than one {kind} has the number {number}; identify it by its ID."
PAYMENT_ACCOUNT_REQUIRED = "A payment requires an Account (AccountID or Code)."
PAYMENT_ACCOUNT_NOT_FOUND = "The Account specified on the payment could not be found."
PAYMENT_ACCOUNT_INVALID = (
    "Account {account} cannot be used for payments: it must be a BANK account or have EnablePaymentsToAccount set."
)
PAYMENT_ACCOUNT_CURRENCY = (
    "A {currency} document cannot be paid from a {bank_currency} bank account; "
    "use an account in {currency} or in the base currency."
)
PAYMENT_AMOUNT_REQUIRED = "Payment Amount must be greater than zero."
PAYMENT_DATE_REQUIRED = "Payment Date is required."
PAYMENT_CREATE_STATUS = "A payment can only be created with Status AUTHORISED."

# --- allocations (xero-facts §6.3) ---------------------------------------------------------------------
ALLOCATION_INVOICE_PAID = "The invoice you are trying to allocate to has already been paid off"  # Xero (xeroizer#320)
ALLOCATION_EXCEEDS_INVOICE = (  # Xero (xeroizer#320, calcinai/xero-php#251)
    "Credit Note cannot be allocated as amount is greater than amount outstanding"
)
ALLOCATION_WRONG_TYPE = (
    "Credit Note cannot be allocated to an incorrect invoice type"  # Xero (xeroizer#320, truncated there)
)
ALLOCATION_EXCEEDS_CREDIT = "The amount allocated exceeds the remaining credit on this credit note."
ALLOCATION_CREDIT_NOT_AUTHORISED = "Only AUTHORISED credit notes can be allocated."
ALLOCATION_INVOICE_NOT_AUTHORISED = "Credit notes can only be allocated to AUTHORISED invoices."
ALLOCATION_OTHER_CONTACT = "The credit note and the invoice must belong to the same contact."
ALLOCATION_CURRENCY = "The credit note and the invoice must be in the same currency."
ALLOCATION_INVOICE_REQUIRED = "An allocation requires an Invoice (InvoiceID or InvoiceNumber)."
ALLOCATION_INVOICE_NOT_FOUND = "The invoice specified on the allocation could not be found."
ALLOCATION_AMOUNT_REQUIRED = "Allocation Amount must be greater than zero."

# --- bank transactions (xero-facts §6.4) -----------------------------------------------------------------
BANK_TYPE_UNSUPPORTED = "Bank transactions of Type {value} are not supported by the emulator."
BANK_TYPE_READ_ONLY = "Bank transactions of Type {value} are read-only; use BankTransfers."
BANK_ACCOUNT_REQUIRED = "A BankAccount (Code or AccountID) is required."
BANK_ACCOUNT_INVALID = "BankAccount {account} must be an active account of Type BANK."
BANK_QUANTITY = "Quantity must be greater than zero."
BANK_UNIT_AMOUNT = "UnitAmount must not be zero."
BANK_TOTAL_NOT_POSITIVE = "The total of a bank transaction must be greater than zero."
BANK_TAX_AMOUNT = "The TaxAmount {sent} of a line does not equal the calculated tax {calculated}."
BANK_CURRENCY = "The CurrencyCode of a bank transaction is the currency of its bank account ({currency})."
BANK_STATUS = "Status {status} is not valid; a bank transaction is AUTHORISED, or DELETED to delete it."
BANK_DELETED = "This bank transaction has been deleted and cannot be modified."

# --- manual journals (emulator wording, UNCONFIRMED) ----------------------------------------------------
MANUAL_JOURNAL_NARRATION = "A manual journal needs a Narration."
MANUAL_JOURNAL_LINES = "A manual journal needs at least two JournalLines."
MANUAL_JOURNAL_LINE_AMOUNT = "Each journal line needs a non-zero LineAmount (debits positive, credits negative)."
MANUAL_JOURNAL_UNBALANCED = "The total debits ({debits}) must equal the total credits ({credits})."
MANUAL_JOURNAL_STATUS = (
    "Manual journal not of valid status for modification: DRAFT may become POSTED or DELETED, POSTED may become VOIDED."
)

# --- settings entities (xero-facts §6.6–6.8) ----------------------------------------------------------------
ACCOUNT_CODE_TOO_LONG = "Account Code is too long. Maximum of 10 characters allowed"  # Xero (I:XeroAPI/Xero-Net#285)
ACCOUNT_CODE_NOT_UNIQUE = "Please enter a unique Code."
ACCOUNT_NAME_NOT_UNIQUE = "Please enter a unique Name."  # Xero (SPEC example of createAccount)
ACCOUNT_NAME_REQUIRED = "Account Name is required."
ACCOUNT_TYPE_INVALID = "Account Type {value} is not valid."
ACCOUNT_BANK_NUMBER_REQUIRED = "A BankAccountNumber is required for a BANK account."
ACCOUNT_STATUS_INVALID = (
    "Account Status {value} is not valid; use ACTIVE or ARCHIVED (DELETE the account to delete it)."
)
ACCOUNT_SYSTEM = "System account {name} cannot be {action}."
ACCOUNT_IN_USE = "Account {name} has been used in transactions and cannot be deleted. Archive it instead."
ACCOUNT_BANK_TYPE_CHANGE = (
    "The Type of a BANK account cannot be changed, nor can another account become a BANK account."
)
TAX_RATE_NAME_REQUIRED = "Tax rate Name is required."
TAX_RATE_NAME_NOT_UNIQUE = "A tax rate named {name} already exists."
TAX_RATE_COMPONENTS_REQUIRED = "A tax rate needs at least one TaxComponent."
TAX_RATE_COMPONENT_RATE = "TaxComponent Rate must be a number between 0 and 100 with at most 4 decimal places."
TAX_RATE_REPORT_TYPE_REQUIRED = "ReportTaxType is required for {version} organisations."
TAX_RATE_NOT_FOUND = "The tax rate {tax_type} could not be found."
TAX_RATE_SYSTEM = "System tax rate {tax_type} cannot be changed."
TAX_RATE_STATUS = "Tax rate Status {value} is not valid; use ACTIVE, ARCHIVED or DELETED."
CURRENCY_CODE_INVALID = "Currency code {code} is not a valid ISO 4217 currency code."
CONTACT_GROUP_NAME_REQUIRED = "Contact group Name is required."
CONTACT_GROUP_NAME_NOT_UNIQUE = "A contact group named {name} already exists."
CONTACT_GROUP_STATUS = "Contact group Status {value} is not valid; use ACTIVE or DELETED."
CONTACT_GROUP_DELETED = "This contact group has been deleted."
