"""Tenants, users, access keys, tokens and SDK-HMAC-SHA256 request signatures."""
