"""A workshop on a real JupyterHub: N learners, each a real system user with an empty home, their
server started by the hub through the lab's own start script (binder/start: the workspace), lab 01
run headless through each learner's own Jupyter server at the same time, the exercise checked
untouched and after a fix written through the server's contents API.

Needs root (system users), npm (configurable-http-proxy) and the lab's venv; skips with one line
otherwise. The numbers (wall time and CPU per learner, peak memory) go to build/test-hub.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from conftest import ROOT

N_LEARNERS = int(os.environ.get("LEAKLAB_HUB_LEARNERS", "8"))
CHP_VERSION = "5.3.0"
VERDICT_MIME = "application/vnd.goleaklab.verdicts+json"
SCENARIO = "goroutine_channel"
NOTEBOOK = "labs/01_goroutine_channel.ipynb"

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


IMAGE = ROOT / "build" / "hub-image"


def _image() -> Path:
    """The teacher's image, built as docs/teaching.md says: the course outside any home
    directory, a venv of a system-wide Python with requirements.txt, and
    `python -m harness setup --shared` (the Go caches beside the lab, found without configuration).
    The venv is kept between runs while requirements.txt is the same; the course is copied anew."""
    system_python = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin")
    if not system_python:
        pytest.skip("no system-wide python3 for the learners' image (a pyenv Python under /root is not theirs)")
    IMAGE.mkdir(parents=True, exist_ok=True)
    for name in ("harness", "tools", "labs", "go_samples", "binder", "benchmarks"):
        shutil.rmtree(IMAGE / name, ignore_errors=True)
        shutil.copytree(ROOT / name, IMAGE / name, ignore=shutil.ignore_patterns(".*", "__pycache__", "build"))
    shutil.rmtree(IMAGE / "build-home", ignore_errors=True)
    for name in ("requirements.txt", "pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, IMAGE / name)
    stamp, pins = IMAGE / "venv" / ".pins", (ROOT / "requirements.txt").read_text() + (ROOT / "pyproject.toml").read_text()
    if not stamp.exists() or stamp.read_text() != pins:
        shutil.rmtree(IMAGE / "venv", ignore_errors=True)
        subprocess.run([system_python, "-m", "venv", str(IMAGE / "venv")], check=True, timeout=300)
        res = subprocess.run([str(IMAGE / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r",
                              "requirements.txt"], cwd=IMAGE, capture_output=True, text=True, timeout=1800)
        assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
        stamp.write_text(pins)
    # binder/postBuild, as repo2docker runs it: the image's python first on PATH, a build-time home
    env = {k: v for k, v in os.environ.items() if k not in ("LEAKLAB_SAMPLES", "LEAKLAB_CACHE", "GOMODCACHE", "GOCACHE",
                                                             "LEAKLAB_TOOLCHAINS", "VIRTUAL_ENV")}
    env.update(PATH=f"{IMAGE / 'venv' / 'bin'}:{env['PATH']}", HOME=str(IMAGE / "build-home"))
    res = subprocess.run(["bash", str(IMAGE / "binder" / "postBuild")], cwd=IMAGE, env=env, capture_output=True,
                         text=True, timeout=1800)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    cache = IMAGE / ".cache"
    assert (cache / "shared.json").exists()
    assert (cache / "gomod" / "cache" / "download" / "go.uber.org" / "goleak").exists(), "goleak not in the module cache"
    assert any((cache / "leaklab" / "bin").iterdir()), "no instrumented sample was built"
    assert any((cache / "gobuild").iterdir())
    assert (IMAGE / ".toolchains" / "go1.22" / "go" / "bin" / "go").exists()
    assert (IMAGE / "build-home" / "goleaklab" / "labs" / "01_goroutine_channel.ipynb").exists()
    assert list((IMAGE / "venv" / "share" / "jupyter" / "kernels").rglob("kernel.json"))
    subprocess.run(["chmod", "-R", "a+rX", str(IMAGE)], check=True)
    # In a hub's container every learner owns the image's files (their own copy); these learners
    # share one machine, so they share the warm build caches.
    subprocess.run(["chmod", "-R", "a+rwX", str(IMAGE / ".cache" / "gobuild"), str(IMAGE / ".cache" / "leaklab")], check=True)
    return IMAGE


def _chp() -> str:
    """configurable-http-proxy from npm, installed once into build/node."""
    exe = ROOT / "build" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    if not exe.exists():
        if not shutil.which("npm"):
            pytest.skip("npm is not installed: the hub's proxy (configurable-http-proxy) comes from npm")
        (ROOT / "build" / "node").mkdir(parents=True, exist_ok=True)
        res = subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(ROOT / "build" / "node"),
                              f"configurable-http-proxy@{CHP_VERSION}"], capture_output=True, text=True, timeout=600)
        if res.returncode != 0 or not exe.exists():
            pytest.skip(f"configurable-http-proxy could not be installed from npm: {res.stderr.strip()[-200:]}")
    return str(exe)


class Hub:
    def __init__(self, base: Path):
        self.base, self.token = base, secrets.token_hex(24)
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def api(self, method: str, path: str, body=None, server: bool = False):
        url = f"{self.url}{path}" if server else f"{self.url}/hub/api{path}"
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                text = res.read()
        except urllib.error.HTTPError as err:
            log = (self.base / "hub.log").read_text(errors="replace")[-4000:]
            raise AssertionError(f"{method} {path}: {err.code} {err.read()[:500]!r}\n--- hub.log ---\n{log}") from None
        return json.loads(text) if text else None


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("the hub test makes real system users: it needs root and useradd")
    pytest.importorskip("jupyterhub", reason="jupyterhub is not installed (pip install -r requirements.txt)")
    chp = _chp()
    base = tmp_path_factory.mktemp("hub")
    os.chmod(base, 0o755)
    for p in base.parents:  # the learners' homes live below: every folder above must be passable
        if p == Path("/"):
            break
        os.chmod(p, os.stat(p).st_mode | 0o711)
    homes = base / "homes"
    homes.mkdir()
    image = _image()
    users = [f"leaklab-t{i}" for i in range(1, N_LEARNERS + 1)]
    for u in users:
        subprocess.run(["userdel", "-r", u], capture_output=True)
        subprocess.run(["useradd", "--home-dir", str(homes / u), "--create-home", "--shell", "/bin/bash", u], check=True,
                       capture_output=True)
        os.chmod(homes / u, 0o700)
    h = Hub(base)
    venv_bin = image / "venv" / "bin"
    config = base / "jupyterhub_config.py"
    config.write_text(f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {h.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {_port()}
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{_port()}"
c.ConfigurableHTTPProxy.pid_file = {str(base / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{base / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(base / "cookie_secret")!r}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = set({users!r})
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = ["bash", {str(image / "binder" / "start")!r}, {str(venv_bin / "jupyterhub-singleuser")!r}]
c.Spawner.notebook_dir = "~/goleaklab"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.Spawner.environment = {{
    "PATH": {str(venv_bin)!r} + ":/usr/local/bin:/usr/bin:/bin",
    "LEAKLAB_NO_PROGRESS": "1",
}}
c.JupyterHub.services = [{{"name": "workshop-test", "api_token": {h.token!r}}}]
c.JupyterHub.load_roles = [{{"name": "workshop-test", "services": ["workshop-test"],
    "scopes": ["admin:users", "admin:servers", "admin:server_state", "access:servers", "read:users"]}}]
""")
    log = open(base / "hub.log", "wb")
    h.proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=base, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                h.api("GET", "/users")
                break
            except (urllib.error.URLError, OSError, AssertionError):  # not up yet
                if h.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the hub did not start:\n" + (base / "hub.log").read_text()[-3000:])
                time.sleep(0.5)
        h.users = users
        h.homes = homes
        yield h
    finally:
        try:
            for u in users:
                try:
                    h.api("DELETE", f"/users/{u}/server")
                except Exception:
                    pass
        finally:
            import signal
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(h.proc.pid, sig)
                    h.proc.wait(timeout=15)
                    break
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    continue
            for u in users:
                subprocess.run(["pkill", "-KILL", "-u", u], capture_output=True)
                subprocess.run(["userdel", "-r", u], capture_output=True)
            log.close()


# --- a minimal client of a Jupyter server's kernel websocket ---------------------------------

async def _execute_all(hub: Hub, user: str, sources: list[str]) -> list[list[dict]]:
    """Run each source in a fresh kernel of the user's own server; the outputs of each cell."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect
    kernel = hub.api("POST", f"/user/{user}/api/kernels", {"name": "python3", "path": "labs"}, server=True)
    ws_url = f"ws://127.0.0.1:{hub.port}/user/{user}/api/kernels/{kernel['id']}/channels"
    conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {hub.token}"}))
    session, results = uuid.uuid4().hex, []
    try:
        for src in sources:
            msg_id = uuid.uuid4().hex
            await conn.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": user, "session": session, "msg_type": "execute_request",
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": src, "silent": False, "store_history": True, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            outputs, idle, replied = [], False, False
            while not (idle and replied):
                raw = await asyncio.wait_for(conn.read_message(), timeout=600)
                if raw is None:
                    raise RuntimeError(f"{user}: the kernel's websocket closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind in ("display_data", "execute_result", "stream", "error"):
                    outputs.append({"type": kind, **msg["content"]})
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
                elif kind == "execute_reply":
                    replied = True
            results.append(outputs)
    finally:
        conn.close()
        hub.api("DELETE", f"/user/{user}/api/kernels/{kernel['id']}", server=True)
    return results


def _records(outputs: list[list[dict]]) -> list[dict]:
    return [o["data"][VERDICT_MIME] for cell in outputs for o in cell if VERDICT_MIME in o.get("data", {})]


def _errors(outputs: list[list[dict]]) -> list[str]:
    return [f"{o.get('ename')}: {o.get('evalue')}" for cell in outputs for o in cell if o["type"] == "error"]


def _learner(hub: Hub, user: str, solution: str, report: dict) -> None:
    t0 = time.monotonic()
    nb = hub.api("GET", f"/user/{user}/api/contents/{NOTEBOOK}", server=True)["content"]
    sources = []
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        src = "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        if "parameters" in c.get("metadata", {}).get("tags", []):
            src = "quick = True\nduration = 1.0"  # what papermill injects in CI
        sources.append(src)
    first = asyncio.run(_execute_all(hub, user, sources))
    report["lab_s"] = time.monotonic() - t0
    report["errors"] = _errors(first)
    report["records"] = _records(first)
    mine = f"// fixed by {user}\n" + solution
    hub.api("PUT", f"/user/{user}/api/contents/go_samples/{SCENARIO}/exercise.go",
            {"type": "file", "format": "text", "content": mine}, server=True)
    check = next(s for s in sources if "lab.check_exercise(" in s)
    t1 = time.monotonic()
    again = asyncio.run(_execute_all(hub, user, ["import harness as lab\nrun_s = 1.0", check]))
    report["check_s"] = time.monotonic() - t1
    report["errors"] += _errors(again)
    report["after_fix"] = _records(again)
    report["wall_s"] = time.monotonic() - t0


def test_a_class_runs_lab_01_at_once_each_in_their_own_workspace(hub):
    import psutil
    solution = (ROOT / "go_samples" / SCENARIO / "testdata" / "solution.go").read_text()
    t0 = time.monotonic()
    for u in hub.users:  # the class arrives: every server starts (and makes its workspace)
        hub.api("POST", f"/users/{u}/server")
    deadline = time.monotonic() + 600
    while not all((hub.api("GET", f"/users/{u}").get("servers") or {}).get("", {}).get("ready") for u in hub.users):
        assert time.monotonic() < deadline, "servers did not become ready:\n" + (hub.base / "hub.log").read_text()[-3000:]
        time.sleep(1)
    started_s = time.monotonic() - t0
    for u in hub.users:
        home = hub.homes / u / "goleaklab"
        assert (home / NOTEBOOK).exists() and (home / "go_samples" / SCENARIO / "exercise.go").exists()
        assert pwd.getpwuid((home / "go_samples" / SCENARIO / "exercise.go").stat().st_uid).pw_name == u

    hub_proc = psutil.Process(hub.proc.pid)
    peak_rss, stop = [0], threading.Event()

    def sample():
        while not stop.is_set():
            rss = 0
            for p in [hub_proc, *hub_proc.children(recursive=True)]:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak_rss[0] = max(peak_rss[0], rss)
            stop.wait(0.5)
    cpu_before = sum(psutil.Process().cpu_times()[:2]) + psutil.cpu_times().user + psutil.cpu_times().system
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    reports = {u: {} for u in hub.users}
    t1 = time.monotonic()
    threads = [threading.Thread(target=_learner, args=(hub, u, solution, reports[u])) for u in hub.users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=1500)
    class_s = time.monotonic() - t1
    stop.set()
    # CPU of each learner alone: their server's own and that of everything it ran and waited for
    # (kernels, Go programs), whatever else this machine was doing meanwhile
    learner_cpu = {}
    for u in hub.users:
        pid = hub.api("GET", f"/users/{u}")["servers"][""]["state"]["pid"]
        t = psutil.Process(pid).cpu_times()
        learner_cpu[u] = t.user + t.system + t.children_user + t.children_system
    cpu_s = psutil.cpu_times().user + psutil.cpu_times().system + sum(psutil.Process().cpu_times()[:2]) - cpu_before

    for u, r in reports.items():
        assert "wall_s" in r, f"{u} did not finish: {r}"
        assert not r["errors"], f"{u}: {r['errors']}"
        pairs = [rec for rec in r["records"] if "runs" in rec]
        assert pairs, f"{u}: no verdicts recorded"
        for rec in pairs:
            labels = {x["label"]: x["verdict"] for x in rec["runs"]}
            assert labels.get("leaky") == "leak" and labels.get("fixed") == "clean", (u, rec["name"], labels)
        untouched = [rec for rec in r["records"] if rec.get("name") == f"exercise:{SCENARIO}"]
        assert untouched and untouched[0]["fixed"] is False and untouched[0]["line"].startswith("still leaking"), (u, untouched)
        fixed = [rec for rec in r["after_fix"] if rec.get("name") == f"exercise:{SCENARIO}"]
        assert fixed and fixed[0]["fixed"] is True, (u, fixed)
        # each learner's file is their own, and only they could write it
        mine = (hub.homes / u / "goleaklab" / "go_samples" / SCENARIO / "exercise.go").read_text()
        assert mine.startswith(f"// fixed by {u}\n"), f"{u}'s exercise was written by someone else"
    assert (ROOT / "go_samples" / SCENARIO / "exercise.go").read_text() != solution, "the course's own exercise changed"

    # the teacher's view of the class, through the hub
    res = subprocess.run([sys.executable, "-m", "harness", "class-status", "--hub", hub.url, "--token", hub.token],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    for u in hub.users:
        row = next(ln for ln in res.stdout.splitlines() if ln.startswith(u))
        assert "fixed" in row, res.stdout

    figures = {"learners": len(hub.users), "cores": os.cpu_count(), "servers_ready_s": round(started_s, 1),
               "class_wall_s": round(class_s, 1), "machine_cpu_s": round(cpu_s, 1),
               "learner_cpu_s_median": round(sorted(learner_cpu.values())[len(learner_cpu) // 2], 1),
               "learner_cpu_s_max": round(max(learner_cpu.values()), 1), "peak_rss_mb": round(peak_rss[0] / 2**20),
               "peak_rss_mb_per_learner": round(peak_rss[0] / 2**20 / len(hub.users)),
               "per_learner": {u: {k: round(r[k], 1) for k in ("lab_s", "check_s", "wall_s")} for u, r in reports.items()}}
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "test-hub.json").write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures, indent=1))
