"""Notifications: tenant channels and users' own targets (Apprise URLs), a durable outbox, one `notify(...)`."""
