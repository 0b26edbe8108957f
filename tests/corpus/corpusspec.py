"""The verdict-accuracy corpus: each .go file's header says what the harness must find.

Header lines (comments before `package main`):

    // expect: leak | clean
    // category: channel, main-returns        (free tags; used for per-category figures)
    // site: FUNCTION | WAIT_REASON | proven|suspect|any     (one per expected leak site)
    // heap: growing                           (the live heap must be judged growing)
    // args: -flag value ...                   (split like a shell would, no quoting)
    // duration: 3                             (seconds; the harness deadline)
    // env: GOMAXPROCS=1 GODEBUG=...           (environment for the run)
    // repeat: 5                               (run this many times...)
    // min-detect: 0.6                         (...and detect it in at least this fraction)
    // known-miss: reason                      (the harness is known to get this one wrong)
    // evidence: NAME.evidence.md              (beside it: how its label was established outside
                                               the harness; gather_evidence.py measures it)

Programs may import the modules that tests/corpus/go.mod requires (`python -m harness setup`
downloads them); those that do carry an `evidence:` file.

Used by tests/test_corpus.py and benchmarks/accuracy.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
DEFAULT_DURATION = 3.0
_LINE = re.compile(r"^//\s*([a-z-]+):\s*(.*?)\s*$")
_KEYS = {"expect", "category", "site", "heap", "args", "duration", "env", "repeat", "min-detect",
         "known-miss", "evidence"}
PROOF = ("proven", "suspect", "any")


@dataclass(frozen=True)
class Site:
    function: str
    wait_reason: str
    proof: str  # proven | suspect | any

    def __str__(self) -> str:
        return f"{self.function} [{self.wait_reason}] ({self.proof})"


@dataclass
class Case:
    path: Path
    expect: str
    sites: list[Site] = field(default_factory=list)
    heap_growing: bool = False
    args: list[str] = field(default_factory=list)
    duration: float = DEFAULT_DURATION
    env: dict[str, str] = field(default_factory=dict)
    repeat: int = 1
    min_detect: float = 1.0
    known_miss: str | None = None
    tags: list[str] = field(default_factory=list)
    evidence: str | None = None  # the file beside it that says how its label was established

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @property
    def categories(self) -> list[str]:
        """Declared tags plus the ones implied by the run settings."""
        cats = list(self.tags)
        if self.repeat > 1 and "scheduling-dependent" not in cats:
            cats.append("scheduling-dependent")
        if self.env.get("GOMAXPROCS") == "1" and "GOMAXPROCS=1" not in cats:
            cats.append("GOMAXPROCS=1")
        if self.heap_growing and "heap" not in cats:
            cats.append("heap")
        return cats


def parse(path: Path) -> Case:
    """Read one corpus file's header; ValueError on anything malformed."""
    fields: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        if line.startswith("package "):
            break
        m = _LINE.match(line.strip())
        if m and m.group(1) in _KEYS:
            fields.setdefault(m.group(1), []).append(m.group(2))
    expect = (fields.get("expect") or [""])[0]
    if expect not in ("leak", "clean"):
        raise ValueError(f"{path.name}: `// expect: leak|clean` missing")
    case = Case(path=path.resolve(), expect=expect)
    for raw in fields.get("site", []):
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) != 3 or parts[2] not in PROOF or not parts[0] or not parts[1]:
            raise ValueError(f"{path.name}: bad site line {raw!r}")
        case.sites.append(Site(*parts))
    case.heap_growing = any(v == "growing" for v in fields.get("heap", []))
    for raw in fields.get("args", []):
        case.args += raw.split()
    if "duration" in fields:
        case.duration = float(fields["duration"][0])
    for raw in fields.get("env", []):
        for kv in raw.split():
            k, _, v = kv.partition("=")
            case.env[k] = v
    if "repeat" in fields:
        case.repeat = int(fields["repeat"][0])
    if "min-detect" in fields:
        case.min_detect = float(fields["min-detect"][0])
    if "known-miss" in fields:
        case.known_miss = fields["known-miss"][0]
    if "evidence" in fields:
        case.evidence = fields["evidence"][0]
    for raw in fields.get("category", []):
        case.tags += [t.strip() for t in raw.split(",") if t.strip()]
    if expect == "leak" and not case.sites and not case.heap_growing:
        raise ValueError(f"{path.name}: a leak case must declare sites or `// heap: growing`")
    if expect == "clean" and (case.sites or case.heap_growing):
        raise ValueError(f"{path.name}: a clean case cannot declare leak sites")
    return case


def load(kind: str | None = None) -> list[Case]:
    """Every corpus case (or only `leak` / `clean`), sorted by name."""
    kinds = [kind] if kind else ["leak", "clean"]
    cases = []
    for k in kinds:
        for p in sorted((CORPUS / k).glob("*.go")):
            c = parse(p)
            if c.expect != k:
                raise ValueError(f"{p}: in {k}/ but declares expect: {c.expect}")
            cases.append(c)
    return cases


# --- judging one run ---------------------------------------------------------------

def site_found(site: Site, reported) -> tuple[bool, bool]:
    """(found with the same entry function and wait reason, found as proven)."""
    hits = [s for s in reported if s.function == site.function and s.wait_reason == site.wait_reason]
    return bool(hits), any(s.proven for s in hits)


def site_ok(site: Site, reported) -> bool:
    found, proven = site_found(site, reported)
    return found and (proven or site.proof != "proven")


def undeclared(case: Case, reported) -> list:
    """Reported sites that no declaration of the case names."""
    declared = {(s.function, s.wait_reason) for s in case.sites}
    return [s for s in reported if (s.function, s.wait_reason) not in declared]


def problems(case: Case, run) -> list[str]:
    """Why a run does not match the case's declaration (empty: it matches)."""
    out = []
    if not run.ok:
        return [f"the run did not end normally: {run.exit} {run.message}"]
    got = run.verdict.verdict
    if got != case.expect:
        out.append(f"verdict {got!r}, expected {case.expect!r} ({run.verdict.headline})")
    for site in case.sites:
        found, proven = site_found(site, run.sites)
        if not found:
            out.append(f"site not reported: {site}")
        elif site.proof == "proven" and not proven:
            out.append(f"site reported but not proven: {site}")
    if case.heap_growing and not (run.verdict.heap and run.verdict.heap.growing):
        out.append("live heap growth not detected")
    return out


def describe(run) -> str:
    lines = [f"{run.verdict.verdict}: {run.verdict.headline} (exit {run.exit}, {run.wall_s:.2f} s)"]
    for s in run.sites:
        lines.append(f"  {s.count:>5} x {s.function} [{s.wait_reason}] at {s.location} "
                     f"({'proven' if s.proven else 'suspect'})")
    return "\n".join(lines)
