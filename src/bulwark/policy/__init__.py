"""Rules, verdicts and the shared taxonomy."""
