"""Every lab runs under papermill in quick mode, and its recorded verdicts are right."""

import nbformat
import pytest

from conftest import ROOT
from harness.notebook import VERDICT_MIME

LABS = sorted((ROOT / "labs").glob("[0-9][0-9]_*.ipynb"))
OUT = ROOT / "build" / "test-labs"


def test_labs_exist():
    assert any(p.name.startswith("00_") for p in LABS) and any(p.name.startswith("01_") for p in LABS)


@pytest.mark.parametrize("nb", LABS, ids=[p.stem for p in LABS])
def test_committed_without_outputs(nb):
    data = nbformat.read(nb, as_version=4)
    dirty = [i for i, c in enumerate(data.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{nb.name}: cells {dirty} carry outputs; commit notebooks cleared"
    tagged = [c for c in data.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "quick" in tagged[0].source


def _records(nb) -> list[dict]:
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            if VERDICT_MIME in o.get("data", {}):
                out.append(o["data"][VERDICT_MIME])
    return out


@pytest.mark.notebook
@pytest.mark.parametrize("nb", LABS, ids=[p.stem for p in LABS])
def test_lab_runs_and_verdicts_are_right(nb):
    import papermill as pm
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / nb.name
    pm.execute_notebook(str(nb), str(out), parameters={"quick": True}, cwd=str(nb.parent),
                        progress_bar=False, kernel_name="python3")
    done = nbformat.read(out, as_version=4)
    errors = [o for c in done.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    recs = _records(done)
    assert recs, f"{nb.name} recorded no verdicts"
    pairs = 0
    for rec in recs:
        if rec["name"].startswith("exercise:"):
            assert rec["fixed"] is False and rec["line"].startswith("still leaking"), rec
            continue
        labels = {r["label"]: r for r in rec["runs"]}
        for r in rec["runs"]:
            assert r["exit"] in ("exited", "deadline"), r
        if "leaky" in labels:
            assert labels["leaky"]["verdict"] == "leak", (rec["name"], labels["leaky"]["headline"])
        if "fixed" in labels:
            assert labels["fixed"]["verdict"] == "clean", (rec["name"], labels["fixed"]["headline"])
        pairs += "leaky" in labels and "fixed" in labels
    if nb.name.startswith("01_"):
        leaky = next(r for rec in recs if not rec["name"].startswith("exercise:")
                     for r in rec["runs"] if r["label"] == "leaky")
        assert leaky["proven"] > 0 and any(s["proven"] for s in leaky["sites"])
    assert pairs >= 1, f"{nb.name} shows no leaky/fixed pair"
