"""Xero → host, as pure rules (F4): Xero's JSON read into the host's schema (SPEC §7 names),
fingerprints, what kind of change a new state is, and contact matching. No I/O."""
