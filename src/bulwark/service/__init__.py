"""The moderation service: API keys and roles now; the REST API follows."""
