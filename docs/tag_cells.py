"""Give the labs' cells the tags that decide what a docs reader sees (MyST-NB's conventions):

    python docs/tag_cells.py [labs/NN_x.ipynb ...]     (default: every lab; idempotent)

- the set-up cell (`lab.doctor()`): removed — it prints the building machine's paths;
- predictions and reveals: input removed (the question and the answer are the content);
- hints: input removed, output collapsed behind "Show hint"; a check of a task or an exercise
  keeps its input, and the lab's prose says its first answer is the starting point.
The notebooks stay the single source: this only writes tags into their metadata.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

RULES = [  # (what the cell's source holds, tags, extra mystnb metadata)
    ("lab.doctor(", ["remove-cell"], {}),
    ("lab.predict(", ["remove-input"], {}),
    ("lab.reveal(", ["remove-input"], {}),
    ("lab.hint(", ["remove-input", "hide-output"], {"code_prompt_show": "Show hint",
                                                   "code_prompt_hide": "Hide hint"}),
]


def wanted(source: str) -> tuple[list[str], dict]:
    tags, meta = [], {}
    for needle, t, m in RULES:
        if needle in source:
            tags += [x for x in t if x not in tags]
            meta.update(m)
    return tags, meta


def tag(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    changed = False
    for c in nb.cells:
        if c.cell_type != "code":
            continue
        tags, meta = wanted(c.source)
        have = c.metadata.setdefault("tags", [])
        for t in tags:
            if t not in have:
                have.append(t)
                changed = True
        if meta and c.metadata.get("mystnb") != {**c.metadata.get("mystnb", {}), **meta}:
            c.metadata["mystnb"] = {**c.metadata.get("mystnb", {}), **meta}
            changed = True
        if not have:
            del c.metadata["tags"]
    if changed:
        nbformat.write(nb, path)
    return changed


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "labs").glob("[0-9][0-9]_*.ipynb"))
    for p in paths:
        if tag(p):
            print(f"tagged {p.name}")
