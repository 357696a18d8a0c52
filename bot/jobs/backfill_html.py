"""The backfill report (bot/jobs/backfill_report.py) as one self-contained HTML page: no scripts, no
external assets, every issue text escaped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backfill of {{ r.repository }}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 1rem auto; max-width: 72rem; padding: 0 1rem; color: #1f2328; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; display: block; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: .25rem .5rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.note { background: #fff8c5; border: 1px solid #d4a72c; padding: .5rem .75rem; }
.muted { color: #59636e; }
</style>
</head>
<body>
<h1>Backfill of {{ r.repository }}</h1>
<p>{{ r.issues }} issues decided · {% if r.mode == "dry-run" %}dry run: nothing was written to GitHub
{%- else %}applied: labels and comments were written{% endif %} · generated {{ r.generated_at }}</p>
{% if not r.finished %}<p class="note">This run was interrupted: run the same command again to finish it.</p>{% endif %}

<h2>Outcomes</h2>
<table><tr><th>outcome</th><th>issues</th></tr>
{% for name, count in r.outcomes.items() %}<tr><td>{{ name }}</td><td>{{ count }}</td></tr>{% endfor %}
</table>
<table><tr><th>reason</th><th>issues</th></tr>
{% for name, count in r.reasons.items() %}<tr><td>{{ name }}</td><td>{{ count }}</td></tr>{% endfor %}
</table>

<h2>Categories and tiers</h2>
<p class="muted">comment: labels and the comment; label: labels only; none: no label.</p>
<table><tr><th>category</th>{% for t in tiers %}<th>{{ t }}</th>{% endfor %}<th>total</th></tr>
{% for name, row in r.categories.items() %}<tr><td>{{ name }}</td>{% for t in tiers %}<td>{{ row[t] }}</td>{% endfor %}
<td>{{ row.total }}</td></tr>{% endfor %}
</table>

<h2>Agreement with your labels</h2>
{% set a = r.agreement %}
{% if a.kind == "label_map" %}
<p>{{ a.judged }} issues carry a label of your <code>label_map</code>; the bot gave no category to
{{ a.bot_abstained }} of them{% if a.agreement is not none %} and agreed on {{ pct(a.agreement) }}
of the rest{% endif %}.</p>
<table><tr><th>category</th><th>your labels</th><th>the bot</th><th>both</th><th>precision</th><th>recall</th></tr>
{% for slug, row in a.categories.items() %}<tr><td>{{ slug }}</td><td>{{ row.humans }}</td><td>{{ row.bot }}</td>
<td>{{ row.both }}</td><td>{{ pct(row.precision) }}</td><td>{{ pct(row.recall) }}</td></tr>{% endfor %}
</table>
{% elif a.rows %}
<p>Your labels (rows) against the category the bot gives each issue (columns). Map your labels to categories
with <code>label_map</code> in <code>.github/ptm-triage.yml</code> to see agreement per category.</p>
<table><tr><th>label</th><th>issues</th>{% for c in a.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for row in a.rows %}<tr><td>{{ row.label }}</td><td>{{ row.issues }}</td>
{% for n in row.cells %}<td>{{ n or "" }}</td>{% endfor %}</tr>{% endfor %}
</table>
{% if a.labels_not_shown %}<p class="muted">{{ a.labels_not_shown }} less used labels not shown.</p>{% endif %}
{% else %}<p class="muted">None of these issues carries a label of its own.</p>{% endif %}

<h2>Samples</h2>
{% for group, samples in r.samples.items() %}{% for name, items in samples.items() %}
<h3>{{ group }}: {{ name }}</h3>
<table><tr><th>issue</th><th>outcome</th><th>labels</th><th>PTM</th><th>category</th></tr>
{% for s in items %}<tr><td><a href="{{ s.url }}">#{{ s.number }}</a> {{ s.title }}</td>
<td>{{ s.outcome }} ({{ s.why }})</td><td>{{ s.labels|join(", ") }}</td><td>{{ score(s.ptm_score) }}</td>
<td>{{ score(s.category_score) }}</td></tr>{% endfor %}
</table>
{% endfor %}{% endfor %}
</body>
</html>
"""


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render_html(report: Mapping[str, Any]) -> str:
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_TEMPLATE)
    return template.render(r=report, tiers=("comment", "label", "none"), pct=_pct, score=_score)
