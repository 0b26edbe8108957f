"""Lab 17's module on real runs of toolkit/leakprofile and of the two task packages."""

import json
import shutil

import pytest

from harness import tasks
from harness.lessons import leakprofile
from harness.measure import goroot
from harness.samples import samples_dir
from harness.toolchain import find_go


@pytest.fixture(scope="module")
def results():
    return leakprofile.run_cases(["unreachable", "global", "closure", "param", "tiny-alone", "tiny-shared"], 0.6)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A private copy of go_samples, so the learner's own files are never touched."""
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst


def test_the_runtime_source_of_the_proof():
    from pathlib import Path
    src = Path(goroot(find_go())) / "src/runtime/mgc.go"
    text = leakprofile.go_func(src, "func (gp *g) isMaybeRunnable() bool")
    assert text.startswith("//") and "func (gp *g) isMaybeRunnable() bool {" in text and text.endswith("\n}")


def test_cases_tabulated(results):
    assert leakprofile.counts(results["unreachable"]) == (100, 0)
    assert leakprofile.counts(results["param"]) == (100, 0)
    assert leakprofile.counts(results["global"]) == (0, 100)
    assert leakprofile.counts(results["closure"]) == (0, 100)
    text = leakprofile.table(results)
    assert "| `unreachable` | 100 | **100** | 0 | chan send | channels.go:" in text
    import matplotlib.pyplot as plt
    fig = leakprofile.figure(results)
    assert fig.legends
    plt.close(fig)


def test_what_the_closures_capture():
    lines = [m for _, m in leakprofile.captures()]
    assert "closure capturing by value: v" in lines and "closure capturing by value: ch" in lines
    assert any(m.startswith("can inline param.gowrap") for m in lines)


def test_tiny_summary_reads_the_program(results):
    text = leakprofile.tiny_summary(results)
    assert "tiny-shared: " in text and "locks shared a block with a live counter" in text
    assert "no more than the locks that did not share one" in text


def test_live_endpoint(tmp_path):
    run, s = leakprofile.live(1.2, tmp_path)
    text = leakprofile.live_report(run, s)
    assert "goroutineleak profile: total" in text and "main.unreachable.func1 @ channels.go:9" in text
    assert "(the request)" in text and "after main returned" in text
    assert "leaklab" not in text


def test_the_snippets_do_what_the_solution_says():
    runs = leakprofile.run_snippets(0.5, n=20)
    solution = tasks.get("snippet_predictions").solution_answer()
    assert {k: leakprofile.measured(r) for k, r in runs.items()} == solution
    assert json.loads((tasks.get("snippet_predictions").folder / "testdata" / "solution_answer.json").read_text()) == solution
    res = tasks.check("snippet_predictions", solution, runs=runs)
    assert res.done and res.line.startswith("5 of 5 right") and "| `registry` |" in res.details
    wrong = {**solution, "registry": "proven"}
    res = tasks.check("snippet_predictions", wrong, runs=runs)
    assert not res.done and res.line.startswith("4 of 5 right") and "registry proven ✗" in res.line
    assert "write 'proven' or 'suspected'" in tasks.check("snippet_predictions", {"poll": "maybe"}).line


def test_provable_says_what_the_edit_did(sandbox):
    t = tasks.get("snippet_provable")
    src = t.pristine("provable.go").read_text()
    (t.folder / "provable.go").write_text(src.replace("make(chan string)", "make(chan string, n)"))
    res = tasks.check("snippet_provable")
    assert not res.done and res.line.startswith("0 goroutines left behind") and "fixes the leak" in res.line
    (t.folder / "provable.go").write_text(src.replace("answers <- answer", "answers <- answer +"))
    res = tasks.check("snippet_provable")
    assert not res.done and res.line.startswith("provable.go does not build") and "Go says" in res.details
    t.reset()
    res = tasks.check("snippet_provable")
    assert not res.done and "only suspected" in res.line
