"""A static site from executed notebooks: an index with the lab map, one HTML page per lab.

nbconvert's HTML exporter renders each executed notebook (outputs and figures embedded); the
index is a small hand-made page. No web framework, no network: it builds offline from the venv.
"""

from __future__ import annotations

import base64
import html
import re
import shutil
from pathlib import Path

import nbformat

from .notebook import VERDICT_MIME

ROOT = Path(__file__).resolve().parent.parent
_LINK = re.compile(r'href="(\d\d_[A-Za-z0-9_]+)\.ipynb')


def _title(nb) -> str:
    for c in nb.cells:
        if c.cell_type == "markdown":
            m = re.search(r"^#\s+(.+)$", c.source, re.M)
            if m:
                return m.group(1).strip()
    return ""


def _summary(nb) -> str:
    """The first sentence after the title: the lab's one line."""
    for c in nb.cells:
        if c.cell_type == "markdown" and c.source.lstrip().startswith("#"):
            body = re.sub(r"^#.*$", "", c.source, count=1, flags=re.M).strip()
            text = re.sub(r"\s+", " ", body.split("\n\n")[0])
            first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            return re.sub(r"[*`]", "", first)
    return ""


def _leak_class(nb) -> str:
    """Measured: from the recorded verdicts of the leaky runs (goroutines, heap, or both)."""
    kinds = set()
    for c in nb.cells:
        for o in c.get("outputs", []):
            rec = o.get("data", {}).get(VERDICT_MIME)
            for r in (rec or {}).get("runs", []):
                if r.get("verdict") != "leak":
                    continue
                h = r.get("headline", "")
                if "goroutines/s" in h or "proven leaked" in h or "still blocked" in h:
                    kinds.add("goroutines")
                if "live heap" in h:
                    kinds.add("heap")
    return " + ".join(sorted(kinds)) or "—"


def _first_png(nb) -> bytes | None:
    for c in nb.cells:
        for o in c.get("outputs", []):
            data = o.get("data", {})
            if "image/png" in data:
                return base64.b64decode(data["image/png"])
    return None


def _has_error(nb) -> bool:
    return any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def build_site(executed: Path = ROOT / "build" / "labs", out: Path = ROOT / "build" / "site") -> Path:
    """Render every executed notebook in `executed` to `out`; returns the index page."""
    from nbconvert import HTMLExporter

    notebooks = sorted(executed.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no executed notebooks in {executed}: run `make run-all` first")
    if out.exists():
        shutil.rmtree(out)
    (out / "img").mkdir(parents=True)
    exporter = HTMLExporter(template_name="lab")
    rows = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        if _has_error(nb):
            raise RuntimeError(f"{path.name} holds an error output; fix the lab before publishing")
        body, _ = exporter.from_notebook_node(nb)
        body = _LINK.sub(r'href="\1.html', body)
        (out / f"{path.stem}.html").write_text(body)
        png = _first_png(nb)
        thumb = ""
        if png:
            (out / "img" / f"{path.stem}.png").write_bytes(png)
            thumb = f'<img src="img/{path.stem}.png" alt="figure of {html.escape(path.stem)}" width="260">'
        seconds = (nb.metadata.get("papermill") or {}).get("duration")
        rows.append(
            f'<tr><td><a href="{path.stem}.html">{html.escape(path.stem)}</a><br>'
            f'<b>{html.escape(_title(nb))}</b><br>{html.escape(_summary(nb))}</td>'
            f"<td>{thumb}</td><td>{html.escape(_leak_class(nb))}</td>"
            f"<td>{f'{seconds:.0f} s' if seconds else '—'}</td></tr>")
    index = out / "index.html"
    index.write_text(_INDEX.format(rows="\n".join(rows), n=len(rows)))
    return index


_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Go Leak Lab</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .6em; vertical-align: top; text-align: left; }}
img {{ border: 1px solid #ccc; }}
</style></head>
<body>
<h1>Go Leak Lab</h1>
<p>Hands-on labs on how Go programs leak goroutines and memory, and how to prove it. Every page
below is a notebook executed on Go 1.27; every number on it was measured when it ran.</p>
<table id="lab-map">
<thead><tr><th>lab</th><th>figure</th><th>leak class (measured)</th><th>time to run (quick)</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p>{n} labs.</p>
</body></html>
"""
