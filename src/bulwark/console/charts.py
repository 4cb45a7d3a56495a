"""Small bar charts as inline SVG, drawn on the server.

The console ships no JavaScript charting library and loads nothing from a CDN;
a few bars with labels are all the dashboard needs, and SVG markup is the
smallest way to draw them that every browser shows. (Hand-written because a
plotting library would add megabytes to draw a dozen rectangles.)
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape


def bars(
    values: Sequence[tuple[str, float]],
    *,
    width: int = 480,
    height: int = 120,
    label_every: int = 1,
    title: str = "",
) -> Markup:
    """Vertical bars, one per (label, value); a label under every ``label_every``th bar."""
    n = max(1, len(values))
    top = max((v for _, v in values), default=0) or 1
    gap, base, pad = 2, height - 18, 16  # pad: room for the first and last labels
    w = min(48.0, (width - 2 * pad - gap * n) / n)  # a few values stay slim bars
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{escape(title)}</title>'
        f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" stroke="#999"/>'
    ]
    for i, (label, value) in enumerate(values):
        h = (base - 12) * value / top
        x = pad + i * (w + gap)
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {value:g}</title></rect>"
        )
        if value:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{base - h - 2:.1f}" '
                f'text-anchor="middle">{value:g}</text>'
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height - 4}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["bars"]
