"""The operating curve as a picture: precision and coverage against the threshold, presets marked (SVG)."""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np

from classifier.policy import BINS, PRESETS, ScoreCurve

_W, _H, _PAD = 380, 260, 44  # one panel, pixels


def _polyline(xs: np.ndarray, ys: np.ndarray, colour: str, dash: str = "") -> str:
    keep = np.isfinite(ys)
    points = " ".join(f"{_PAD + x * (_W - 2 * _PAD):.1f},{_H - _PAD - y * (_H - 2 * _PAD):.1f}"
                      for x, y in zip(xs[keep], ys[keep], strict=True))
    extra = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2"{extra} points="{points}"/>'


def _panel(title: str, precision: np.ndarray, coverage: np.ndarray, marks: list[tuple[str, float]],
           coverage_name: str) -> str:
    xs = np.arange(BINS + 1) / BINS
    parts = [f'<text x="{_W / 2}" y="18" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{_PAD}" y="{_PAD}" width="{_W - 2 * _PAD}" height="{_H - 2 * _PAD}" fill="none" '
             'stroke="#999"/>']
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x, y = _PAD + tick * (_W - 2 * _PAD), _H - _PAD - tick * (_H - 2 * _PAD)
        parts.append(f'<text x="{x}" y="{_H - _PAD + 14}" text-anchor="middle" font-size="10">{tick:g}</text>')
        parts.append(f'<text x="{_PAD - 6}" y="{y + 3}" text-anchor="end" font-size="10">{tick:g}</text>')
    parts.append(_polyline(xs, precision, "#1f6feb"))
    parts.append(_polyline(xs, coverage, "#d1242f", "5,3"))
    for name, threshold in marks:
        if threshold <= 1.0:
            x = _PAD + threshold * (_W - 2 * _PAD)
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_PAD}" y2="{_H - _PAD}" stroke="#888" '
                         'stroke-dasharray="2,2"/>')
            parts.append(f'<text x="{x + 2:.1f}" y="{_PAD + 10}" font-size="9" fill="#555">{escape(name)}</text>')
    parts.append(f'<text x="{_W / 2}" y="{_H - 8}" text-anchor="middle" font-size="11">score threshold</text>')
    parts.append(f'<text x="{_PAD + 4}" y="{_H - _PAD - 8}" font-size="10" fill="#1f6feb">precision</text>')
    parts.append(f'<text x="{_PAD + 60}" y="{_H - _PAD - 8}" font-size="10" fill="#d1242f">'
                 f'{escape(coverage_name)}</text>')
    return "".join(parts)


def curve_svg(curve: ScoreCurve) -> str:
    """Two panels: the PTM decision at the training mix, and the applied category on PTM-related issues."""
    share = curve.base_share
    ptm_p, ptm_r = curve.ptm_at(share)
    cat_p, cat_c = curve.category_at()
    ptm_marks = [(f"{name} label", curve.ptm_threshold(p.label.ptm_precision, share)) for name, p in PRESETS.items()]
    cat_marks = [(f"{name} label", curve.category_threshold(p.label.category_precision))
                 for name, p in PRESETS.items()]
    left = _panel(f"PTM-related, at {share:.0%} PTM issues", ptm_p, ptm_r, ptm_marks, "recall")
    right = _panel("Category, on PTM-related issues", cat_p, cat_c, cat_marks, "coverage")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * _W}" height="{_H}" '
            f'font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>'
            f'<g>{left}</g><g transform="translate({_W},0)">{right}</g></svg>\n')
