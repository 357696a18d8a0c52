"""Draw docs/images/labelled-issue.png: the sample issue (examples/issue-opened.json) as GitHub would show it
after ptm-triage triaged it, with the labels `decide` picks and the comment it writes for it.

    .venv/bin/python scripts/readme_image.py   # needs chromium (or chromium-browser) on PATH
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.events import Event, trim_payload
from bot.repo_config.model import default_config
from bot.triage.decide import Trigger, decide
from bot.triage.payload import issue_snapshot
from classifier.predict import load_default
from classifier.schema import Document

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "images" / "labelled-issue.png"


def inline(text: str) -> str:
    """The few markdown constructs the comment uses: **bold**, [links](url), `code`, task lists and the
    <sub>, <details> and <summary> tags."""
    text = html.escape(text, quote=False)
    text = re.sub(r"&lt;(/?)(sub|details|summary)&gt;", r"<\1\2>", text)
    text = re.sub(r"^\[ \] ", '<input type="checkbox" disabled> ', text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)


def markdown(body: str) -> str:
    out: list[str] = []
    in_list = False
    for line in body.splitlines():
        if line.startswith("<!--"):
            continue
        if line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(line[2:])}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith(("<details", "</details")):
            out.append(inline(line))
        elif line.strip():
            out.append(f"<p>{inline(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def issue_body(text: str) -> str:
    parts = re.split(r"```\n(.*?)```", text, flags=re.S)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<pre>{html.escape(part)}</pre>")
        else:
            out += [f"<p>{html.escape(p)}</p>" for p in part.split("\n\n") if p.strip()]
    return "\n".join(out)


def page() -> str:
    payload = json.loads((ROOT / "examples" / "issue-opened.json").read_text(encoding="utf-8"))
    event = Event("issues", "opened", "sample", 1, trim_payload(payload))
    issue = issue_snapshot(event)
    prediction = load_default().predict(Document(issue.title, issue.body))
    config = default_config()
    decision = decide(issue, config, prediction, issue.labels, (), Trigger("opened"))
    assert decision.comment is not None, "the sample issue is expected to reach the comment tier"
    comment = decision.comment
    labels = "".join(
        f'<span class="label" style="background:#{spec.color}">{html.escape(spec.name)}</span>'
        for spec in decision.labels
    )
    return TEMPLATE.format(
        title=html.escape(issue.title), number=issue.number, author=html.escape(issue.author),
        body=issue_body(issue.body), labels=labels, comment=markdown(comment),
    )


TEMPLATE = """<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font: 14px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; margin: 0;
       background: #fff; width: 880px; padding: 24px; box-sizing: border-box }}
h1 {{ font-size: 26px; font-weight: 400; margin: 0 0 8px }} h1 span {{ color: #59636e }}
.state {{ display: inline-block; background: #1f883d; color: #fff; border-radius: 2em; padding: 4px 12px;
          font-weight: 500; margin-right: 8px }}
.meta {{ color: #59636e; padding-bottom: 16px; border-bottom: 1px solid #d1d9e0; margin-bottom: 16px }}
.box {{ border: 1px solid #d1d9e0; border-radius: 6px; margin-bottom: 16px }}
.head {{ background: #f6f8fa; border-bottom: 1px solid #d1d9e0; padding: 8px 16px; color: #59636e;
         border-radius: 6px 6px 0 0 }}
.head b {{ color: #1f2328 }} .bot {{ border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 6px;
         font-size: 12px; margin-left: 4px }}
.text {{ padding: 4px 16px }} pre {{ background: #f6f8fa; padding: 12px; border-radius: 6px; font-size: 12px;
         white-space: pre-wrap }}
code {{ background: #eff1f3; padding: 1px 4px; border-radius: 4px; font-size: 12px }}
a {{ color: #0969da; text-decoration: none }} sub {{ color: #59636e; font-size: 12px }}
summary {{ margin: 8px 0; cursor: pointer }} ul {{ padding-left: 24px }}
li:has(input) {{ list-style: none; margin-left: -20px }}
.event {{ color: #59636e; margin: 0 0 16px 16px }}
.label {{ display: inline-block; color: #fff; border-radius: 2em; padding: 0 8px; font-size: 12px;
          font-weight: 500; line-height: 20px; margin: 0 2px; text-shadow: 0 0 2px #0006 }}
</style></head><body>
<h1>{title} <span>#{number}</span></h1>
<div class="meta"><span class="state">Open</span><b>{author}</b> opened this issue</div>
<div class="box"><div class="head"><b>{author}</b> commented</div><div class="text">{body}</div></div>
<div class="event"><b>ptm-triage</b> added {labels} labels</div>
<div class="box"><div class="head"><b>ptm-triage</b><span class="bot">bot</span> commented</div>
<div class="text">{comment}</div></div>
</body></html>
"""


def main() -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("needs chromium on PATH", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "issue.html"
        source.write_text(page(), encoding="utf-8")
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - the browser found on PATH, fixed arguments
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--screenshot={OUTPUT}", "--window-size=880,690", source.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    print(OUTPUT.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
