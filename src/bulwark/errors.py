"""Typed errors shared by every stage.

Each error carries a message a person can act on ("truncated JPEG", "image of
40000x40000 exceeds the 100 MP limit"), because batch commands print it next to
the file that caused it and then carry on with the rest.
"""

from __future__ import annotations


class BulwarkError(Exception):
    """Base class: anything Bulwark raises on purpose."""


class MediaError(BulwarkError):
    """Untrusted bytes could not be opened safely."""


class UnsupportedMediaError(MediaError):
    """The bytes are not an image or video we accept."""


class CorruptMediaError(MediaError):
    """The container was recognised but its data is damaged or truncated."""


class MediaLimitError(MediaError):
    """The media exceeds a configured limit (bytes, pixels, frames, duration)."""


class SignalError(BulwarkError):
    """A signal value is malformed or cannot be computed."""


class BankError(BulwarkError):
    """A bank operation was refused (unknown bank, duplicate name, ...)."""


class BankImportError(BankError):
    """An import file is malformed; nothing from it was stored."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = problems
        shown = "; ".join(f"line {n}: {why}" for n, why in problems[:10])
        more = f" (+{len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"{source}: {len(problems)} bad line(s), nothing imported: {shown}{more}")


class TextInputError(BulwarkError):
    """Text that cannot be analysed as given (wrong type, over the configured size)."""


class ConversationError(BulwarkError):
    """A conversation that is not a list of messages with sender and text."""


class ModelFileError(BulwarkError):
    """A model file that cannot be read safely (hostile or truncated header)."""
