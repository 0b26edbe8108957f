"""A learner's own copy of the lab: `labs/` and `go_samples/` in a folder of their own (on a hub,
in their persistent home), made on first start and brought up to date with the course at every
start without overwriting what the learner changed.

The harness finds a workspace by itself: a notebook or command run inside it uses its
`go_samples/` (see `samples.samples_dir`).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".leaklab-workspace.json"
COPIED = ("labs", "go_samples")
_SKIPPED = {"__pycache__", ".ipynb_checkpoints"}


@dataclass
class Report:
    root: Path
    added: list[str] = field(default_factory=list)    # new in the course, copied
    updated: list[str] = field(default_factory=list)  # changed in the course, untouched by the learner
    kept: list[str] = field(default_factory=list)     # changed by the learner: left as they are

    def line(self) -> str:
        return (f"workspace {self.root}: {len(self.added)} files added, {len(self.updated)} updated from the course, "
                f"{len(self.kept)} of yours kept as you left them")


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def course_files(source: Path) -> list[Path]:
    """The files a workspace holds, relative to the course's root."""
    out = []
    for top in COPIED:
        for p in sorted((source / top).rglob("*")):
            rel = p.relative_to(source)
            if p.is_file() and not (_SKIPPED & set(rel.parts)) and not any(s.startswith(".") for s in rel.parts):
                out.append(rel)
    return out


def init(dest: Path, source: Path | None = None) -> Report:
    """Make or update the workspace at `dest` from the course at `source` (the lab's own folder).

    A file is copied when the workspace lacks it, and replaced when the course changed it and the
    learner did not (its content is still what was copied last time); a file the learner changed
    is never overwritten."""
    from .samples import samples_dir
    source = (source or samples_dir().parent).resolve()
    dest = Path(dest).expanduser().resolve()
    if dest == source:
        raise ValueError("a workspace cannot be the course itself")
    marker = dest / MARKER
    seen = json.loads(marker.read_text())["files"] if marker.exists() else {}
    report = Report(dest)
    for rel in course_files(source):
        src, dst, key = source / rel, dest / rel, rel.as_posix()
        new = _hash(src)
        if not dst.exists():
            report.added.append(key)
        elif (cur := _hash(dst)) == new:
            seen[key] = new
            continue
        elif cur == seen.get(key):
            report.updated.append(key)
        else:
            report.kept.append(key)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        seen[key] = new
    dest.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_suffix(".tmp")
    tmp.write_text(json.dumps({"source": str(source), "files": seen}, indent=0))
    tmp.replace(marker)
    return report


def find(start: Path | None = None) -> Path | None:
    """The workspace holding `start` (default: the current folder), if any."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / MARKER).exists() and (d / "go_samples").is_dir():
            return d
    return None


PROGRESS = "progress.json"  # in the workspace's root: the teacher's class status reads it


def record_progress(name: str, state: str, line: str, start: Path | None = None) -> None:
    """Keep the last check of exercise or task `name` in the workspace it ran in (nothing
    outside a workspace), for `python -m harness class-status`."""
    from datetime import datetime, timezone

    from .samples import samples_dir
    ws = find(start or samples_dir())
    if ws is None:
        return
    path = ws / PROGRESS
    try:
        data = json.loads(path.read_text()) if path.exists() else {}
    except ValueError:
        data = {}
    data[name] = {"state": state, "line": line, "at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    tmp.replace(path)
