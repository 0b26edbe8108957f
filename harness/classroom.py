"""The class's progress from the hub's admin side: every learner's last check of every exercise,
read from their workspace (`progress.json`) through the hub, without touching their files."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from .errors import LeakLabError
from .workspace import PROGRESS


@dataclass
class Learner:
    name: str
    running: bool
    progress: dict  # exercise or task -> {"state", "line", "at"}


def _get(url: str, token: str):
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.load(res)


def status(hub: str, token: str, workspace: str = "") -> list[Learner]:
    """Each user of the hub at `hub` (its public URL) with the checks their workspace recorded.
    `token` needs the scopes read:users and access:servers (a hub admin's or a service's);
    `workspace` is the workspace's path under the server's root ("" when the server is rooted there)."""
    hub = hub.rstrip("/")
    try:
        users = _get(f"{hub}/hub/api/users", token)
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise LeakLabError(f"cannot list the hub's users at {hub}: {err}") from None
    out = []
    for u in sorted(users, key=lambda u: u["name"]):
        server = (u.get("servers") or {}).get("")
        running = bool(server and server.get("ready"))
        progress = {}
        if running:
            path = f"{workspace.strip('/')}/{PROGRESS}".lstrip("/")
            try:
                got = _get(f"{hub}{server['url'].rstrip('/')}/api/contents/{path}?content=1&type=file&format=text", token)
                progress = json.loads(got["content"])
            except urllib.error.HTTPError as err:
                if err.code != 404:  # 404: no check run yet
                    raise LeakLabError(f"cannot read {u['name']}'s progress: {err}") from None
        out.append(Learner(u["name"], running, progress))
    return out


def table(learners: list[Learner]) -> str:
    """Learners by exercise: fixed / still leaking / ... or '-' when not checked yet."""
    names = sorted({k for lr in learners for k in lr.progress})
    width = max([len(n) for n in names] + [4])
    head = f"{'learner':16} " + " ".join(f"{n:{width}}" for n in names)
    rows = [head]
    for lr in learners:
        cells = [(lr.progress.get(n, {}).get("state") or "-") for n in names]
        rows.append(f"{lr.name:16} " + " ".join(f"{c:{width}}" for c in cells) + ("" if lr.running else "  (not running)"))
    return "\n".join(rows)


def preflight(say=print) -> bool:
    """What a teacher runs on the image (or a learner's machine) before the class: the toolchains,
    the module cache offline, and one lab's runs and check in a fresh workspace, timed. One line
    per check; a ✗ line says what to fix."""
    import os
    import tempfile
    import time
    from pathlib import Path

    from . import exercise, workspace
    from .samples import compare
    from .toolchain import EXTRA_TOOLCHAINS, find_go, go_for, missing_module, shared_caches
    ok = True

    def check(good: bool, yes: str, no: str) -> None:
        nonlocal ok
        ok = ok and good
        say(("✓ " if good else "✗ ") + (yes if good else no))

    try:
        go = find_go()
    except LeakLabError as err:
        check(False, "", str(err))
        return False
    check(True, f"Go {go.version.removeprefix('go')} at {go.path}", "")
    for version in EXTRA_TOOLCHAINS:
        try:
            check(True, f"Go {go_for(version).version.removeprefix('go')} for the labs that compare toolchains", "")
        except LeakLabError as err:
            check(False, "", str(err))
    shared = shared_caches()
    say(f"• caches: {'shared, beside the lab (' + shared['GOMODCACHE'] + ')' if shared else 'the user’s own (~/.cache, ~/go)'}")
    with tempfile.TemporaryDirectory(prefix="leaklab-preflight-") as tmp:
        ws = Path(tmp) / "goleaklab"
        workspace.init(ws)
        os.environ["LEAKLAB_SAMPLES"], before = str(ws / "go_samples"), os.environ.get("LEAKLAB_SAMPLES")
        try:
            res = go.run("test", "-count=1", "-run", "^$", "./goroutine_channel/", cwd=ws / "go_samples", timeout=600,
                         extra_env={"GOPROXY": "off"})
            line = missing_module(res.stdout + res.stderr)
            check(res.returncode == 0, "the samples' tests build offline (goleak is in the module cache)",
                  line or f"go test does not build offline: {(res.stderr or res.stdout).strip()[:200]}")
            t0 = time.monotonic()
            leaky, fixed = compare("goroutine_channel", 1.0)
            secs = time.monotonic() - t0
            check(leaky.verdict.leak and not fixed.verdict.leak,
                  f"lab 01's runs: leaky {leaky.verdict.verdict}, fixed {fixed.verdict.verdict} in {secs:.1f} s"
                  + (" (a cold build cache: the first run of each sample builds it)" if secs > 6 else ""),
                  f"lab 01's runs gave leaky {leaky.verdict.verdict}, fixed {fixed.verdict.verdict}: see `python -m harness compare goroutine_channel`")
            t0 = time.monotonic()
            res = exercise.check("goroutine_channel", 1.0)
            check(res.state == "still leaking", f"the exercise check answers in {time.monotonic() - t0:.1f} s: {res.line[:70]}…",
                  f"the exercise check said: {res.line}")
        except LeakLabError as err:
            check(False, "", str(err))
        finally:
            if before is None:
                os.environ.pop("LEAKLAB_SAMPLES", None)
            else:
                os.environ["LEAKLAB_SAMPLES"] = before
    return ok
