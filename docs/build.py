"""Build the docs site from the notebooks `make run-all` executed: Sphinx + MyST-NB + the book theme.

    python docs/build.py [--from build/labs] [--out build/site]

Nothing is executed again. The executed notebooks are staged with the generated landing page (the
lab map: each lab's first figure, its measured leak class and run time) next to conf.py, and
Sphinx writes a static site that works from a plain folder (file://) or any static host.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VERDICT_MIME = "application/vnd.goleaklab.verdicts+json"
# The course's parts, in order: (caption, first lab number of the part).
PARTS = [("Start", 0), ("Leak patterns", 1), ("How Go's memory works", 10), ("How to catch leaks", 13),
         ("In production", 23), ("Capstone", 27)]
# Cells papermill adds or that only set a run up: never content for a reader.
_REMOVED_TAGS = {"parameters", "injected-parameters"}


class SiteError(Exception):
    """The site cannot be built from what is there; the message says what to do."""


def title(nb: dict) -> str:
    for c in nb["cells"]:
        if c["cell_type"] == "markdown" and (m := re.search(r"^#\s+(.+)$", "".join(c["source"]), re.M)):
            return m.group(1).strip()
    return ""


def summary(nb: dict) -> str:
    """The first sentence after the title."""
    for c in nb["cells"]:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown" and src.lstrip().startswith("#"):
            body = re.sub(r"^#.*$", "", src, count=1, flags=re.M).strip()
            text = re.sub(r"\s+", " ", body.split("\n\n")[0])
            return re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return ""


def leak_class(nb: dict) -> str:
    """Measured: what the recorded leaky runs grew (goroutines, heap, or both)."""
    kinds = set()
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            for r in (o.get("data", {}).get(VERDICT_MIME) or {}).get("runs", []):
                if r.get("verdict") != "leak":
                    continue
                h = r.get("headline", "")
                if "goroutines/s" in h or "proven leaked" in h or "still blocked" in h:
                    kinds.add("goroutines")
                if "live heap" in h:
                    kinds.add("heap")
    return " + ".join(sorted(kinds)) or "—"


def first_png(nb: dict) -> bytes | None:
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            if "image/png" in o.get("data", {}):
                return base64.b64decode(o["data"]["image/png"])
    return None


def _stage_notebook(src: Path, dst: Path) -> dict:
    nb = json.loads(src.read_text())
    errors = [i for i, c in enumerate(nb["cells"]) for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise SiteError(f"{src.name}: cell {errors[0]} holds an error output; fix the lab, then `make run-all`")
    for c in nb["cells"]:
        tags = c.setdefault("metadata", {}).setdefault("tags", [])
        if _REMOVED_TAGS & set(tags) and "remove-cell" not in tags:
            tags.append("remove-cell")
    dst.write_text(json.dumps(nb))
    return nb


def _landing(rows: list[tuple[str, dict, str]]) -> str:
    lines = ["# Go Leak Lab", "",
             "Hands-on labs on how Go programs leak goroutines and memory, and how to prove it. Every page "
             "is a notebook executed on Go 1.27: each number on it was measured when it ran, and each "
             "verdict was decided from those numbers.", "",
             "```{list-table} The labs, in course order",
             ":header-rows: 1", ":class: lab-map", ":widths: 45 35 20", "",
             "* - lab", "  - first figure", "  - leak class (measured), run time (quick)"]
    for stem, nb, thumb in rows:
        secs = (nb.get("metadata", {}).get("papermill") or {}).get("duration")
        img = f"![first figure of {stem}](_static/thumbs/{stem}.png)" if thumb else "—"
        lines += [f"* - [{title(nb)}](labs/{stem}.ipynb)", "", f"    {summary(nb)}",
                  f"  - {img}", f"  - {leak_class(nb)}" + (f", {secs:.0f} s" if secs else "")]
    lines += ["```", ""]
    for caption, first in PARTS:
        nxt = next((n for _, n in PARTS if n > first), 100)
        members = [stem for stem, _, _ in rows if first <= int(stem[:2]) < nxt]
        if members:
            lines += ["```{toctree}", f":caption: {caption}", ":hidden:", "", *[f"labs/{m}" for m in members],
                      "```", ""]
    return "\n".join(lines)


def build(executed: Path = ROOT / "build" / "labs", out: Path = ROOT / "build" / "site",
          stage: Path = ROOT / "build" / "site-src") -> Path:
    """Stage the executed notebooks and the landing page, run Sphinx; returns the landing page."""
    try:
        import myst_nb  # noqa: F401
    except ImportError:
        raise SiteError("the docs site needs Sphinx and MyST-NB: Python 3.11+ and `pip install -r requirements.txt`") from None
    notebooks = sorted(executed.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise SiteError(f"no executed notebooks in {executed}: run `make run-all` first")
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "labs").mkdir(parents=True)
    shutil.copy(HERE / "conf.py", stage / "conf.py")
    shutil.copytree(HERE / "_static", stage / "_static")
    (stage / "_static" / "thumbs").mkdir()
    rows = []
    for path in notebooks:
        nb = _stage_notebook(path, stage / "labs" / path.name)
        png = first_png(nb)
        if png:
            (stage / "_static" / "thumbs" / f"{path.stem}.png").write_bytes(png)
        rows.append((path.stem, nb, bool(png)))
    (stage / "index.md").write_text(_landing(rows))
    shutil.rmtree(out, ignore_errors=True)
    res = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-j", "auto", str(stage), str(out)],
                         capture_output=True, text=True, env=_env())
    if res.returncode != 0:
        raise SiteError("sphinx failed: " + (res.stderr.strip().splitlines() or ["(no message)"])[-1])
    return out / "index.html"


def _env() -> dict:
    import os
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE / "_ext") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--from", dest="src", type=Path, default=ROOT / "build" / "labs")
    p.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = p.parse_args(argv)
    t0 = time.monotonic()
    try:
        index = build(args.src, args.out)
    except SiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"site: {index} ({time.monotonic() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
