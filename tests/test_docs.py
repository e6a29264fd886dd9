"""The user-facing pages describe the package as it is, and the API page lists every public name."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md"))]
NAMESPACES = ["pp", "tl", "pl", "metrics", "datasets", "model", "module", "benchmark"]

# Words of a development diary, not of a user's documentation. Each pattern is narrow enough to leave ordinary
# text alone: "from scratch" is English, a hex colour such as #555555 is not an issue number.
HISTORY = {
    "issue number": re.compile(r"\bissues?\s*#?\d+", re.IGNORECASE),
    "#number": re.compile(r"(?<![\w&/])#\d{1,5}\b"),
    "acceptance": re.compile(r"\bacceptance\b", re.IGNORECASE),
    "round": re.compile(r"\bround \d|\brounds of\b", re.IGNORECASE),
    "scratch": re.compile(r"(?<!from )\bscratch\b", re.IGNORECASE),
    "session": re.compile(r"\bsessions?\b", re.IGNORECASE),
    "TODO": re.compile(r"\bTODO\b", re.IGNORECASE),
}


def history_lines(path: Path) -> list[str]:
    """Lines of `path` that speak of development history, as ``file:line: [pattern] text``."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for name, pattern in HISTORY.items():
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: [{name}] {line.strip()[:160]}")
    return found


@pytest.mark.parametrize("path", PAGES, ids=[str(path.relative_to(ROOT)) for path in PAGES])
def test_pages_describe_the_package_not_its_history(path):
    found = history_lines(path)
    assert not found, "development history in the user documentation:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("see issue #3", True),
        ("issue 12 says", True),
        ("fixed in #42.", True),
        ("acceptance 1 and 2", True),
        ("the second round of runs", False),
        ("round 2 of the runs", True),
        ("after rounds of development", True),
        ("a scratch run", True),
        ("trains the model from scratch", False),
        ("the sixth session's defaults", True),
        ("TODO: rerun", True),
        ("colour #555555 and rounding to 2 digits", False),
    ],
)
def test_history_patterns(text, flagged):
    found = [name for name, pattern in HISTORY.items() if pattern.search(text)]
    assert bool(found) == flagged, (text, found)


def test_api_page_lists_every_public_name():
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = []
    for namespace in NAMESPACES:
        module = importlib.import_module(f"scgan.{namespace}")
        for name in module.__all__:
            if not re.search(rf"(?<![\w.])(?:scgan\.)?{re.escape(namespace)}\.{re.escape(name)}\b", api):
                missing.append(f"{namespace}.{name}")
    assert not missing, f"docs/api.md does not list {missing}; add them to the autosummary of their section"
