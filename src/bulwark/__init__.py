"""Bulwark: an open-source trust & safety engine.

Content flows one way: media -> signals -> match -> (analyze) -> policy -> effects.
"""

__version__ = "0.1.0"
