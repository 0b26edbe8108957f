"""`go vet` and `go test` on the lab's samples, as plain results for notebooks and tests."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import LeakLabError, ToolchainError

from .samples import samples_dir, scenario_dir
from .toolchain import Go, go_for, missing_module

_VET_RE = re.compile(r"^(?:\./)?(?P<file>[^\s:]+\.go):(?P<line>\d+):(?:(?P<col>\d+):)? (?P<msg>.*)$")


@dataclass
class GoToolResult:
    command: str
    passed: bool
    output: str
    findings: list[dict]       # go vet: file, line, message


def go_vet(scenario: str, go: Go | None = None) -> GoToolResult:
    """`go vet` on one sample; findings parsed as file/line/message."""
    go = go or go_for(None)
    res = go.run("vet", f"./{scenario}/", cwd=samples_dir(), timeout=300)
    out = (res.stdout + res.stderr).strip()
    findings = []
    for line in out.splitlines():
        m = _VET_RE.match(line.strip())
        if m:
            findings.append({"file": m.group("file").split("/")[-1], "line": int(m.group("line")),
                             "message": m.group("msg")})
    return GoToolResult(f"go vet ./{scenario}/", res.returncode == 0, out, findings)


def go_test(scenario: str, run: str | None = None, env: dict[str, str] | None = None,
            go: str | None = None, verbose: bool = True) -> GoToolResult:
    """`go test` on one sample (optionally `-run REGEX`), with its real output."""
    toolchain = go_for(go)
    scenario_dir(scenario)  # unknown sample -> one clear line
    args = ["test", "-count=1"] + (["-v"] if verbose else []) + (["-run", run] if run else []) + [f"./{scenario}/"]
    res = toolchain.run(*args, cwd=samples_dir(), timeout=600, extra_env=env)
    if res.returncode != 0 and (line := missing_module(res.stdout + res.stderr)):
        raise ToolchainError(line)
    return GoToolResult("go " + " ".join(args), res.returncode == 0, relative_paths(res.stdout + res.stderr).strip(), [])


def relative_paths(text: str) -> str:
    """Tool output with this machine's paths to the lab's files made relative to the lab
    (`/home/x/lab/go_samples/timers/leaky.go:16` -> `go_samples/timers/leaky.go:16`)."""
    return text.replace(str(samples_dir().parent) + os.sep, "")


_ESCAPE_RE = re.compile(r"^(?:\./)?(?P<file>[^\s:]+\.go):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$")


def _escape_kind(msg: str) -> str:
    if msg.startswith("moved to heap") or "escapes to heap" in msg:
        return "heap"
    if "does not escape" in msg:
        return "stack"
    if msg.startswith(("can inline", "inlining call")):
        return "inline"
    if msg.startswith("leaking param"):
        return "leaking param"
    return "other"


def escape_analysis(path: str | Path, go: Go | None = None, flags: str = "-m") -> list[dict]:
    """`go build -gcflags=-m` on a package dir: one dict per finding with file, line, col,
    message, kind (heap | stack | inline | leaking param | other) and the source line."""
    go = go or go_for(None)
    path = Path(path).resolve()
    res = go.run("build", f"-gcflags={flags}", "-o", os.devnull, ".", cwd=path, timeout=300)
    if res.returncode != 0 and not res.stderr.startswith("#"):
        raise LeakLabError(f"go build -gcflags={flags} failed: {res.stderr.strip().splitlines()[:1]}")
    sources: dict[str, list[str]] = {}
    out = []
    for line in res.stderr.splitlines():
        m = _ESCAPE_RE.match(line.strip())
        if not m:
            continue
        f = m.group("file")
        if f not in sources:
            p = path / f
            sources[f] = p.read_text().splitlines() if p.exists() else []
        n = int(m.group("line"))
        src = sources[f][n - 1].strip() if 0 < n <= len(sources[f]) else ""
        out.append({"file": Path(f).name, "line": n, "col": int(m.group("col")), "message": m.group("msg"),
                    "kind": _escape_kind(m.group("msg")), "source": src})
    return out


def trace_profile(trace_file: str | Path, kind: str = "sync", go: Go | None = None,
                  nodecount: int = 15) -> list[dict]:
    """`go tool trace -pprof=KIND` (net, sync, syscall, sched) turned into pprof -top rows."""
    from .collect import pprof_top
    go = go or go_for(None)
    trace_file = Path(trace_file)
    prof = trace_file.with_name(f"trace-{kind}.pb")
    res = go.tool("trace", f"-pprof={kind}", str(trace_file), timeout=300, text=False)
    if res.returncode != 0:
        raise LeakLabError(f"go tool trace -pprof={kind} failed: "
                           f"{res.stderr.decode(errors='replace').strip().splitlines()[:1]}")
    prof.write_bytes(res.stdout)
    return pprof_top(go, prof, nodecount=nodecount)
