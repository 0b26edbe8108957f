"""Every lab runs under papermill in quick mode, and its recorded verdicts are right."""

import os
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from harness.notebook import SKIP_MIME, recorded
from tools.run_labs import DEFAULT_JOBS, execute_labs

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
    from benchmarks.bench import lab_invocations
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
    as `python -m tools.run_labs` does: {name: (seconds, error line or "")}."""
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
        if rec["name"].startswith("task:"):  # the learner's task, untouched: not done
            assert rec["done"] is False, rec
            continue
        if rec["name"] == "capstone":  # the service untouched: every leak found, and it works
            assert rec["fixed"] == 0 and rec["healthy"] is True, rec
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
        leaky = next(r for rec in recs if not rec["name"].startswith(("exercise:", "task:"))
                     for r in rec["runs"] if r["label"] == "leaky")
        assert leaky["proven"] > 0 and any(s["proven"] for s in leaky["sites"])
    assert pairs >= 1 or any(r["name"] == "capstone" for r in recs), f"{nb.name} shows no leaky/fixed pair"
    skips = [o["data"][SKIP_MIME]["reason"] for c in done.cells for o in c.get("outputs", [])
             if SKIP_MIME in o.get("data", {})]
    if skips:  # everything else was asserted above; what could not run here is reported
        pytest.skip(f"{nb.name}: part of the lab could not run here: {'; '.join(skips)}")


# --- the docs site, built by docs/build.py from the notebooks executed above (this module runs
# them first, so the site is built from exactly what the suite executed) ---

SITE = ROOT / "build" / "test-site"
SHOTS = ROOT / "build" / "test-site-shots"


def _docs_build():
    import importlib.util
    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def site():
    import time
    pytest.importorskip("myst_nb", reason="the docs site needs Sphinx and MyST-NB (Python 3.11+, requirements.txt)")
    executed = sorted(OUT.glob("[0-9][0-9]_*.ipynb"))
    if len(executed) != len(LABS):
        pytest.fail(f"only {len(executed)} of {len(LABS)} labs were executed; the site needs them all")
    t0 = time.monotonic()
    index = _docs_build().build(OUT, SITE, ROOT / "build" / "test-site-src")
    print(f"site built in {time.monotonic() - t0:.1f} s")
    return index


def test_site_pages_hold_no_path_traceback_or_warning_of_the_building_machine(site):
    import re
    pages = sorted((SITE / "labs").glob("*.html"))
    assert {p.stem for p in pages} == {nb.stem for nb in LABS}
    machine = {str(ROOT), str(Path.home()), "/tmp/", ".venv/", os.environ.get("TMPDIR", "/tmp/")}
    for page in [SITE / "index.html", *pages]:
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(), flags=re.S))
        for path in machine:
            assert path not in text, f"{page.name} shows a path of the building machine: {path}"
        assert "Traceback (most recent call last)" not in text, f"{page.name} shows a traceback"
        assert not re.search(r"\b\w+(Error|Warning)\b: ", text), f"{page.name} shows an error or a warning"
        assert "✓ Python" not in text, f"{page.name} shows the set-up check"


def test_tags_decide_what_a_reader_sees():
    """Every lab carries the tags docs/tag_cells.py gives (set-up removed, hints collapsed, ...)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("tag_cells", ROOT / "docs" / "tag_cells.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for path in LABS:
        for i, c in enumerate(nbformat.read(path, as_version=4).cells):
            tags, _ = mod.wanted(c.source) if c.cell_type == "code" else ([], {})
            missing = set(tags) - set(c.metadata.get("tags", []))
            assert not missing, f"{path.name} cell {i} lacks {missing}: run `python docs/tag_cells.py`"


def test_site_in_a_browser_navigation_search_images(site):
    """As a reader: from the landing page every lab is reachable, every image loads, no console
    errors, the search finds `goroutineleak` on lab 17, hints are collapsed."""
    import shutil
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not chromium:
        pytest.skip("chromium is not installed (on Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        problems = []
        page.on("console", lambda m: problems.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
        page.goto(site.as_uri())
        page.screenshot(path=str(SHOTS / "landing.png"))
        links = page.locator("nav.bd-links a.reference.internal").evaluate_all("as => as.map(a => a.href)")
        reached = {Path(href.split("#")[0]).stem for href in links}
        assert {nb.stem for nb in LABS} <= reached, f"not in the navigation: {sorted({nb.stem for nb in LABS} - reached)}"
        for nb in LABS:
            page.goto((SITE / "labs" / f"{nb.stem}.html").as_uri())
            page.wait_for_load_state("load")
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy images load
            page.wait_for_function("[...document.images].every(i => i.complete)", timeout=30_000)
            broken = page.evaluate("[...document.images].filter(i => i.naturalWidth === 0).map(i => i.src)")
            assert not broken, f"{nb.stem}: images that do not load: {broken}"
            assert page.locator(".prev-next-area a").count() >= 1, f"{nb.stem}: no previous/next link"
            hints = page.locator("details.hide", has_text="Hint 1")
            if "lab.hint(" in nb.read_text():
                assert hints.count() >= 1 and not hints.first.evaluate("d => d.open"), f"{nb.stem}: hints not collapsed"
            if nb.stem.startswith("01_"):
                page.screenshot(path=str(SHOTS / "lab01.png"))
        page.goto((SITE / "search.html").as_uri() + "?q=goroutineleak")
        page.wait_for_selector("#search-results li", timeout=30_000)
        first = page.locator("#search-results li a").first.get_attribute("href")
        page.screenshot(path=str(SHOTS / "search.png"))
        browser.close()
    assert "17_goroutineleak_profile" in first, f"search for goroutineleak lands on {first}"
    assert not problems, problems


@pytest.mark.slow  # starts a headless run: a kernel zygote and papermill
def test_a_failing_cell_is_reported_by_index_source_and_exception(tmp_path):
    """What `tools.run_labs` and the test above report for a lab that fails: the cell (its index in the
    lab, counted as papermill's injected parameters were not there, and its first line), the
    exception's name and its message; with and without a cell tagged `parameters`."""
    notebooks = []
    for name, tagged in (("01_untagged.ipynb", False), ("02_tagged.ipynb", True)):
        nb = nbformat.v4.new_notebook()
        first = nbformat.v4.new_code_cell("quick = False" if tagged else "x = 1")
        if tagged:
            first.metadata["tags"] = ["parameters"]
        nb.cells = [first, nbformat.v4.new_code_cell("# the second cell\nraise LookupError(f'no {quick=}')"),
                    nbformat.v4.new_code_cell("print('not reached')")]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, tmp_path / name)
        notebooks.append(tmp_path / name)
    results = execute_labs(notebooks, tmp_path / "out", quick=True, jobs=2)
    for nb in notebooks:
        assert results[nb.name][1] == "cells[1] `# the second cell`: LookupError: no quick=True", results
