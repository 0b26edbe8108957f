"""Lab 11's lesson module on real compiler output, real test logs and real runs."""

import shutil

import pytest

from harness.lessons import escape
from harness.measure import check
from harness.samples import samples_dir, scenario_dir


@pytest.fixture(scope="module")
def cat():
    return escape.catalogue()


def test_catalogue_reads_findings_and_measured_allocations(cat):
    assert cat.allocs["returnsPointer()"] == 1 and cat.allocs["onStack()"] == 0
    assert any(f["file"] == "pointers.go" and f["kind"] == "heap" for f in cat.findings)
    assert escape.said(cat, "returnsPointer()") == "heap"
    assert escape.said(cat, "readsNewPoint()") == "stays (after inlining)"


def test_rule_table_names_the_cases_where_m_and_the_count_disagree(cat):
    table, surprises = escape.rule_table(cat)
    assert table.count("\n") == len(cat.allocs) + 1
    assert {"intoInterface(7)", "unknownSize(33)"} <= set(surprises) and "returnsPointer()" not in surprises


def test_annotated_html_puts_findings_and_counts_beside_their_lines(cat):
    page = escape.annotated_html(cat, "buffers.go")
    assert "moved to heap: p" in page and "measured: sendPointer(ch) → 1 alloc/call" in page


def test_why_gives_the_flow_of_an_escape(cat):
    lines = escape.why(cat.folder, "buffers.go", "sendPointer")
    assert any("moved to heap: p" in ln for ln in lines) and any("(send)" in ln for ln in lines)


def test_heap_findings_of_the_pair(cat):
    text = escape.heap_findings(cat, "leaky.go", "fixed.go")
    assert "leaky.go: line" in text and "moved to heap: r" in text and "fixed.go: no heap findings" in text


@pytest.fixture(scope="module")
def load():
    folder = scenario_dir("internals/escape")
    return {f"{v}, live {live} MiB": check(folder, args=["-variant", v, "-rate", "100000", "-live", str(live),
                                                         "-duration", "1.5s"],
                                           duration=12, label=v, gc_every_ms=0, gctrace=True)
            for live in (0, 32) for v in ("pointer", "value")}


def test_load_stats_table_figure_and_summary(load):
    import matplotlib.pyplot as plt
    stats = escape.load_stats(load, 100_000, 1.5)
    p0, v0 = stats["pointer, live 0 MiB"], stats["value, live 0 MiB"]
    assert 20 < p0["mb_s"] < 30 and v0["mb_s"] < 1 and p0["cycles"] > 0 and v0["cycles"] == 0
    assert stats["pointer, live 32 MiB"]["goal"] > p0["goal"]
    assert escape.cycles_answer(stats) == "less often"
    assert escape.stats_table(stats).count("\n") == 5
    summary = escape.load_summary(stats, 100_000)
    assert "pointer allocates 256 bytes in 1.00 objects" in summary
    fig = escape.plot_load(load, stats, 100_000)
    assert len(fig.axes) == 3 and len(fig.legends) == 1
    plt.close(fig)


def test_kept_summary_of_a_real_pair():
    folder = scenario_dir("internals/escape")
    runs = [check(folder, args=["-variant", v, "-rate", "20000", "-duration", "1s"], duration=12, label=v,
                  gc_every_ms=100) for v in ("leaky", "fixed")]
    text = escape.kept_summary(runs)
    assert text.startswith("leaky: ") and "bytes kept per request" in text and "fixed: live heap" in text


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst / "tasks" / "escape"


def test_check_explains_each_escape_with_m2(sandbox):
    res = escape.check_escape()
    assert not res.done and res.allocs > 0
    whats = {e["what"] for e in res.escapes}
    assert "&summary{...}" in whats and "s.min" in whats
    assert all(e["steps"] for e in res.escapes) and "| 20 |" in res.details


def test_check_wants_the_same_line(sandbox):
    f = sandbox / "logline.go"
    f.write_text(f.read_text().replace("max=%.2f\\n", "max=%.1f\\n"))
    res = escape.check_escape()
    assert not res.done and "DIFFERENT" in res.line and "want" in res.details


def test_check_says_when_it_does_not_build(sandbox):
    f = sandbox / "logline.go"
    f.write_text(f.read_text().replace("s := summarize(lat)", "s := summarise(lat)"))
    res = escape.check_escape()
    assert not res.done and res.line.startswith("does not build:") and "summarise" in res.line
