"""Attachments: files kept in the database (so replicas and backups have them), per tenant, size- and type-checked."""
