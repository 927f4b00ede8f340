"""README's page table is the one `python -m bench --readme` writes (issue 15)."""

from pathlib import Path

from bench import core as bench

ROOT = Path(__file__).resolve().parents[2]
HEADER = "| page | pupils | cold ms | p50 ms | p95 ms | queries | floor p50 ms | page / floor |"


def _table(text: str) -> list[str]:
    _, start, rest = text.partition(bench.TABLE_START)
    inside, end, _ = rest.partition(bench.TABLE_END)
    assert start and end, "README.md lost its bench table markers"
    return [line for line in inside.splitlines() if line.strip()]


def test_readme_holds_every_page_at_both_sizes_with_figures():
    lines = _table((ROOT / "README.md").read_text())
    assert lines[0] == HEADER
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]
            if line.startswith("| ")]
    pages = [label for label, _, _ in bench.PAGES]
    assert {(r[0], r[1]) for r in rows} == {(p, n) for p in pages for n in ("8,000", "50,000")}
    for r in rows:
        cold, p50, p95, queries, floor, ratio = (float(c.replace(",", "")) for c in r[2:])
        assert 0 < p50 <= p95 and queries >= 1 and floor > 0 and ratio > 0 and cold > 0
    assert any(line.startswith("Worker start (") for line in lines)


def test_the_writer_replaces_only_its_own_section(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nBefore.\n\n{bench.TABLE_START}\nold\n{bench.TABLE_END}"
                      "\n\nAfter.\n")
    row = {"page": "trust overview", "pupils": 50_000, "cold": 90.4, "p50": 40.2, "p95": 44.9,
           "queries": 16, "floor": 30.0, "ratio": 1.34}
    bench.write_readme_table([row], (640.0, 420.0), path=readme)
    text = readme.read_text()
    assert text.startswith("# Title\n\nBefore.\n\n") and text.endswith("\n\nAfter.\n")
    lines = _table(text)
    assert lines[0] == HEADER
    assert "| trust overview | 50,000 | 90 | 40 | 45 | 16 | 30 | 1.34 |" in lines
    assert "old" not in lines
