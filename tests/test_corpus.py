"""Verdict accuracy on the corpus: small real-world-shaped Go programs that leak (and
suspicious-looking ones that do not), each declaring in its header what the harness must
find. See tests/corpus/corpusspec.py for the header format; benchmarks/accuracy.py prints
the same corpus as figures.

A case marked `// known-miss: reason` is a program the harness is known to judge wrongly:
it runs as a non-strict xfail. Which wrong answer it gets, or whether it gets a wrong one at
all, can depend on timing (see `_param`), so a pass does not fail the suite; `-ra` lists it as
XPASS, and benchmarks/accuracy.py counts it in its `known-miss only` row.
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


def _quick(case: spec.Case) -> bool:
    return case.repeat * case.duration <= 5 and case.duration < 3 and not case.known_miss


# `make test` runs the whole corpus; the fast tier one quick leak case and one quick clean case.
FAST = {next(c.name for c in CASES if c.expect == kind and _quick(c)) for kind in ("leak", "clean")}


def _param(case: spec.Case):
    marks = []
    if case.known_miss:
        # Not strict: clean/weak_registry_subscribers, the one known miss, ended 19 of 20 runs
        # in a false LEAK and 1 in the runtime crash its header names (2 cores, load 17), and it
        # has passed once under load: an outcome of timing, which a strict xfail turned into a
        # failure of the suite.
        marks.append(pytest.mark.xfail(strict=False, reason=case.known_miss))
    if case.name not in FAST:
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


def _required_modules() -> list[str]:
    """The modules tests/corpus/go.mod requires (downloaded by `python -m harness setup`)."""
    gomod = (spec.CORPUS / "go.mod").read_text()
    return re.findall(r"^\s*([\w.\-/]+) v\S+", gomod, re.M)


def test_corpus_shape():
    leak = [c for c in CASES if c.expect == "leak"]
    clean = [c for c in CASES if c.expect == "clean"]
    assert len(leak) >= 32 and len(clean) >= 12
    for tag in ("scheduling-dependent", "GOMAXPROCS=1", "main-returns-immediately"):
        assert sum(tag in c.categories for c in leak) >= 3, tag
    for tag in ("channel", "mutex", "waitgroup", "cond", "context", "timer", "heap"):
        assert any(tag in c.categories for c in leak), tag
    # Real third-party modules (tests/corpus/go.mod), leaking and look-alike.
    lib = [c for c in CASES if "library" in c.categories]
    assert sum(c.expect == "leak" for c in lib) >= 6 and sum(c.expect == "clean" for c in lib) >= 6
    modules = _required_modules()
    for c in CASES:
        src = c.path.read_text()
        assert "\npackage main\n" in src and "\nfunc main() {" in src, c.name
        assert len(src.splitlines()) <= 60, f"{c.name}: keep corpus programs small"
        third_party = [imp for imp in _imports(src) if "." in imp.split("/")[0]]
        for imp in third_party:  # a module of go.mod, whose label rests on evidence written beside it
            assert any(imp == m or imp.startswith(m + "/") for m in modules), f"{c.name}: {imp} is not in go.mod"
            assert c.evidence, f"{c.name} imports {imp}: it needs an `// evidence:` file"
        if c.evidence:
            doc = c.path.with_name(c.evidence).read_text()
            assert f": {c.expect}\n" in doc.splitlines()[0] + "\n" and "**Source**" in doc, c.name
            assert "goleak.Find() after main returned" in doc and "| t (s) | goroutines |" in doc, c.name
        if c.repeat > 1:
            assert 0 < c.min_detect <= 1, c.name
        for s in c.sites:
            assert "." in s.function and " " not in s.function, f"{c.name}: not a qualified function: {s}"
