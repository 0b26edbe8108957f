"""The workflow shipped for a public CI host is valid (actionlint) and runs what CI here runs."""

import re
import subprocess

import pytest

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "lab.yml"
ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"


def _actionlint(go) -> str:
    """actionlint, built from the Go module proxy into build/tools once (offline afterwards)."""
    tools = ROOT / "build" / "tools"
    exe = tools / "actionlint"
    if not exe.exists():
        res = subprocess.run([go.path, "install", ACTIONLINT], env={**go.env(), "GOBIN": str(tools)},
                             capture_output=True, text=True, timeout=600)
        if res.returncode != 0:
            pytest.skip(f"actionlint could not be installed (offline?): {res.stderr.strip().splitlines()[-1:]}")
    return str(exe)


def test_actionlint_finds_nothing(go):
    res = subprocess.run([_actionlint(go), str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_actionlint_can_fail(go, tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-24.04", "runs-on: [ubuntu-24.04", 1))
    res = subprocess.run([_actionlint(go), str(bad)], capture_output=True, text=True, timeout=120)
    assert res.returncode != 0


def test_its_steps_are_the_commands_ci_runs_here():
    """Set-up and test steps are `make setup` and `make test`, exactly what .ci/run runs; what it
    uploads is what that test command writes (the executed notebooks, the site built from them)."""
    runs = [r.strip() for r in re.findall(r"^\s+run: (.+)$", WORKFLOW.read_text(), re.M)]
    ci = (ROOT / ".ci" / "run").read_text()
    made = [r for r in runs if r.startswith("make ")]
    assert made == ["make setup", "make test"], runs
    for cmd in made:
        assert re.search(rf"^{re.escape(cmd)}$", ci, re.M), f".ci/run does not run {cmd}"
    from test_notebooks import OUT, SITE  # the folders the test command writes
    text = WORKFLOW.read_text()
    assert f"path: {OUT.relative_to(ROOT)}/" in text and f"path: {SITE.relative_to(ROOT)}/" in text
