"""Verdict accuracy on the corpus: small real-world-shaped Go programs that leak (and
suspicious-looking ones that do not), each declaring in its header what the harness must
find. See tests/corpus/corpusspec.py for the header format; benchmarks/accuracy.py prints
the same corpus as figures.

A case marked `// known-miss: reason` is a program the harness is known to judge wrongly:
it runs as a strict xfail, so the day the harness gets it right the test says so.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

from harness.measure import check

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpus"))
import corpusspec as spec  # noqa: E402

CASES = spec.load()


def _param(case: spec.Case):
    marks = []
    if case.known_miss:
        marks.append(pytest.mark.xfail(strict=True, reason=case.known_miss))
    if case.repeat * case.duration > 5 or case.duration >= 3:
        marks.append(pytest.mark.slow)
    return pytest.param(case, id=case.name, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_corpus_case(case: spec.Case, go):
    need = math.ceil(case.min_detect * case.repeat - 1e-9)
    passed, failures = 0, []
    for i in range(case.repeat):
        run = check(case.path, case.args, case.duration, go=go, env=case.env or None)
        why = spec.problems(case, run)
        if why:
            failures.append(f"run {i + 1}/{case.repeat}: " + "; ".join(why) + "\n" + spec.describe(run))
        else:
            passed += 1
    assert passed >= need, (f"{case.name}: matched its declaration in {passed}/{case.repeat} runs, "
                            f"needs {need}\n" + "\n".join(failures))


# --- the corpus itself ------------------------------------------------------------

_IMPORT_BLOCK = re.compile(r"^import \((.*?)^\)", re.M | re.S)
_IMPORT_ONE = re.compile(r'^import (?:\w+ )?"([^"]+)"', re.M)


def _imports(src: str) -> list[str]:
    paths = _IMPORT_ONE.findall(src)
    for block in _IMPORT_BLOCK.findall(src):
        paths += re.findall(r'"([^"]+)"', block)
    return paths


def test_corpus_shape():
    leak = [c for c in CASES if c.expect == "leak"]
    clean = [c for c in CASES if c.expect == "clean"]
    assert len(leak) >= 32 and len(clean) >= 12
    for tag in ("scheduling-dependent", "GOMAXPROCS=1", "main-returns-immediately"):
        assert sum(tag in c.categories for c in leak) >= 3, tag
    for tag in ("channel", "mutex", "waitgroup", "cond", "context", "timer", "heap"):
        assert any(tag in c.categories for c in leak), tag
    for c in CASES:
        src = c.path.read_text()
        assert "\npackage main\n" in src and "\nfunc main() {" in src, c.name
        assert len(src.splitlines()) <= 60, f"{c.name}: keep corpus programs small"
        for imp in _imports(src):
            assert "." not in imp.split("/")[0], f"{c.name}: standard library only, not {imp}"
        if c.repeat > 1:
            assert 0 < c.min_detect <= 1, c.name
        for s in c.sites:
            assert "." in s.function and " " not in s.function, f"{c.name}: not a qualified function: {s}"
