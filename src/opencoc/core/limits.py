"""Integer bounds every route applies, so that no number a client sends overflows a column or a driver.

SQLite and PostgreSQL store 64-bit integers at most; a larger number in a query or a body used to
reach the driver and fail there with a 500.
"""

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
MAX_MS = 9_999_999_999_999
"""Milliseconds since the epoch, up to the year 2286: the 13 digits COC's timestamps have."""
