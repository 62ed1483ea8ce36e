"""How often an org's changes go to Xero (F2.1: the settings' ``sync_frequency``), in a module of
its own: the schedule (domain/schedule.py), which every function loads with the connections'
repository, needs these five words, not the org settings' models (N6: cold start)."""

from enum import StrEnum


class SyncFrequency(StrEnum):
    REALTIME = "realtime"  # export within seconds of a push (F3.7)
    EVERY_10_MINUTES = "every_10_minutes"
    HOURLY = "hourly"
    DAILY = "daily"
    MANUAL = "manual"  # only "Sync now" (and "copy to Xero")
