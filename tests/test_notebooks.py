"""Every lab runs under papermill in quick mode, and its recorded verdicts are right."""

import os

import nbformat
import pytest

from conftest import ROOT
from harness.notebook import SKIP_MIME, recorded
from harness.prepare import DEFAULT_JOBS, execute_labs

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


def test_bench_ttv_reads_every_compare_call_with_its_quick_duration(tmp_path):
    """`bench ttv` times what the labs run: every `lab.compare(` in a lab's code must come back as
    an invocation of a known sample, with the (shorter) quick-mode duration, and loops expand."""
    from harness.bench import lab_invocations
    from harness.samples import scenarios
    invs = lab_invocations()
    calling = {p.stem[:2] for p in LABS if "lab.compare(" in p.read_text()}
    assert calling and calling == {lab for inv in invs for lab in inv["labs"]}
    for inv in invs:
        assert inv["sample"] in scenarios(), inv
        assert 0 < inv["quick_s"] < 4, f"{inv}: not the quick-mode duration"
    blocking = {tuple(i["args"]) for i in invs if i["sample"] == "goroutine_blocking"}
    assert len(blocking) >= 3, "a `for case in cases:` loop did not expand into one invocation per case"

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("quick = False\nduration = 9.0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "import harness as lab\nrun_s = 0.5 if quick else duration\n"
        "for c in ('a', 'b'):\n    lab.compare('s', run_s, args=['-case', c])")]
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    assert [(i["args"], i["quick_s"]) for i in lab_invocations(tmp_path)] == [
        (["-case", "a"], 0.5), (["-case", "b"], 0.5)]
    nb.cells[1].source += "\nlab.compare('s', run_s, args=some_function())"
    nbformat.write(nb, tmp_path / "01_x.ipynb")
    with pytest.raises(ValueError):
        lab_invocations(tmp_path)


@pytest.mark.parametrize("nb", LABS, ids=[p.stem for p in LABS])
def test_objectives_time_prerequisites_and_recap(nb):
    data = nbformat.read(nb, as_version=4)
    md = [c.source for c in data.cells if c.cell_type == "markdown"]
    head = md[0]
    assert head.lstrip().startswith("# ") and "**Time:**" in head and "**Prerequisites:**" in head, nb.name
    assert "**You will" in head, f"{nb.name}: state the learning objectives in the first cell"
    recap = md[-1]
    assert recap.lstrip().startswith("## Recap"), f"{nb.name}: end with a recap"
    assert len([ln for ln in recap.splitlines() if ln.startswith("- ")]) == 3, f"{nb.name}: a 3-line recap"


@pytest.fixture(scope="module")
def executed(request):
    """Every lab this session selected, executed by papermill in quick mode, several at a time
    as `python -m harness run-labs` does: {name: (seconds, error line or "")}."""
    chosen = {item.callspec.params["nb"] for item in request.session.items
              if getattr(item, "originalname", "") == "test_lab_runs_and_verdicts_are_right"}
    return execute_labs(sorted(chosen), OUT, quick=True, jobs=int(os.environ.get("LEAKLAB_JOBS", DEFAULT_JOBS)))


@pytest.mark.notebook
@pytest.mark.parametrize("nb", LABS, ids=[p.stem for p in LABS])
def test_lab_runs_and_verdicts_are_right(nb, executed):
    secs, err = executed[nb.name]
    assert not err, f"{nb.name}: {err}"
    out = OUT / nb.name
    done = nbformat.read(out, as_version=4)
    errors = [o for c in done.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    recs = recorded(done)
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
    skips = [o["data"][SKIP_MIME]["reason"] for c in done.cells for o in c.get("outputs", [])
             if SKIP_MIME in o.get("data", {})]
    if skips:  # everything else was asserted above; what could not run here is reported
        pytest.skip(f"{nb.name}: part of the lab could not run here: {'; '.join(skips)}")


# --- the docs site, built from the notebooks executed above (this module runs them first) ---

SITE = ROOT / "build" / "test-site"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site():
    from harness.docs import build_site
    executed = sorted(OUT.glob("[0-9][0-9]_*.ipynb"))
    if len(executed) != len(LABS):
        pytest.fail(f"only {len(executed)} of {len(LABS)} labs were executed; the site needs them all")
    return build_site(OUT, SITE)


def test_site_pages_images_and_no_errors(site):
    import re
    pages = sorted(SITE.glob("*.html"))
    assert {p.stem for p in pages} == {nb.stem for nb in LABS} | {"index"}
    for page in pages:
        text = page.read_text()
        assert "Traceback (most recent call last)" not in text, f"{page.name} shows a traceback"
        assert not re.search(r"\b\w+Error\b: ", re.sub(r"<[^>]+>", "", text)), f"{page.name} shows an error"
        for src in re.findall(r'<img src="([^"]+)"', text):
            if not src.startswith("data:"):
                assert (SITE / src).exists(), f"{page.name} references missing {src}"
        for href in re.findall(r'href="(\d\d_[a-z0-9_]+\.html)"', text):
            assert (SITE / href).exists(), f"{page.name} links to missing {href}"
    index = (SITE / "index.html").read_text()
    for nb in LABS:
        assert f'href="{nb.stem}.html"' in index


def test_index_renders_in_headless_chromium(site, tmp_path):
    import shutil
    import subprocess
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium is not installed (on Debian: apt-get install chromium)")
    res = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                          "--dump-dom", site.as_uri()], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    assert '<table id="lab-map">' in dom
    rows = dom.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == len(LABS)
    assert "01_goroutine_channel" in dom and "goroutines" in dom


@pytest.mark.parametrize("nb", LABS, ids=[p.stem for p in LABS])
def test_every_path_a_lab_names_opens_from_the_file_browser(nb):
    """JupyterLab is rooted at the repository: a markdown link from labs/ (../go_samples/...)
    and a path named in backticks (go_samples/...) must both name a file or folder there."""
    import re
    data = nbformat.read(nb, as_version=4)
    text = "\n".join(c.source for c in data.cells if c.cell_type == "markdown")
    for link in re.findall(r"\]\((\.\./[^)\s#]+)\)", text):
        assert (ROOT / "labs" / link).resolve().exists(), f"{nb.name}: link {link} leads nowhere"
    for path in re.findall(r"`(go_samples/[A-Za-z0-9_./-]+)`", text):
        if "<" not in path:
            assert (ROOT / path.rstrip("/")).exists(), f"{nb.name}: names {path}, which does not exist"
