"""The one comment: marker, content, and issue text that cannot mention, link or break the markdown."""

from __future__ import annotations

import re
from dataclasses import replace
from types import MappingProxyType

import pytest

from bot.repo_config.model import CommentConfig, default_config
from bot.store.similar import SimilarLink
from bot.triage.comment import MARKER, MAX_COMMENT_CHARS, CommentFacts, comment_facts, render_comment
from classifier.evidence import Evidence
from classifier.mentions import ModelMention
from classifier.taxonomy import DocLink, load_taxonomy
from tests.bot.handlers.factories import prediction

TAXONOMY = load_taxonomy()
DEFAULT = default_config()
HOSTILE = [
    "@octocat",
    "@octo-org/core-team",
    "hi @everyone please",
    "`code` ```fence",
    "</sub><img src=x onerror=alert(1)>",
    "[click](https://evil.example/x)",
    "![img](https://evil.example/i.png)",
    "https://evil.example/path",
    "www.evil.example",
    "see #123 and octo/models#9",
    "<!-- ptm-triage:triage -->",
    "\u202eevil\u200bzero",
    "*bold* _it_ ~~s~~ | table |",
    "line\nbreak\r\n# heading",
    "mail me a@b.example",
]


REPO = "octo/app"


def render(
    terms: list[str] | tuple[str, ...] = ("gpu",),
    slug: str = "hardware-resources",
    config=DEFAULT,
    facts: CommentFacts | None = None,
) -> str:
    pred = replace(prediction(category=slug), category_terms=tuple(terms), ptm_terms=())
    return render_comment(TAXONOMY.get(slug), config, pred, slug, facts, repo=REPO)


def with_parts(**parts: bool) -> object:
    return replace(DEFAULT, comment=replace(DEFAULT.comment, **parts))


def earlier(number: int, title: str = "OOM on large-v3", state: str = "closed", answered: bool = True,
            repo: str = REPO, url: str | None = None) -> SimilarLink:
    return SimilarLink(repo, number, title, url or f"https://github.com/{repo}/issues/{number}", state, answered, 0.7)


def test_marker_first_and_content() -> None:
    body = render(["cuda out of memory", "gpu"])
    category = TAXONOMY.get("hardware-resources")
    assert body.splitlines()[0] == MARKER
    assert body.count(MARKER) == 1
    assert category.name in body
    for doc in category.docs:
        assert f"]({doc.url})" in body
    for item in category.checklist:  # nothing is known of the issue: the whole checklist is asked
        assert f"- [ ] {item.ask}" in body
    assert "“cuda out of memory”" in body and "“gpu”" in body
    assert "ptm: hardware" in body.replace("\\", "")


@pytest.mark.parametrize("term", HOSTILE)
def test_hostile_terms_are_inert(term: str) -> None:
    body = render([term])
    sub = body[body.index("<sub>") :]
    assert body.count(MARKER) == 1, "a term cannot plant a second marker"
    assert sub.count("<sub>") == 1 and sub.count("</sub>") == 1, "no HTML from the issue survives"
    assert not re.search(r"@[A-Za-z0-9]", sub), "no @mention"
    assert not re.search(r"#\d", sub), "no issue reference"
    assert "`" not in sub.replace("\\`", ""), "no unescaped backtick"
    assert "](" not in sub.replace("\\](", "").replace("\\]\\(", ""), "no markdown link"
    assert not re.search(r"https?://", sub) and "www." not in sub, "no autolink"
    assert "\n" not in sub and "\u202e" not in sub


def test_terms_bounded_and_deduplicated() -> None:
    body = render(["GPU", "gpu", "x" * 500, *[f"t{i}" for i in range(20)]])
    sub = body[body.index("<sub>") :]
    assert sub.count("“") == 5
    assert "x" * 41 not in sub


def test_repo_intro_and_extra_docs() -> None:
    categories = dict(DEFAULT.categories)
    hw = categories["hardware-resources"]
    categories["hardware-resources"] = replace(
        hw,
        docs=(
            *hw.docs,
            DocLink("Our GPU FAQ", "https://example.org/gpu-faq"),
            DocLink("bad", "javascript:alert(1)"),
            DocLink("paren", "https://example.org/a)b"),
        ),
    )
    config = replace(
        DEFAULT,
        categories=MappingProxyType(categories),
        comment=CommentConfig(intro="Hello from the maintainers."),
    )
    body = render(["gpu"], config=config)
    assert "Hello from the maintainers." in body
    assert "[Our GPU FAQ](https://example.org/gpu-faq)" in body
    assert "javascript:" not in body
    assert "(https://example.org/a%29b)" in body


def test_length_bounded() -> None:
    config = replace(DEFAULT, comment=CommentConfig(intro="word " * 5000))
    assert len(render(["gpu"], config=config)) <= MAX_COMMENT_CHARS


WHISPER_TITLE = "CUDA out of memory with openai/whisper-large-v3"
WHISPER_BODY = """Loading `pipeline(model="openai/whisper-large-v3", device="cuda:0")` fails.

```
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |
|   0  NVIDIA GeForce RTX 3060   On   | 00000000:01:00.0 Off |             N/A |
|  0%   45C    P8    15W / 170W |    250MiB / 12288MiB |      0%      Default |
+-----------------------------------------------------------------------------+
```
"""


def test_the_checklist_asks_only_for_what_is_missing() -> None:
    body = render(facts=comment_facts(WHISPER_TITLE, WHISPER_BODY))
    asks = {item.field: item.ask for item in TAXONOMY.get("hardware-resources").checklist}
    for given in ("gpu", "vram", "cuda_version", "device"):
        assert asks[given] not in body
    assert "- [ ]" not in body, "nothing is missing: no task list, no heading"
    assert "please add" not in body

    vague = render(facts=comment_facts("It crashes", "The model crashes on my machine."))
    for field in ("gpu", "vram", "cuda_version", "device"):
        assert f"- [ ] {asks[field]}" in vague


def test_checklist_is_a_task_list_in_checklist_order() -> None:
    evidence = Evidence(frozenset({"vram"}), None)
    body = render(facts=CommentFacts(evidence=evidence))
    asked = [line[len("- [ ] "):] for line in body.splitlines() if line.startswith("- [ ] ")]
    checklist = TAXONOMY.get("hardware-resources").checklist
    assert asked == [item.ask for item in checklist if item.field != "vram"]


def test_model_cards_are_linked() -> None:
    body = render(facts=comment_facts(WHISPER_TITLE + " and YOLOv8n", WHISPER_BODY))
    assert "[openai/whisper-large-v3](https://huggingface.co/openai/whisper-large-v3)" in body
    assert "[YOLOv8n](https://docs.ultralytics.com/models/)" in body
    assert body.count("huggingface.co/openai/whisper-large-v3") == 1


@pytest.mark.parametrize("name", HOSTILE)
def test_model_names_are_inert(name: str) -> None:
    body = render(facts=CommentFacts(models=(ModelMention(name, "https://huggingface.co/x", "hub"),)))
    line = next(line for line in body.splitlines() if line.startswith("**Model cards:**"))
    text = line[line.index("[") + 1 : line.rindex("](")]
    assert not re.search(r"@[A-Za-z0-9]", text) and not re.search(r"#\d", text)
    assert "<" not in text and "\n" not in text and "://" not in text.replace("\\", "")
    assert body.count(MARKER) == 1


def test_model_link_needs_an_http_url() -> None:
    body = render(facts=CommentFacts(models=(ModelMention("evil/model", "javascript:alert(1)", "hub"),)))
    assert "javascript:" not in body and "Model cards" not in body


def test_similar_issues_with_their_state() -> None:
    similar = (earlier(12), earlier(13, "Same OOM", "closed", False), earlier(14, "Still OOM", "open", False))
    body = render(facts=CommentFacts(similar=similar))
    assert "**Similar earlier issues:**" in body
    assert "- [OOM on large-v3](https://github.com/octo/app/issues/12) (closed, answered)" in body
    assert "- [Same OOM](https://github.com/octo/app/issues/13) (closed)" in body
    assert "- [Still OOM](https://github.com/octo/app/issues/14) (open)" in body


def test_at_most_three_similar_issues() -> None:
    body = render(facts=CommentFacts(similar=tuple(earlier(n) for n in range(10, 16))))
    assert body.count("github.com/octo/app/issues/") == 3


@pytest.mark.parametrize("title", HOSTILE)
def test_similar_titles_are_inert(title: str) -> None:
    body = render(facts=CommentFacts(similar=(earlier(12, title),)))
    line = next(line for line in body.splitlines() if line.startswith("- [") and "issues/12" in line)
    text = line[3 : line.rindex("](")]
    assert not re.search(r"@[A-Za-z0-9]", text) and not re.search(r"#\d", text)
    assert "<" not in text and "\n" not in text and "](" not in text.replace("\\](", "").replace("\\]\\(", "")
    assert body.count(MARKER) == 1


def test_similar_issue_without_a_usable_url_is_left_out() -> None:
    body = render(facts=CommentFacts(similar=(earlier(12, url="javascript:alert(1)"),)))
    assert "Similar" not in body and "javascript" not in body


def test_other_repositories_only_when_the_config_allows() -> None:
    facts = CommentFacts(similar=(earlier(3, repo="octo/other"), earlier(12)))
    body = render(facts=facts)
    assert "octo/other" not in body and "issues/12" in body
    allowed = render(config=with_parts(similar_across_repositories=True), facts=facts)
    assert "[OOM on large-v3](https://github.com/octo/other/issues/3) in octo/​other (closed, answered)" in allowed


def test_docs_are_collapsed() -> None:
    body = render()
    block = body[body.index("<details>") : body.index("</details>")]
    assert "<summary>Docs that often help here</summary>" in block
    for doc in TAXONOMY.get("hardware-resources").docs:
        assert f"]({doc.url})" in block


def test_correction_line() -> None:
    assert "Wrong label? Remove **ptm: hardware**" in render()
    off = render(config=with_parts(correction=False))
    assert "Wrong label" not in off and "Labeled automatically" in off


FULL = CommentFacts(
    models=(ModelMention("openai/whisper-large-v3", "https://huggingface.co/openai/whisper-large-v3", "hub"),),
    evidence=Evidence(frozenset(), None),
    similar=(earlier(12),),
)
PART_MARKS = {
    "summary": "Thanks for the report!",
    "models": "**Model cards:**",
    "checklist": "- [ ] ",
    "similar": "**Similar earlier issues:**",
    "docs": "<details>",
    "correction": "Wrong label?",
}


@pytest.mark.parametrize("part", sorted(PART_MARKS))
def test_each_part_can_be_turned_off(part: str) -> None:
    assert all(mark in render(facts=FULL) for mark in PART_MARKS.values())
    body = render(config=with_parts(**{part: False}), facts=FULL)
    assert PART_MARKS[part] not in body
    assert all(mark in body for other, mark in PART_MARKS.items() if other != part)
    assert body.startswith(MARKER + "\n") and "\n\n\n" not in body


def test_everything_off_leaves_marker_and_footer() -> None:
    config = with_parts(**{part: False for part in PART_MARKS})
    body = render(config=config, facts=FULL)
    assert body.splitlines()[0] == MARKER
    assert body.splitlines()[1].startswith("<sub>") and len(body.splitlines()) == 2
