"""Adapters that call out to the host product (its webhook URL)."""
