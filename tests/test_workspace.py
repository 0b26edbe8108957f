"""A learner's workspace: made from the course, found by the harness without configuration,
updated with the course without overwriting the learner's own changes."""

import shutil

import pytest

from conftest import ROOT, run_cli
from harness import workspace
from harness.samples import samples_dir


def _course(tmp_path):
    """A copy of the course to update, so the repository is never touched."""
    src = tmp_path / "course"
    shutil.copytree(ROOT / "labs", src / "labs", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(samples_dir(), src / "go_samples", ignore=shutil.ignore_patterns(".*"))
    return src


def test_init_update_keeps_the_learners_files(tmp_path):
    course, ws = _course(tmp_path), tmp_path / "home" / "goleaklab"
    first = workspace.init(ws, course)
    assert first.added and not first.updated and not first.kept
    ex = "go_samples/goroutine_channel/exercise.go"
    assert (ws / ex).read_bytes() == (course / ex).read_bytes()
    (ws / ex).write_text("// the learner's own work\n" + (ws / ex).read_text())   # the learner edits
    (course / ex).write_text((course / ex).read_text() + "\n// course update\n")   # the teacher updates
    hint = "go_samples/goroutine_channel/testdata/hints.md"
    (course / hint).write_text((course / hint).read_text() + "\n---\nA new hint.\n")
    (course / "labs" / "99_new.ipynb").write_text("{}")
    again = workspace.init(ws, course)
    assert again.kept == [ex] and hint in again.updated and "labs/99_new.ipynb" in again.added
    assert (ws / ex).read_text().startswith("// the learner's own work")
    assert (ws / hint).read_text().endswith("A new hint.\n")
    assert workspace.init(ws, course).line().startswith(f"workspace {ws.resolve()}: 0 files added, 0 updated")


def test_the_harness_finds_the_workspace_it_runs_in(tmp_path):
    ws = tmp_path / "goleaklab"
    res = run_cli("workspace", "init", str(ws))
    assert res.returncode == 0 and "files added" in res.stdout, res.stderr
    shutil.copyfile(ws / "go_samples/goroutine_channel/testdata/solution.go", ws / "go_samples/goroutine_channel/exercise.go")
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "harness", "exercise", "check", "goroutine_channel", "--duration", "1s"],
                         cwd=ws / "labs", capture_output=True, text=True, timeout=600,
                         env={k: v for k, v in __import__("os").environ.items() if k != "LEAKLAB_SAMPLES"})
    assert out.returncode == 0 and out.stdout.startswith("fixed:"), out.stdout + out.stderr
    # the course's own exercise is untouched: the check in the repository still finds the leak
    assert (samples_dir() / "goroutine_channel" / "exercise.go").read_bytes() != \
        (ws / "go_samples/goroutine_channel/exercise.go").read_bytes()


@pytest.mark.slow  # the whole preflight, twice
def test_preflight_passes_here_and_names_a_missing_module_cache(tmp_path):
    ok = run_cli("preflight", timeout=900)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "✗" not in ok.stdout and "lab 01's runs: leaky leak, fixed clean" in ok.stdout, ok.stdout
    bad = run_cli("preflight", env={"GOMODCACHE": str(tmp_path / "empty"), "GOPROXY": "off"}, timeout=900)
    assert bad.returncode == 2, bad.stdout
    assert "✗ Go's module cache lacks go.uber.org/goleak" in bad.stdout, bad.stdout
