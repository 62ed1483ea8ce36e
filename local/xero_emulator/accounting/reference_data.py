"""Fixed reference data: currency codes, emulated day rates, account types and classes."""

from __future__ import annotations

from decimal import Decimal

from .money import SIX_PLACES

# ISO 4217 codes Xero accepts (SPEC ``#/components/schemas/CurrencyCode``).
CURRENCY_CODES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BYR BZD CAD CDF CHF CLF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EEK EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD MAD MDL MGA MKD MMK MNT MOP MRO MRU MUR MVR
    MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SKK SLE SLL SOS SRD STD STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VEF VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZMK ZWD""".split()
)

CURRENCY_NAMES = {
    "AUD": "Australian Dollar",
    "CAD": "Canadian Dollar",
    "CHF": "Swiss Franc",
    "CNY": "Chinese Yuan",
    "DKK": "Danish Krone",
    "EUR": "Euro",
    "FJD": "Fiji Dollar",
    "GBP": "British Pound",
    "HKD": "Hong Kong Dollar",
    "INR": "Indian Rupee",
    "JPY": "Japanese Yen",
    "NOK": "Norwegian Krone",
    "NZD": "New Zealand Dollar",
    "SEK": "Swedish Krona",
    "SGD": "Singapore Dollar",
    "USD": "United States Dollar",
    "ZAR": "South African Rand",
}

# The emulator's fixed "XE.com day rate": units of each currency per one US dollar. Real Xero
# looks the rate up for the document date; fixed numbers keep tests reproducible.
_UNITS_PER_USD = {
    "USD": Decimal("1"),
    "NZD": Decimal("1.65"),
    "AUD": Decimal("1.52"),
    "EUR": Decimal("0.92"),
    "GBP": Decimal("0.79"),
    "CAD": Decimal("1.36"),
    "CHF": Decimal("0.88"),
    "JPY": Decimal("150"),
    "SGD": Decimal("1.34"),
    "HKD": Decimal("7.8"),
    "FJD": Decimal("2.25"),
    "ZAR": Decimal("18.5"),
}


def day_rate(base_currency: str, currency: str) -> Decimal:
    """``CurrencyRate`` Xero would use when the client sends none: units of ``currency`` per
    one unit of the base currency (xero-facts §6.8), 6 dp. Unknown currencies get 1."""
    if currency == base_currency:
        return Decimal(1)
    foreign = _UNITS_PER_USD.get(currency)
    base = _UNITS_PER_USD.get(base_currency)
    if foreign is None or base is None:
        return Decimal(1)
    return (foreign / base).quantize(SIX_PLACES)


# Account Type → Class (SPEC ``AccountType``/``Account.Class``; Class is read-only, Xero derives it).
ACCOUNT_CLASS_BY_TYPE = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}
ACCOUNT_TYPES = tuple(ACCOUNT_CLASS_BY_TYPE)

# Which TaxRate flag allows a rate on an account of each class (SPEC TaxRate.CanApplyTo*).
TAX_FLAG_BY_CLASS = {
    "ASSET": "CanApplyToAssets",
    "EQUITY": "CanApplyToEquity",
    "EXPENSE": "CanApplyToExpenses",
    "LIABILITY": "CanApplyToLiabilities",
    "REVENUE": "CanApplyToRevenue",
}

# System accounts that Xero posts to itself and that cannot be coded on a transaction line.
# ROUNDING stays usable: an explicit rounding line goes there (xero-facts §6.1).
SYSTEM_ACCOUNTS_NOT_FOR_LINES = frozenset(
    {
        "DEBTORS",
        "CREDITORS",
        "GST",
        "GSTONIMPORTS",
        "HISTORICAL",
        "RETAINEDEARNINGS",
        "TRACKINGTRANSFERS",
        "UNPAIDEXPCLM",
        "WAGEPAYABLES",
        "BANKCURRENCYGAIN",
        "REALISEDCURRENCYGAIN",
        "UNREALISEDCURRENCYGAIN",
    }
)

# Organisation details by base currency, for the seeded company.
REGION_BY_CURRENCY = {
    "NZD": ("NZ", "NZ", "NEWZEALANDSTANDARDTIME"),
    "AUD": ("AU", "AU", "AUSEASTERNSTANDARDTIME"),
    "GBP": ("UK", "GB", "GMTSTANDARDTIME"),
    "USD": ("US", "US", "EASTERNSTANDARDTIME"),
}

# SPEC ``TaxRate.ReportTaxType`` values a new tax rate may report as.
REPORT_TAX_TYPES = frozenset(
    """AVALARA BASEXCLUDED CAPITALSALESOUTPUT CAPITALEXPENSESINPUT ECOUTPUT ECOUTPUTSERVICES ECINPUT
    ECACQUISITIONS EXEMPTEXPENSES EXEMPTINPUT EXEMPTOUTPUT GSTONIMPORTS INPUT INPUTTAXED MOSSSALES NONE
    NONEOUTPUT OUTPUT PURCHASESINPUT SALESOUTPUT EXEMPTCAPITAL EXEMPTEXPORT CAPITALEXINPUT GSTONCAPIMPORTS
    GSTONCAPITALIMPORTS REVERSECHARGES ZERORATEDINPUT ZERORATEDOUTPUT DRCHARGESUPPLY DRCHARGE CAPINPUT
    CAPIMPORTS IMINPUT INPUT2 OUTPUT2 SRINPUT SROUTPUT CAPOUTPUT ZROUTPUT ZREXPORT OTHEROUTPUT OTHERINPUT
    ZRINPUT BADDEBT BADDEBTRELIEF BADDEBTRECOVERY USSALESTAX NOTREPORTED UNDEFINED""".split()
)
