"""`watch URL`: a running Go service followed through net/http/pprof, on services started here
on loopback (leaky and fixed), and its one-line answers to URLs it cannot watch."""

import json
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import run_cli
from harness import watch as watchmod

SERVICE = """\
// A service with net/http/pprof that sends itself -rate requests a second; with -leaky each
// request leaves a goroutine blocked forever and keeps 64 kB.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

var (
	leaky   = flag.Bool("leaky", false, "leak per request")
	nopprof = flag.Bool("nopprof", false, "serve a mux without net/http/pprof")
	rate    = flag.Int("rate", 40, "requests per second")
	mu      sync.Mutex
	kept    [][]byte
)

func handle(w http.ResponseWriter, r *http.Request) {
	if *leaky {
		ch := make(chan int)
		go func() { <-ch }()
		mu.Lock()
		kept = append(kept, make([]byte, 64<<10))
		mu.Unlock()
	}
	fmt.Fprintln(w, "ok")
}

func load(addr string) {
	for range time.Tick(time.Second / time.Duration(*rate)) {
		if resp, err := http.Get("http://" + addr + "/work"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}

func main() {
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.DefaultServeMux
	if *nopprof {
		mux = http.NewServeMux()
	}
	mux.HandleFunc("/work", handle)
	fmt.Printf("http://%s\\n", ln.Addr())
	go load(ln.Addr().String())
	http.Serve(ln, mux)
}
"""


def _line(text: str) -> int:
    return next(i for i, ln in enumerate(SERVICE.splitlines(), 1) if text in ln)


@pytest.fixture(scope="module")
def service_bin(tmp_path_factory, go):
    d = tmp_path_factory.mktemp("watchsvc")
    (d / "go.mod").write_text("module example.com/svc\n\ngo 1.27\n")
    (d / "main.go").write_text(SERVICE)
    res = go.run("build", "-o", str(d / "svc"), ".", cwd=d)
    assert res.returncode == 0, res.stderr
    return d / "svc"


class _Services:
    def __init__(self, exe):
        self.exe, self.procs = exe, []

    def start(self, *args: str) -> tuple[subprocess.Popen, str]:
        p = subprocess.Popen([str(self.exe), *args], stdout=subprocess.PIPE, text=True)
        self.procs.append(p)
        url = p.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        return p, url

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()


@pytest.fixture
def services(service_bin):
    s = _Services(service_bin)
    yield s
    s.stop()


def test_cli_watches_leaky_and_fixed_side_by_side(services, tmp_path):
    _, leaky = services.start("-leaky")
    _, fixed = services.start()
    out = tmp_path / "w.json"
    res = run_cli("watch", leaky, fixed, "--every", "0.5s", "--for", "6s", "--label", "leaky", "--label", "fixed",
                  "--json", str(out), "--png", str(tmp_path / "w.png"))
    assert res.returncode == 1, res.stdout + res.stderr
    lk, fx = json.loads(out.read_text())["runs"]
    assert (lk["label"], lk["verdict"], fx["label"], fx["verdict"]) == ("leaky", "leak", "fixed", "clean"), \
        (lk["headline"], fx["headline"])
    for rep in (lk, fx):  # check's JSON contract
        for key in ("verdict", "headline", "go_version", "exit", "series", "goroutine_leaks", "trends"):
            assert key in rep
        assert rep["leak_profile"] and len(rep["series"]) >= 10 and rep["exit"] == "watched"
    site = f"main.handle.func1 @ main.go:{_line('go func() { <-ch }()')}"
    grow = {g["site"]: g for g in lk["growth"] if g["kind"] == "goroutines"}
    assert site in grow and 20 <= grow[site]["rate"] <= 60, lk["growth"]   # the service leaks 40 a second
    proven = lk["goroutine_leaks"][0]
    assert (proven["function"], proven["wait_reason"], proven["proven"]) == ("main.handle.func1", "chan receive", True)
    assert proven["count"] >= 40
    assert not [g for g in fx["growth"] if g["kind"] != "heap"] and not fx["goroutine_leaks"]
    assert f"leaky ({leaky}): LEAK" in res.stdout and f"{site} (" in res.stdout
    assert (tmp_path / "w.png").stat().st_size > 10_000


@pytest.mark.slow  # the fast tier keeps the CLI's side-by-side watch
def test_notebook_function_series_heap_sites_and_live_figure(services, capsys, no_leftovers):
    _, leaky = services.start("-leaky")
    _, fixed = services.start()
    seen = []
    # gc_budget=1: a forced GC at every poll, for enough live-heap points in a short watch.
    res = watchmod.watch([leaky, fixed], every=0.4, duration=4.0, labels=["leaky", "fixed"], live=True,
                         progress=lambda t, ws: seen.append(len(ws[0].polls)), gc_budget=1.0)
    lk, fx = res
    assert seen == sorted(seen) and seen[-1] == len(lk.polls) >= 9
    assert all(p.forced_gcs is not None for p in lk.polls)
    heap = [g for g in lk.growth if g.kind == "heap"]
    kept = f"main.handle (main.go:{_line('kept = append(kept')})"
    assert heap and heap[0].site == kept, lk.growth
    assert 1e6 <= heap[0].rate <= 6e6  # 40 × 64 kB a second, as a sampled heap profile sees it
    lives = [s["heap_live"] for s in lk.samples]  # every poll forced a GC: each has the live heap
    assert len(lives) == len(lk.polls) and lives[-1] > lives[0] + 4e6
    assert not fx.verdict.leak and not [g for g in fx.growth if g.kind != "heap"]
    fig = watchmod.plot_watch(res)
    assert len(fig.axes) == 4 and fig.axes[0].get_shared_y_axes().joined(fig.axes[0], fig.axes[1])
    assert "Figure" in capsys.readouterr().out  # the live display showed (outside a notebook: its repr)


@pytest.mark.slow  # the fast tier keeps the CLI's side-by-side watch
def test_a_service_that_goes_away_ends_the_watch_with_status_3(services):
    p, url = services.start()
    threading.Timer(4.0, p.kill).start()  # once the CLI has started (a fresh Python) and polled
    res = run_cli("watch", url, "--every", "0.3s", "--for", "20s")
    assert res.returncode == 3, res.stdout + res.stderr
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "stopped answering after" in last


# --- URLs it cannot watch: one line each, status 2 -------------------------------------------

class _Html(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!DOCTYPE html><html><body>hello</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture
def python_server(tmp_path):
    servers = []

    def start(handler):
        srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"
    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def _one_line(res, *fragments):
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in res.stderr, res.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def test_urls_it_cannot_watch(python_server, services, tmp_path, monkeypatch):
    _one_line(run_cli("watch", "ftp://127.0.0.1/x"), "needs an http:// or https:// URL")
    _one_line(run_cli("watch", "127.0.0.1:8080"), "needs an http:// or https:// URL")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _one_line(run_cli("watch", f"http://127.0.0.1:{port}"), f"nothing answers at http://127.0.0.1:{port}/")
    _one_line(run_cli("watch", python_server(_Html)), "did not answer with a Go goroutine profile", "text/html")
    monkeypatch.chdir(tmp_path)
    _one_line(run_cli("watch", python_server(_Quiet)), "does not look like a Go program", "SimpleHTTP")
    _, nopprof = services.start("-nopprof")
    _one_line(run_cli("watch", nopprof + "/debug/pprof/"), "a Go net/http server without net/http/pprof")
    _one_line(run_cli("watch", nopprof, "--every", "2s", "--for", "1s"), "must be at least --every")
