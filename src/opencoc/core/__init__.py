"""Shared plumbing: database, ids, clock, errors, envelopes, middleware."""
