"""Turn what a run left behind into plain data: metric samples, gctrace rows,
goroutines grouped by blocking site, and pprof tables (via `go tool pprof`)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .toolchain import Go

# --- metric stream -----------------------------------------------------------


@dataclass
class Stream:
    samples: list[dict]            # periodic samples, in time order
    final: dict | None             # the sample taken after the forced GC at the end
    end_reason: str | None         # "exited" | "deadline" | None (no end captured)
    ending_t: float | None         # when the end began (program time, s)
    paced_by: dict | None = None   # periodic samples taken {"gc": n, "timer": n} (the probe's pacing)


def parse_stream(text: str) -> Stream:
    samples, final, reason, ending, paced = [], None, None, None, None
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut by a kill
        if "event" in rec:
            if rec["event"] == "ending":
                ending = rec["t"]
            elif rec["event"] == "end":
                reason = rec["reason"]
                if "paced_by_gc" in rec:
                    paced = {"gc": rec["paced_by_gc"], "timer": rec["paced_by_timer"]}
        elif rec.get("final"):
            final = rec
        else:
            samples.append(rec)
    return Stream(samples, final, reason, ending, paced)


# --- GODEBUG=gctrace=1 ------------------------------------------------------

_GC_RE = re.compile(
    r"^gc (?P<n>\d+) @(?P<t>[\d.]+)s (?P<pct>\d+)%(?P<leakcheck> \(checking for goroutine leaks\))?: "
    r"(?P<stw1>[\d.]+)\+(?P<conc>[\d.]+)\+(?P<stw2>[\d.]+) ms clock, "
    r"(?P<c1>[\d.]+)\+(?P<assist>[\d.]+)/(?P<bg>[\d.]+)/(?P<idle>[\d.]+)\+(?P<c2>[\d.]+) ms cpu, "
    r"(?P<before>\d+)->(?P<after>\d+)->(?P<live>\d+) MB, (?P<goal>\d+) MB goal"
    r"(?:, (?P<stacks>\d+) MB stacks)?(?:, (?P<globals>\d+) MB globals)?, (?P<procs>\d+) P"
    r"(?P<forced> \(forced\))?")


def parse_gctrace(text: str) -> list[dict]:
    """One dict per `gc N @...` line: time, pauses (ms), heap sizes (MB), forced or not."""
    rows = []
    for line in text.splitlines():
        m = _GC_RE.match(line)
        if not m:
            continue
        g = m.groupdict()
        rows.append({
            "n": int(g["n"]), "t": float(g["t"]), "gc_cpu_pct": int(g["pct"]),
            "pause_ms": float(g["stw1"]) + float(g["stw2"]), "concurrent_ms": float(g["conc"]),
            "cpu_ms": sum(float(g[k]) for k in ("c1", "assist", "bg", "idle", "c2")),
            "assist_cpu_ms": float(g["assist"]), "background_cpu_ms": float(g["bg"]),
            "idle_cpu_ms": float(g["idle"]),
            "heap_before_mb": int(g["before"]), "heap_after_mb": int(g["after"]),
            "live_mb": int(g["live"]), "goal_mb": int(g["goal"]),
            "stacks_mb": int(g["stacks"] or 0), "procs": int(g["procs"]),
            "forced": bool(g["forced"]), "leak_check": bool(g["leakcheck"]),
        })
    return rows


_GC_LINE = re.compile(r"^gc \d+ @")


def strip_gctrace(text: str) -> str:
    """stderr without the gctrace lines (what the program itself wrote)."""
    return "\n".join(ln for ln in text.splitlines() if not _GC_LINE.match(ln))


# --- goroutine dumps (debug=2, from the goroutine or goroutineleak profile) ---

# Go 1.27 writes a goroutine's pprof labels after its state: `goroutine 19 [chan send] {req: x}:`
_HDR_RE = re.compile(r"^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[(.*?)\](?: \{.*\})?:$")
_DURATION_RE = re.compile(r", \d+ minutes?$")
_CREATED_RE = re.compile(r"^created by (\S+?)(?: in goroutine \d+)?$")


@dataclass
class Frame:
    function: str
    file: str
    line: int


@dataclass
class Goroutine:
    id: int
    wait_reason: str
    leaked: bool
    frames: list[Frame]
    created_by: Frame | None


def _func_name(line: str) -> str:
    line = line.strip()
    if line.endswith(")") and "(" in line:
        line = line[: line.rfind("(")]
    return _user_name(line)


def _user_name(fn: str) -> str:
    """Undo the harness's renaming of the program's main (see build.USER_MAIN)."""
    if fn == "main.leaklabUserMain" or fn.startswith("main.leaklabUserMain."):
        return "main.main" + fn[len("main.leaklabUserMain"):]
    return fn


# The probe's own main on the path without exit hooks (build.MAIN_NAME): it calls the program's
# main, renamed main.leaklabUserMain, which is reported as main.main instead.
_WRAPPER_FILE = "/zz_leaklab_main.go"


def _file_line(line: str) -> tuple[str, int]:
    loc = line.strip().split(" +0x")[0]
    f, _, n = loc.rpartition(":")
    try:
        return f, int(n)
    except ValueError:
        return loc, 0


def parse_goroutines(text: str) -> list[Goroutine]:
    """Parse a debug=2 goroutine dump into goroutines with their stacks."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if not lines:
            continue
        m = _HDR_RE.match(lines[0].strip())
        if not m:
            continue
        state = m.group(2)
        leaked = state.endswith(" (leaked)") or " (leaked)," in state
        state = state.replace(" (leaked)", "")
        state = _DURATION_RE.sub("", state)
        state = re.sub(r", locked to thread$", "", state)
        frames, created, i = [], None, 1
        while i < len(lines):
            ln = lines[i]
            if ln.startswith("created by "):
                cm = _CREATED_RE.match(ln.strip())
                f, n = _file_line(lines[i + 1]) if i + 1 < len(lines) else ("", 0)
                created = Frame(_user_name(cm.group(1) if cm else ln[11:].strip()), f, n)
                i += 2
                continue
            if not ln.startswith("\t") and i + 1 < len(lines) and lines[i + 1].startswith("\t"):
                f, n = _file_line(lines[i + 1])
                if not f.endswith(_WRAPPER_FILE):  # the probe's main, under the program's
                    frames.append(Frame(_func_name(ln), f, n))
                i += 2
                continue
            i += 1
        out.append(Goroutine(int(m.group(1)), state, leaked, frames, created))
    return out


def _short(path: str) -> str:
    return Path(path).name


@dataclass
class LeakSite:
    """Goroutines that share an entry function, wait reason and blocking line."""

    function: str
    wait_reason: str
    count: int
    proven: bool
    location: str
    created_by: str
    created_by_function: str = ""
    stack: list[str] = field(default_factory=list)
    top: str = ""  # the function at the top of the stack (what goleak's IgnoreTopFunction matches)

    @property
    def key(self) -> str:
        """The site's name in periodic goroutine profiles (parse_goroutine_profile)."""
        return f"{self.function} @ {self.location}"

    def to_dict(self) -> dict:
        return asdict(self)


# The probe's sampler, GC hook and any goroutine it starts (leaklabGo).
_PROBE_PREFIX = ("main.(*leaklabProbeState).", "main.leaklabArmGCHook.", "main.leaklabGo.")


def _is_probe(g: Goroutine) -> bool:
    return any(fr.function.startswith(_PROBE_PREFIX) for fr in g.frames)


def leak_sites(goroutines: list[Goroutine], goroot: str) -> list[LeakSite]:
    """Group the goroutines that are still alive (not main, not the probe) by blocking site."""
    groups: dict[tuple, LeakSite] = {}
    goroot = goroot.rstrip("/") + "/"
    for g in goroutines:
        # main's goroutine is reported only when the leak profile proves it stuck (a deadlocked
        # main that the probe's own sampler kept the runtime from calling a deadlock).
        if (g.id == 1 and not g.leaked) or _is_probe(g) or not g.frames:
            continue
        user = [fr for fr in g.frames if not fr.file.startswith(goroot)]
        where = user[0] if user else g.frames[0]
        entry = g.frames[-1].function
        loc = f"{_short(where.file)}:{where.line}"
        cb = f"{_short(g.created_by.file)}:{g.created_by.line}" if g.created_by else ""
        key = (entry, g.wait_reason, loc, cb, g.leaked)
        if key not in groups:
            groups[key] = LeakSite(entry, g.wait_reason, 0, g.leaked, loc, cb,
                                   g.created_by.function if g.created_by else "",
                                   [f"{fr.function} ({_short(fr.file)}:{fr.line})" for fr in g.frames],
                                   g.frames[0].function)
        groups[key].count += 1
    return sorted(groups.values(), key=lambda s: (not s.proven, -s.count, s.function))


# --- goroutine profile, debug=1 (aggregated stacks, taken periodically) ----------

_AGG_RE = re.compile(r"^(\d+) @(?: 0x[0-9a-f]+)+\s*$")
_AGG_FRAME = re.compile(r"^#\s+0x[0-9a-f]+\s+(\S+?)(?:\+0x[0-9a-f]+)?\s+(\S+):(\d+)\s*$")


_RUNTIME_INTERNAL = re.compile(r"^runtime\.[a-z_]")


def parse_goroutine_profile(text: str, goroot: str, tops: dict[str, str] | None = None) -> dict[str, int]:
    """A debug=1 goroutine profile as {"entry function @ file:line": count}, where file:line is
    the first frame in user code (the probe's own goroutine is left out). `tops`, if given, gets
    each key's top function as a goroutine dump shows it (the runtime's unexported frames, which
    a dump hides, skipped)."""
    out: dict[str, int] = {}
    goroot = goroot.rstrip("/") + "/"
    blocks, cur = [], None
    for line in text.splitlines():
        if _AGG_RE.match(line):
            cur = [line]
            blocks.append(cur)
        elif cur is not None and line.startswith("#"):
            cur.append(line)
    for lines in blocks:
        frames = [m.groups() for m in map(_AGG_FRAME.match, lines[1:]) if m and not m.group(2).endswith(_WRAPPER_FILE)]
        if not frames or any(f[0].startswith((*_PROBE_PREFIX, "runtime/trace.")) for f in frames):
            continue
        frames = [(_user_name(f), path, int(n)) for f, path, n in frames]
        if any(f[0] == "main.main" for f in frames):
            continue  # main's own goroutine
        user = [f for f in frames if not f[1].startswith(goroot)] or frames
        key = f"{frames[-1][0]} @ {Path(user[0][1]).name}:{user[0][2]}"
        out[key] = out.get(key, 0) + int(lines[0].split()[0])
        if tops is not None:
            tops.setdefault(key, next((f[0] for f in frames if not _RUNTIME_INTERNAL.match(f[0])), frames[0][0]))
    return out


# --- pprof ------------------------------------------------------------------

_TOP_ROW = re.compile(r"^\s*(-?[\d.]+\w*)\s+(-?[\d.]+)%\s+(-?[\d.]+)%\s+(-?[\d.]+\w*)\s+(-?[\d.]+)%\s+(.+)$")
_UNITS = {"B": 1, "kB": 1e3, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
          "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "": 1, "k": 1e3, "M": 1e6}


def _value(tok: str) -> float:
    m = re.match(r"^(-?[\d.]+)([a-zA-Z]*)$", tok)
    if not m:
        return 0.0
    return float(m.group(1)) * _UNITS.get(m.group(2), 1)


def pprof_top_args(sample_index: str | None = None, diff_base: str | Path | None = None,
                   nodecount: int = 15, ignore: str | None = "leaklabProbeState|leaklabNewProbe") -> list[str]:
    """The arguments of `go tool pprof` (before the profile) that `pprof_top` runs."""
    args = ["-top", f"-nodecount={nodecount}"]
    if ignore:
        args.append(f"-ignore={ignore}")
    if sample_index:
        args.append(f"-sample_index={sample_index}")
    if diff_base:
        args.append(f"-diff_base={diff_base}")
    return args


def pprof_top(go: Go, profile: str | Path, sample_index: str | None = None,
              diff_base: str | Path | None = None, nodecount: int = 15,
              ignore: str | None = "leaklabProbeState|leaklabNewProbe") -> list[dict]:
    """`go tool pprof -top` as rows: flat, flat_pct, cum, cum_pct, function.
    `ignore` drops samples whose stack matches (by default the probe's own allocations)."""
    args = pprof_top_args(sample_index, diff_base, nodecount, ignore)
    res = go.tool("pprof", *args, str(profile), timeout=120)
    if res.returncode != 0:
        return []
    return parse_pprof_top(res.stdout)


def parse_pprof_top(text: str) -> list[dict]:
    """The rows of `go tool pprof -top` output (the probe's own frames left out)."""
    rows = []
    matches = [m for m in map(_TOP_ROW.match, text.splitlines()) if m]
    # Built without exit hooks, the program's main is main.leaklabUserMain (shown as main.main)
    # and the binary's main.main is the probe's, which calls it: that row is left out.
    wrapped = any(m.group(6).strip() == "main.leaklabUserMain" for m in matches)
    for m in matches:
        if wrapped and m.group(6).strip() == "main.main":
            continue
        fn = _user_name(m.group(6).strip())
        if fn.startswith(("main.(*leaklabProbeState)", "main.leaklab")):
            continue  # the probe's own frames
        rows.append({"flat": _value(m.group(1)), "flat_pct": float(m.group(2)),
                     "cum": _value(m.group(4)), "cum_pct": float(m.group(5)), "function": fn})
    return rows
