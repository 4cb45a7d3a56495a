"""Image analyzers that judge pixels (nudity); decoding goes through ``media/``."""
