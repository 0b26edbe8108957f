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
