"""Forensics of generative model files: what they were trained on, what they hash to,
and whether loading them would run code."""
