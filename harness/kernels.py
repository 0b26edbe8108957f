"""Notebook kernels for headless runs (papermill): Unix sockets instead of TCP ports, and kernels
forked from one process that has already imported what every lab imports.

A plain kernel is a fresh Python that imports IPython, ipykernel, matplotlib and the harness and
draws its first figure: 1.1-1.3 CPU-seconds on the lab's 2-core machine, paid again by each of
the 23 labs. `KernelZygote` pays it once: a server process imports all of that, then forks one
kernel per request (a forked kernel does the same in about 0.2 CPU-seconds). A forked kernel is
the same ipykernel, started with the same command line, working folder and environment that
jupyter_client asked for; only the imports are already done.

Only headless runs use this (`prepare.execute_labs`); JupyterLab starts its kernels as usual.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from .supervise import alive

# Where the kernel manager finds the zygote's socket; unset = start kernels the usual way.
ZYGOTE_ENV = "LEAKLAB_KERNEL_ZYGOTE"
_INLINE = "module://matplotlib_inline.backend_inline"


def ipc_kernel_manager():
    """A kernel manager whose kernel talks over Unix sockets in the temp folder, not TCP ports,
    and is forked from the zygote named by $LEAKLAB_KERNEL_ZYGOTE when there is one.

    With TCP, each new kernel picks five free ports by binding and releasing them; kernels starting
    side by side can pick the same one, and a client then waits out its start-up timeout for a
    reply that went to another kernel. Socket files are unique by name, short enough for the
    107-byte limit on their paths, and removed when the kernel shuts down."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("ip")
        def _ip_default(self):
            return os.path.join(tempfile.gettempdir(), f"leaklab-kernel-{uuid.uuid4().hex[:12]}")

        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None and os.environ.get(ZYGOTE_ENV):
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = _fork_provisioner()(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                       parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


class ForkedKernel:
    """The part of `subprocess.Popen` that jupyter_client's LocalProvisioner uses, for a kernel
    that is the zygote's child, not ours (the zygote reaps it; we watch its pid)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not alive(self.pid):  # a zombie not yet reaped counts as gone
            self.returncode = 0  # the zygote reaped it; its status is not ours to read
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _fork_provisioner():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """LocalProvisioner whose kernel comes from the zygote: same command, folder and
        environment; the kernel's own session (its pid is its process group), as launch_kernel
        gives it, so interrupts and kills reach only the kernel and what it started."""

        async def launch_kernel(self, cmd, **kwargs):
            pid = await asyncio.to_thread(request_kernel, cmd, kwargs.get("env") or dict(os.environ),
                                          str(kwargs.get("cwd") or os.getcwd()))
            if pid is None:  # no zygote or not this kind of kernel: start it the usual way
                return await super().launch_kernel(cmd, **kwargs)
            self.process = ForkedKernel(pid)
            self.pid = self.pgid = pid
            self.cwd = kwargs.get("cwd", Path.cwd())
            return self.connection_info

    return ForkProvisioner


def _is_our_ipykernel(cmd: list[str]) -> bool:
    try:
        same_python = os.path.samefile(cmd[0], sys.executable)
    except (OSError, IndexError):
        return False
    return same_python and cmd[1:3] == ["-m", "ipykernel_launcher"]


def request_kernel(cmd: list[str], env: dict[str, str], cwd: str, timeout: float = 30.0) -> int | None:
    """Ask the zygote for a kernel running `cmd`; its pid, or None when there is no zygote or
    `cmd` is not a kernel it can fork (then the caller starts one the usual way)."""
    path = os.environ.get(ZYGOTE_ENV)
    if not path or not _is_our_ipykernel(cmd):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)  # the zygote imports for ~2 s before it answers the first one
            s.connect(path)  # refused at once if the zygote is gone: it holds the only listener
            s.sendall(json.dumps({"argv": cmd[3:], "env": env, "cwd": cwd}).encode() + b"\n")
            reply = json.loads(s.makefile("rb").readline() or b"{}")
    except (OSError, ValueError):
        return None
    return reply.get("pid")


class KernelZygote:
    """The zygote, running for the duration of a `with` block; kernel managers find it through
    $LEAKLAB_KERNEL_ZYGOTE set to `.path`. On exit it is stopped; kernels still running notice
    that their parent is gone and end within a second."""

    def __enter__(self):
        self.path, self.proc = "", None
        if sys.platform != "linux":  # fork's caveats elsewhere (macOS frameworks) are not worth it
            return self
        self.path = os.path.join(tempfile.gettempdir(), f"leaklab-zygote-{uuid.uuid4().hex[:12]}")
        # MPLBACKEND as ipykernel sets it before a lab's first `import harness` (which picks its
        # backend at import). The backend module itself is imported only in a kernel: it hooks
        # into the running IPython shell when imported, and the zygote has none.
        env = dict(os.environ)
        env.setdefault("MPLBACKEND", _INLINE)
        env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # as the kernel's spec sets it
        # numpy's OpenBLAS starts a worker thread per core when loaded; a process is forked
        # safely only while it has a single thread (the labs do no linear algebra).
        env["OPENBLAS_NUM_THREADS"] = "1"
        # The socket is bound here, so kernel requests can queue from the start while the zygote
        # imports; the zygote holds the only listener after that, so if it dies, requests are
        # refused at once (and kernels start the usual way) instead of waiting for a reply.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(self.path)
            listener.listen(64)
            self.proc = subprocess.Popen([sys.executable, "-m", "harness.kernels", str(listener.fileno())],
                                         stdin=subprocess.DEVNULL, env=env, pass_fds=[listener.fileno()],
                                         # Ctrl-C is for the caller; the zygote ends when it is
                                         # told to (SIGTERM) or when its parent is gone.
                                         start_new_session=True)
        return self

    def __exit__(self, *exc):
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def _reap(*_):
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(fd: int) -> dict | None:
    """The zygote: import what kernels import, then fork a kernel per request arriving on the
    listening socket `fd`. Returns (only in a forked child) the request that child is to run."""
    parent = os.getppid()
    listener = socket.socket(fileno=fd)
    import importlib
    # What every kernel and lab imports (the harness brings matplotlib.pyplot and numpy), and
    # ipykernel's debugger (debugpy), which a kernel imports while starting: half of what is
    # left of a kernel's start-up once the rest is imported.
    for name in ("IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "harness"):
        importlib.import_module(name)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure()  # loads the fonts and renderer a first figure would (not in pyplot's registry)
    fig.add_subplot().plot([0, 1])
    with open(os.devnull, "wb") as sink:
        FigureCanvasAgg(fig).print_png(sink)
    assert "matplotlib_inline.backend_inline" not in sys.modules
    signal.signal(signal.SIGCHLD, _reap)
    listener.settimeout(1.0)
    while os.getppid() == parent:  # whoever started the zygote is gone: so is the need for it
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(10)
            try:
                req = json.loads(conn.makefile("rb").readline())
                if len(os.listdir("/proc/self/task")) != 1:  # forking a threaded process is unsafe
                    conn.sendall(b"{}\n")
                    continue
            except (OSError, ValueError):
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                return req
            try:
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:  # the asker is gone: so is the reason for this kernel
                os.kill(pid, signal.SIGKILL)
    return None


def _run_kernel(req: dict, zygote_pid: int) -> None:
    """In the forked child: become the kernel jupyter_client asked for."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel waits for its own children
    os.setsid()
    os.chdir(req["cwd"])
    os.environ.clear()
    os.environ.update(req["env"])
    sys.argv = ["ipykernel_launcher", *req["argv"]]
    from ipykernel.kernelapp import IPKernelApp
    # The kernel ends if the zygote does (its parent; it would watch papermill's worker otherwise).
    IPKernelApp.launch_instance(sys.argv[1:], parent_handle=zygote_pid)


if __name__ == "__main__":
    del sys.path[0]  # the folder it started in, which a kernel's path does not have (ipykernel_launcher)
    zygote = os.getpid()
    request = serve(int(sys.argv[1]))
    if request is not None:
        _run_kernel(request, zygote)
