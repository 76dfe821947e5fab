"""Approvals: a request that named approvers approve or reject, one winner under concurrency, with history."""
