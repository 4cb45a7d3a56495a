"""Built-in classes plus those other packages declare as entry points.

Signal types and analyzers are both found this way, so a platform adds its own
by publishing a package, without forking Bulwark.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any, TypeVar

T = TypeVar("T")


def load_plugins(group: str, base: Any, builtin: Iterable[type[T]]) -> dict[str, type[T]]:
    """``name -> class``: the built-ins, then every entry point of ``group`` that is a
    subclass of ``base`` (a built-in keeps its name if a plugin reuses it)."""
    found: dict[str, type[T]] = {_name(cls): cls for cls in builtin}
    for ep in entry_points(group=group):
        cls = ep.load()
        if isinstance(cls, type) and issubclass(cls, base):
            found.setdefault(_name(cls), cls)
    return found


def _name(cls: Any) -> str:
    return str(cls.name)


__all__ = ["load_plugins"]
