"""Qubit numbers as glyph outlines (matplotlib ``Path`` objects) for large maps.

Each digit's outline is made once with ``matplotlib.textpath.TextPath``; a number is its digits'
outlines side by side, centred on its qubit. The map's y axis points down (as in ``coords``), so
outlines are mirrored vertically to read upright.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

DIGITS = "0123456789"


@cache
def _digits() -> tuple[dict[str, Any], dict[str, Any], dict[str, float], float]:
    """Vertices, codes and advance of each digit at size 1, and the digits' vertical centre."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    prop = FontProperties()
    vertices, codes, advance = {}, {}, {}
    for digit in DIGITS:
        path = TextPath((0, 0), digit, size=1.0, prop=prop)
        pair = TextPath((0, 0), digit * 2, size=1.0, prop=prop)
        vertices[digit], codes[digit] = path.vertices.copy(), path.codes.copy()
        advance[digit] = float(pair.get_extents().x1 - path.get_extents().x1)
    zero = TextPath((0, 0), "0", size=1.0, prop=prop).get_extents()
    return vertices, codes, advance, float(zero.y0 + zero.y1) / 2


def number_paths(
    numbers: Iterable[int], centres: Sequence[tuple[float, float]], height: float
) -> list[Any]:
    """The outline of each number, ``height`` data units tall, centred on its centre."""
    import numpy as np
    from matplotlib.path import Path

    vertices, codes, advance, middle = _digits()
    paths = []
    for number, (x, y) in zip(numbers, centres, strict=True):
        text = str(number)
        shifts = np.cumsum([0.0] + [advance[d] for d in text[:-1]])
        width = float(shifts[-1]) + advance[text[-1]]
        outline = np.concatenate(
            [vertices[d] + (shift, 0.0) for d, shift in zip(text, shifts, strict=True)]
        )
        outline = (outline - (width / 2, middle)) * (height, -height) + (x, y)
        paths.append(Path(outline, np.concatenate([codes[d] for d in text])))
    return paths
