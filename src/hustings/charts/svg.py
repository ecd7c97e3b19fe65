"""Accessible SVG: every chart is ``role="img"`` with a ``<title>`` and a ``<desc>``."""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape, quoteattr


def accessible(svg: str, title: str, desc: str, key: str | None = None) -> str:
    """``svg`` (a document from vl-convert or drawsvg) with role, title and description
    as the first children of the root, referenced by ``aria-labelledby``."""
    # the same chart always gets the same ids (cacheable); different charts, different ids
    key = key or "chart-" + hashlib.sha256((title + desc + svg).encode()).hexdigest()[:10]
    start = svg.index("<svg")
    end = svg.index(">", start)
    head = svg[start:end]
    if head.endswith("/"):
        raise ValueError("an empty SVG")
    head = head.replace(' role="graphics-document document"', "")
    attrs = f' role="img" aria-labelledby={quoteattr(f"{key}-title {key}-desc")}'
    return (svg[:start] + head + attrs + ">"
            + f'<title id="{key}-title">{escape(title)}</title>'
            + f'<desc id="{key}-desc">{escape(desc)}</desc>'
            + svg[end + 1:])
