"""Every lab task can fail and can pass: untouched it is not done, its reference solution is."""

import shutil

import pytest

from harness import tasks
from harness.samples import samples_dir

from conftest import first_fast

TASKS = tasks.all_tasks()


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A private copy of go_samples, so the learner's own files are never touched."""
    dst = tmp_path / "go_samples"
    shutil.copytree(samples_dir(), dst, ignore=shutil.ignore_patterns(".*"))
    monkeypatch.setenv("LEAKLAB_SAMPLES", str(dst))
    return dst


def test_tasks_are_registered():
    assert TASKS, "no lab task is registered"


@pytest.mark.parametrize("name", first_fast([t.name for t in TASKS], fast="reachability"))
def test_untouched_is_not_done_and_the_solution_is(sandbox, name):
    t = tasks.get(name)
    for f in t.files:
        assert (t.folder / f).read_bytes() == t.pristine(f).read_bytes(), f"{name}: {f} differs from its pristine copy"
    hints = [h for h in (t.folder / "testdata" / "hints.md").read_text().split("\n---\n") if h.strip()]
    assert len(hints) >= 2 and "show_solution" in hints[-1] and not any("```" in h for h in hints)
    res = tasks.check(name, None) if t.answer else tasks.check(name)
    assert not res.done, f"{name} untouched says done: {res.line}"
    assert res.line and "\n" not in res.line
    if t.answer:
        res = tasks.check(name, t.solution_answer())
    else:
        for f in t.files:
            shutil.copyfile(t.solution_file(f), t.folder / f)
        res = tasks.check(name)
    assert res.done, f"{name} with its solution is not done: {res.line}\n{res.details}"
    t.reset()
    for f in t.files:
        assert (t.folder / f).read_bytes() == t.pristine(f).read_bytes()
