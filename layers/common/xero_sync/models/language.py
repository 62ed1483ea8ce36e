"""The languages of what the service writes to an admin (F6.3: the emails; F8: the console), in a
module of its own: the console and the email renderer need these three words at import, not the
org settings' models they are part of (N6: cold start)."""

from enum import StrEnum


class Language(StrEnum):
    """Language of the admin emails (F6.3) and of the console (F8)."""

    EN = "en"
    DE = "de"
    FR = "fr"
