"""The operating curve as a picture a maintainer can read: what share of model issues gets labelled, against
the precision the repository asks for (the setting), with the presets marked. SVG, drawn by hand."""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np

from classifier.policy import PRESETS, ScoreCurve

_W, _H, _PAD = 400, 280, 48  # one panel, pixels
_TARGETS = np.round(np.arange(0.50, 1.0001, 0.01), 2)  # the precision a repository may ask for
_SHARES = ((0.10, "#8250df", "10% model issues (general app)"), (None, "#1f6feb", "training mix"),
           (0.80, "#1a7f37", "80% (model wrapper)"))


def _x(target: float) -> float:
    return _PAD + (target - 0.5) / 0.5 * (_W - 2 * _PAD)


def _y(value: float) -> float:
    return _H - _PAD - value * (_H - 2 * _PAD)


def _line(values: list[float], colour: str) -> str:
    points = " ".join(f"{_x(t):.1f},{_y(v):.1f}" for t, v in zip(_TARGETS, values, strict=True))
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>'


def _frame(title: str, y_label: str, marks: list[tuple[str, float]]) -> list[str]:
    parts = [f'<text x="{_W / 2}" y="18" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{_PAD}" y="{_PAD}" width="{_W - 2 * _PAD}" height="{_H - 2 * _PAD}" fill="none" '
             'stroke="#999"/>']
    for tick in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
        parts.append(f'<text x="{_x(tick):.1f}" y="{_H - _PAD + 14}" text-anchor="middle" font-size="10">'
                     f'{tick:.0%}</text>')
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<text x="{_PAD - 6}" y="{_y(tick) + 3:.1f}" text-anchor="end" font-size="10">'
                     f'{tick:.0%}</text>')
    for row, (name, target) in enumerate(marks):
        x = _x(target)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_PAD}" y2="{_H - _PAD}" stroke="#888" '
                     'stroke-dasharray="2,2"/>')
        parts.append(f'<text x="{x - 3:.1f}" y="{_PAD + 11 + 11 * row}" text-anchor="end" font-size="9" '
                     f'fill="#555">{escape(name)}</text>')
    parts.append(f'<text x="{_W / 2}" y="{_H - 12}" text-anchor="middle" font-size="11">'
                 'precision asked for (the setting)</text>')
    parts.append(f'<text transform="translate(12,{_H / 2}) rotate(-90)" text-anchor="middle" font-size="11">'
                 f'{escape(y_label)}</text>')
    return parts


def curve_svg(curve: ScoreCurve) -> str:
    """Two panels: PTM recall against the PTM precision target at three shares, and category coverage
    against the category precision target."""
    left = _frame("Labelled pre-trained model", "share of model issues labelled",
                  [(f"{name}", preset.label.ptm_precision) for name, preset in PRESETS.items()])
    for i, (share, colour, name) in enumerate(_SHARES):
        at = curve.base_share if share is None else share
        values = [curve.expected(curve.ptm_threshold(t, at), 1.01, at).ptm_recall for t in _TARGETS]
        left.append(_line(values, colour))
        label = name if share is not None else f"{at:.0%} ({name})"
        left.append(f'<text x="{_PAD + 6}" y="{_y(0.04) - 12 * i:.1f}" font-size="10" fill="{colour}">'
                    f'{escape(label)}</text>')
    right = _frame("Labelled with a category", "share of model issues with a category",
                   [(f"{name}", preset.label.category_precision) for name, preset in PRESETS.items()])
    right.append(_line([curve.expected(1.01, curve.category_threshold(t), curve.base_share).category_coverage
                        for t in _TARGETS], "#d1242f"))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * _W}" height="{_H}" '
            'font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>'
            f'<g>{"".join(left)}</g><g transform="translate({_W},0)">{"".join(right)}</g></svg>\n')
