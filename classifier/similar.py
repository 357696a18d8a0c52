"""Similar past issues within one repository: a small TF-IDF index that is plain data.

The index keeps each issue's term counts by line (from the same normalised text the model reads) and document
and line frequency tables updated as issues are added, changed or removed; weights are computed at query
time, so adding an issue never rewrites the others. Lines found in several issues are the repository's
template and do not count. ``to_data``/``from_data`` turn it into JSON-able dicts for
whatever store keeps it. One index per repository: the caller decides which issues may be linked where.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from classifier.normalize import normalize_body, normalize_title

DATA_VERSION = 1
THRESHOLD = 0.35  # cosine similarity above which an earlier issue is suggested (benchmarks/quality/similar.py)
MAX_SUGGESTIONS = 3
TITLE_WEIGHT = 2  # title words count twice: titles name the problem, bodies add context and noise
PREFER_RESOLVED = 0.05  # ranking bonus each for a closed issue and for one with an answer
MAX_LINES = 200  # normalised body lines kept per issue, to bound stored size
TEMPLATE_MIN_ISSUES = 2  # a line found in this many other issues is the repository's template, not content
TITLE = "title"  # the key of an issue's title terms among its line keys
SHARED_LINES_TEMPLATE = 3  # two issues with this many identical body lines share a template: compare the rest
# Words in this share of a repository's issues are its template or its name, not a problem's.
COMMON_SHARE = 0.3
MIN_ISSUES_FOR_COMMON = 8  # below this many issues no word is "common"
MIN_SHARED_TERMS = 4  # distinctive words two issues must share: one or two shared names are not a duplicate
MIN_QUERY_TERMS = 6  # an issue with fewer distinctive words (an empty template) gets no suggestions

_TOKEN = re.compile(r"[a-z][a-z0-9_+.#-]*[a-z0-9+#]|[a-z]")
# Placeholders normalisation puts in for markup, and words every issue uses.
_STOPWORDS = frozenset(
    [
        "codeblock", "traceback", "path", "screenshot", "urlgithub", "urlhf", "urlother", "a", "an", "and", "are",
        "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "has", "have", "i", "if", "in", "into",
        "is", "it", "its", "me", "my", "no", "not", "of", "on", "or", "so", "that", "the", "then", "there", "this",
        "to", "was", "we", "were", "when", "which", "while", "will", "with", "you", "your", "am", "been", "being",
        "did", "had", "he", "her", "him", "his", "how", "our", "she", "than", "their", "them", "they", "what",
        "where", "who", "why", "would", "could", "should", "also", "just", "only", "any", "all", "some", "more",
        "most", "very", "too", "get", "got", "using", "use", "used", "here", "please", "thanks", "thank", "hi",
        "hello",
    ]
)


# Lines that instruct the reporter are an issue form's, even before the index has seen the form twice.
_INSTRUCTION = re.compile(
    r"\b(?:describe|provide|paste|fill (?:in|out)|insert|e\.g\.|if applicable|before submitting|make sure|"
    r"you (?:must|should|can)|(?:answer|description|title|summary|logs?|code) here|concise description|"
    r"short description|descriptive title|steps to reproduce|expected behaviou?r|additional context|"
    r"a clear and|please (?:check|search|read|include|complete|answer|confirm|note))\b",
    re.IGNORECASE,
)


# Title words that say what kind of issue it is, not what it is about ("[Bug]: ... not working").
_TITLE_GENERIC = frozenset(
    [
        "bug", "bugs", "feature", "features", "request", "requests", "feat", "question", "issue", "issues",
        "report", "help", "problem", "error", "errors", "fix", "not", "working", "work", "works", "doesn",
        "doesnt", "run", "running", "test", "testing", "new", "add", "support",
    ]
)


@dataclass(frozen=True)
class SimilarIssue:
    key: str
    score: float  # cosine similarity, 0..1
    state: str  # "open" or "closed"
    has_answer: bool


@dataclass
class _Entry:
    lines: dict[str, dict[str, int]]  # line key -> term counts; TITLE for the title
    state: str
    has_answer: bool


def _counts(text: str, weight: int) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for token in _TOKEN.findall(text):
        if token not in _STOPWORDS and len(token) > 1:
            counts[token] += weight
    return dict(counts)


def issue_terms(title: str, body: str) -> dict[str, dict[str, int]]:
    """Term counts of an issue's normalised title (weighted) and of each normalised body line, by line key.

    A line key is a short hash of the line: the index counts in how many issues a line occurs, so that a
    repository's issue template (the same lines in many issues) stops counting as content.
    """
    title_text = "" if _INSTRUCTION.search(title) else normalize_title(title).lower()
    lines: dict[str, dict[str, int]] = {TITLE: _counts(title_text, TITLE_WEIGHT)}
    for line in normalize_body(body).lower().split("\n")[:MAX_LINES]:
        terms = {} if _INSTRUCTION.search(line) else _counts(line, 1)
        if terms:
            key = hashlib.blake2b(" ".join(line.split()).encode(), digest_size=8).hexdigest()
            merged = lines.setdefault(key, {})
            for term, count in terms.items():
                merged[term] = merged.get(term, 0) + count
    return lines


@dataclass
class SimilarityIndex:
    """Issues of one repository, by key (e.g. the issue number as a string)."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    doc_freq: dict[str, int] = field(default_factory=dict)
    line_freq: dict[str, int] = field(default_factory=dict)
    _postings: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, key: str, title: str, body: str, state: str = "open", has_answer: bool = False) -> None:
        """Add an issue, or replace what the index knows of it (an edited title or body)."""
        self.add_terms(key, issue_terms(title, body), state, has_answer)

    def add_terms(
        self, key: str, lines: dict[str, dict[str, int]], state: str = "open", has_answer: bool = False
    ) -> None:
        """Add an issue from stored term counts (as issue_terms returns them; one stored row per issue)."""
        self.remove(key)
        lines = {line: dict(terms) for line, terms in lines.items()}
        self.entries[key] = _Entry(lines, state, has_answer)
        for term in _all_terms(lines):
            self.doc_freq[term] = self.doc_freq.get(term, 0) + 1
            self._postings.setdefault(term, set()).add(key)
        for line in lines:
            if line != TITLE:
                self.line_freq[line] = self.line_freq.get(line, 0) + 1

    def set_state(self, key: str, state: str, has_answer: bool | None = None) -> None:
        """Closed, reopened or answered: the text is unchanged. Unknown keys are ignored."""
        entry = self.entries.get(key)
        if entry is not None:
            entry.state = state
            if has_answer is not None:
                entry.has_answer = has_answer

    def remove(self, key: str) -> None:
        entry = self.entries.pop(key, None)
        if entry is None:
            return
        for line in entry.lines:
            if line != TITLE:
                _decrement(self.line_freq, line)
        for term in _all_terms(entry.lines):
            _decrement(self.doc_freq, term)
            self._postings.get(term, set()).discard(key)

    def _titles_meet(self, query_lines: dict[str, dict[str, int]], entry: _Entry) -> bool:
        """Duplicates name the same thing in their titles; two filled-in templates do not."""
        shared = query_lines.get(TITLE, {}).keys() & entry.lines.get(TITLE, {}).keys()
        return any(term not in _TITLE_GENERIC and not self._common(term) for term in shared)

    def _idf(self, term: str) -> float:
        return math.log((1 + len(self.entries)) / (1 + self.doc_freq.get(term, 0))) + 1.0

    def _common(self, term: str) -> bool:
        n = len(self.entries)
        return n >= MIN_ISSUES_FOR_COMMON and self.doc_freq.get(term, 0) >= COMMON_SHARE * n

    def _content(self, lines: dict[str, dict[str, int]], own: int, skip: set[str] | None = None) -> dict[str, int]:
        """Term counts without template lines (own: 1 when the issue itself is in line_freq, else 0)."""
        counts: Counter[str] = Counter()
        for line, terms in lines.items():
            if skip and line in skip:
                continue
            if line == TITLE or self.line_freq.get(line, 0) - own < TEMPLATE_MIN_ISSUES:
                counts.update(terms)
        return dict(counts)

    def _vector(self, terms: dict[str, int]) -> dict[str, float]:
        vector = {
            term: (1.0 + math.log(count)) * self._idf(term) for term, count in terms.items() if not self._common(term)
        }
        norm = math.sqrt(sum(w * w for w in vector.values()))
        return {term: w / norm for term, w in vector.items()} if norm else {}

    def query(
        self,
        title: str,
        body: str,
        k: int = MAX_SUGGESTIONS,
        threshold: float = THRESHOLD,
        exclude: str | None = None,
    ) -> tuple[SimilarIssue, ...]:
        """Up to k issues whose similarity exceeds threshold, closed and answered ones first among near ties."""
        query_lines = issue_terms(title, body)
        query = self._vector(self._content(query_lines, own=0))
        if len(query) < MIN_QUERY_TERMS:
            return ()
        candidates = {key for term in query for key in self._postings.get(term, ())}
        candidates.discard(exclude or "")
        scored = []
        for key in candidates:
            entry = self.entries[key]
            pair_query = query
            shared = (query_lines.keys() & entry.lines.keys()) - {TITLE}
            if len(shared) >= SHARED_LINES_TEMPLATE:  # a template neither issue's neighbours revealed yet
                pair_query = self._vector(self._content(query_lines, own=0, skip=shared))
            vector = self._vector(self._content(entry.lines, own=1, skip=shared if pair_query is not query else None))
            if len(pair_query.keys() & vector.keys()) < MIN_SHARED_TERMS or not self._titles_meet(query_lines, entry):
                continue
            score = sum(pair_query.get(term, 0.0) * w for term, w in vector.items())
            if score > threshold:
                scored.append(SimilarIssue(key, round(min(score, 1.0), 4), entry.state, entry.has_answer))
        scored.sort(key=lambda s: (-(s.score + _resolved_bonus(s)), s.key))
        return tuple(scored[:k])

    def to_data(self) -> dict[str, Any]:
        """A JSON-able form: per issue its term counts by line, state and whether it has an answer."""
        return {
            "version": DATA_VERSION,
            "issues": {
                key: {"lines": e.lines, "state": e.state, "has_answer": e.has_answer} for key, e in self.entries.items()
            },
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SimilarityIndex:
        """The index saved by to_data; the frequency tables are recounted from the issues."""
        if data.get("version") != DATA_VERSION:
            raise ValueError(f"unsupported similarity index version {data.get('version')!r}")
        index = cls()
        for key, raw in data["issues"].items():
            lines = {str(line): {str(t): int(n) for t, n in terms.items()} for line, terms in raw["lines"].items()}
            index.add_terms(str(key), lines, str(raw["state"]), bool(raw["has_answer"]))
        return index


def _all_terms(lines: dict[str, dict[str, int]]) -> set[str]:
    return {term for terms in lines.values() for term in terms}


def _decrement(table: dict[str, int], key: str) -> None:
    remaining = table.get(key, 0) - 1
    if remaining > 0:
        table[key] = remaining
    else:
        table.pop(key, None)


def _resolved_bonus(issue: SimilarIssue) -> float:
    return PREFER_RESOLVED * ((issue.state == "closed") + issue.has_answer)
