"""Carry out effects idempotently: jobs, webhooks, evidence preservation."""
