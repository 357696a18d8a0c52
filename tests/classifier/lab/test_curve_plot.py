"""The operating-curve picture: a well-formed SVG with a line per share and the presets marked."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np

from classifier.lab.curve_plot import curve_svg
from classifier.policy import PRESETS, ScoreCurve


def test_the_picture_has_a_line_per_share_and_every_preset() -> None:
    rng = np.random.default_rng(0)
    truth = rng.uniform(size=3000) < 0.4
    scores = np.clip(np.where(truth, rng.beta(5, 2, 3000), rng.beta(2, 5, 3000)), 0, 1)
    top = rng.beta(4, 2, 1200)
    svg = curve_svg(ScoreCurve.measure(scores, truth, top, rng.uniform(size=1200) < top))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f".//{ns}polyline")) == 4  # three shares, one category line
    texts = {t.text for t in root.iter(f"{ns}text")}
    assert set(PRESETS) <= texts
    assert "precision asked for (the setting)" in texts
