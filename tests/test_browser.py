"""The learner's loop in a real JupyterLab, driven in Chromium as a learner would drive it.

JupyterLab is started as `make lab` starts it (`python -m harness lab`), on a copy of labs/ and
go_samples/ so the learner's own files are never touched. Screenshots of every step go to
build/test-browser/.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from harness.samples import samples_dir

SHOTS = ROOT / "build" / "test-browser"
SCENARIO = "goroutine_channel"
NOTEBOOK = "01_goroutine_channel"
STOPPED = "stopped: the program and its files were cleaned up"

pytestmark = pytest.mark.notebook


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_processes(tmpdir: Path) -> list[int]:
    """Processes whose working folder is one of the harness's run folders under tmpdir (every
    program the harness runs starts in its run's temp folder)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/cwd").startswith(str(tmpdir)):
                    found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a free loopback port with a token, over a copy of the lab; yields
    (url, root, tmpdir of its kernels); the server's whole process group is killed after."""
    if not _chromium():
        pytest.skip("chromium is not installed (on Debian: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -r requirements.txt)")
    base = tmp_path_factory.mktemp("browser")
    root = base / "lab"
    shutil.copytree(ROOT / "labs", root / "labs", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(samples_dir(), root / "go_samples", ignore=shutil.ignore_patterns(".*"))
    tmpdir = base / "tmp"
    tmpdir.mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "LEAKLAB_NO_PROGRESS"}  # a learner sees the bars
    env.update(LEAKLAB_SAMPLES=str(root / "go_samples"), TMPDIR=str(tmpdir),
               JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               JUPYTER_DATA_DIR=str(base / "data"))  # no user-level kernels or settings of this machine
    log = open(base / "jupyter.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "harness", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (base / "jupyter.log").read_text()[-3000:])
                time.sleep(0.3)
        yield {"url": url, "token": token, "root": root, "tmpdir": tmpdir}
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(server.pid, sig)
            except ProcessLookupError:
                break
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                continue
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        pg = browser.new_page(viewport={"width": 1400, "height": 950})
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.goto(f"{lab['url']}/lab?reset&token={lab['token']}")
        pg.wait_for_selector(".jp-DirListing-content", timeout=90_000)
        pg.page_errors = errors
        yield pg
        browser.close()


# --- helpers that do what a learner's hands do --------------------------------------------

_ALL_RUN = """() => {
  const ps = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
    .map(e => e.textContent.trim());
  return ps.length > 0 && ps.every(t => /^\\[\\d+\\]:$/.test(t));
}"""


def _open_in_file_browser(pg, *parts: str) -> None:
    pg.locator(".jp-BreadCrumbs-home").click()
    for name in parts:
        pg.locator(".jp-DirListing-itemName").get_by_text(name, exact=True).dblclick()


def _menu(pg, menu: str, item: str) -> None:
    pg.locator(".lm-MenuBar-itemLabel").get_by_text(menu, exact=True).click()
    pg.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True).click()


def _code_cell(pg, contains: str):
    return pg.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").filter(
        has=pg.locator(".jp-InputArea", has_text=contains)).first


def _prompt(cell) -> str:
    return cell.locator(".jp-InputPrompt").first.inner_text().strip()


def _run_cell(pg, cell, wait: bool = True, timeout_s: float = 300) -> None:
    """Select the cell (click its prompt) and press Shift+Enter; wait until it has a new number."""
    before = _prompt(cell)
    cell.locator(".jp-InputPrompt").first.click()
    pg.keyboard.press("Shift+Enter")
    if not wait:
        return
    deadline = time.monotonic() + timeout_s
    while True:
        now = _prompt(cell)
        if now != before and now != "[*]:":
            return
        assert time.monotonic() < deadline, f"cell still running after {timeout_s} s"
        time.sleep(0.5)


def _outputs_text(cell) -> str:
    return cell.locator(".jp-OutputArea").inner_text()


def _visible_red_bars(pg) -> int:
    return pg.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:not(.lm-mod-hidden) "
                      "[class*='danger']").count()


def _shot(target, name: str) -> None:
    target.screenshot(path=str(SHOTS / name))


# --- the learner's loop, in order ---------------------------------------------------------

def test_1_open_from_the_file_browser_and_run_all(page, lab):
    _open_in_file_browser(page, "labs", f"{NOTEBOOK}.ipynb")
    page.get_by_text("Go Leak Lab | Idle").wait_for(timeout=120_000)  # the lab's kernel, by its name
    _shot(page, "1-opened.png")
    _menu(page, "Run", "Run All Cells")
    page.wait_for_function(_ALL_RUN, timeout=600_000, polling=1000)
    nb = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    figure = nb.locator(".jp-RenderedImage img").first
    figure.scroll_into_view_if_needed()
    _shot(page, "2-figure.png")
    assert nb.locator(".jp-RenderedImage img").count() >= 3, "the side-by-side figures did not render"
    table = nb.locator(".jp-RenderedMarkdown table").filter(has_text="verdict").first
    assert "leak" in table.inner_text() and "clean" in table.inner_text()
    text = nb.locator(".jp-OutputArea").all_inner_texts()
    joined = "\n".join(text)
    assert "Traceback" not in joined and "Error" not in joined, joined[-3000:]
    assert nb.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert _visible_red_bars(page) == 0, "a progress bar was left red"
    check = _code_cell(page, "lab.check_exercise(")
    check.scroll_into_view_if_needed()
    _shot(page, "3-check-untouched.png")
    assert "still leaking" in _outputs_text(check)
    assert page.page_errors == [], page.page_errors


def test_2_fix_the_exercise_in_the_editor_and_check(page, lab):
    exercise = lab["root"] / "go_samples" / SCENARIO / "exercise.go"
    solution = (lab["root"] / "go_samples" / SCENARIO / "testdata" / "solution.go").read_text()
    _open_in_file_browser(page, "go_samples", SCENARIO, "exercise.go")
    editor = page.locator(".jp-FileEditor:visible .cm-content")
    editor.wait_for(timeout=60_000)
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(solution)
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while exercise.read_text() != solution:
        assert time.monotonic() < deadline, "the editor did not save exercise.go"
        time.sleep(0.3)
    _shot(page, "4-editor-saved.png")
    # The editor indents Go with tabs, as gofmt does (the lab's settings, served by this JupyterLab).
    req = f"{lab['url']}/lab/api/settings/@jupyterlab/fileeditor-extension:plugin?token={lab['token']}"
    import urllib.request as ur
    schema = json.load(ur.urlopen(req, timeout=10))["schema"]
    assert schema["properties"]["editorConfig"]["default"].get("indentUnit") == "Tab"

    page.locator(".lm-TabBar-tabLabel").get_by_text(f"{NOTEBOOK}.ipynb", exact=True).click()
    check = _code_cell(page, "lab.check_exercise(")
    _run_cell(page, check)
    check.scroll_into_view_if_needed()
    _shot(page, "5-check-fixed.png")
    out = _outputs_text(check)
    assert "fixed:" in out and "go test passes" in out, out
    assert _visible_red_bars(page) == 0


def test_3_stop_button_ends_a_compare_with_one_line(page, lab):
    cell = _code_cell(page, "lab.compare(")
    _run_cell(page, cell, wait=False)
    time.sleep(3.0)  # built (cached) and running: its bar is moving
    assert _run_processes(lab["tmpdir"]), "the compare's programs were not running when stop was pressed"
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) [data-command='notebook:interrupt-kernel']").click()
    deadline = time.monotonic() + 60
    while _prompt(cell) == "[*]:":
        assert time.monotonic() < deadline, "the cell did not stop"
        time.sleep(0.3)
    cell.scroll_into_view_if_needed()
    _shot(page, "6-stopped.png")
    out = _outputs_text(cell)
    assert STOPPED in out, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
    time.sleep(1.0)
    assert _run_processes(lab["tmpdir"]) == [], "a program of the stopped run is still alive"
    assert not list(lab["tmpdir"].glob("leaklab-*")), "the stopped run left its temp folder"
    assert _visible_red_bars(page) == 0


def test_4_reset_puts_the_exercise_back_and_says_what_to_do(page, lab):
    exercise = lab["root"] / "go_samples" / SCENARIO / "exercise.go"
    pristine = exercise.with_name("testdata") / "exercise.go"
    assert exercise.read_text() != pristine.read_text()  # still the fix of step 2
    last = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").last
    last.locator(".jp-InputArea").first.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new cell below, as a learner adds one
    page.keyboard.press("Enter")
    page.keyboard.insert_text(f'lab.reset_exercise("{SCENARIO}")')
    page.keyboard.press("Escape")
    cell = _code_cell(page, "lab.reset_exercise(")
    _run_cell(page, cell)
    _shot(page, "7-reset.png")
    out = _outputs_text(cell)
    assert exercise.read_text() == pristine.read_text()
    assert f"go_samples/{SCENARIO}/exercise.go is back as it started" in out and "Reload File from Disk" in out, out
    assert "PosixPath" not in out and "Traceback" not in out, out
