"""NCMEC CyberTipline reporting: the report model, its XML, and the API client."""
