"""The local stack (SPEC §6): moto server for AWS, the Xero emulator for Xero, and a runner that
delivers HTTP requests, schedules and SQS messages to the same handlers Lambda calls."""
