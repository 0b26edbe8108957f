"""Gather, outside the harness, the evidence a corpus program's label rests on, and write it next
to the program (NAME.evidence.md, between the `measured` markers; the rest of that file, what the
library's source says, is written by hand).

    .venv/bin/python tests/corpus/gather_evidence.py [NAME ...]   # default: every program that
                                                                   # declares `// evidence:`

Each program is copied with a one-line test (`evidence.Run(t, main)`, see evidence/evidence.go)
into a scratch folder of this module and run by plain `go test`: no probe, no overlay, the
program's own main sampled every 100 ms (goroutines, open files, live heap, goroutines per top
function) and goleak asked what is left when main returns.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
sys.path.insert(0, str(CORPUS))
sys.path.insert(0, str(CORPUS.parent.parent))
import corpusspec as spec  # noqa: E402

BEGIN, END = "<!-- measured: gather_evidence.py -->", "<!-- /measured -->"
TEST = 'package main\n\nimport (\n\t"testing"\n\n\t"goleaklab/corpus/evidence"\n)\n\n' \
       'func TestEvidence(t *testing.T) { evidence.Run(t, main) }\n'


def gather(case: spec.Case, go: str) -> str:
    scratch = Path(tempfile.mkdtemp(prefix="_evidence-", dir=CORPUS))  # inside the module: its go.mod
    try:
        shutil.copyfile(case.path, scratch / "main.go")
        (scratch / "main_test.go").write_text(TEST)
        env = {**os.environ, "GOTOOLCHAIN": "local"}
        res = subprocess.run([go, "test", "-count=1", "-run", "TestEvidence", "-v", f"./{scratch.name}"],
                             cwd=CORPUS, capture_output=True, text=True, timeout=600, env=env)
        out = [ln for ln in res.stdout.splitlines()
               if not ln.startswith(("=== RUN", "--- PASS", "--- FAIL", "PASS", "FAIL", "ok ", "goleaklab/"))]
        if res.returncode != 0 and not out:
            raise SystemExit(f"error: {case.name}: go test failed: {res.stderr.strip().splitlines()[-1:]}")
        go_version = subprocess.run([go, "version"], capture_output=True, text=True).stdout.strip()
        text = re.sub(r"goleaklab/corpus/_evidence-[\w-]+\.", "main.", "\n".join(out).strip())  # the scratch package
        return f"`go test` of the program's main ({go_version}):\n\n" + text + "\n"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(names: list[str]) -> int:
    from harness.toolchain import find_go
    go = find_go().path
    cases = [c for c in spec.load() if c.evidence and (not names or any(n in c.name for n in names))]
    if not cases:
        print("error: no corpus program with `// evidence:` matches", file=sys.stderr)
        return 2
    for case in cases:
        doc = case.path.with_name(case.evidence)
        text = doc.read_text() if doc.exists() else f"# {case.name}\n\n{BEGIN}\n{END}\n"
        if BEGIN not in text:
            text = text.rstrip() + f"\n\n## Measured outside the harness\n\n{BEGIN}\n{END}\n"
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1] if END in rest else "\n"
        doc.write_text(head + BEGIN + "\n" + gather(case, go) + END + tail)
        print(f"{case.name}: {doc.relative_to(CORPUS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
