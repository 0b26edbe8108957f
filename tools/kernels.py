"""Notebook kernels for headless runs (papermill): Unix sockets instead of TCP ports, and kernels
forked from one process that has already imported what every lab imports.

A plain kernel is a fresh Python that imports IPython, ipykernel, matplotlib and the harness and
draws its first figure: 1.1-1.3 CPU-seconds on the lab's 2-core machine, paid again by each of
the 23 labs. `KernelZygote` pays it once: a server process imports all of that, then forks one
kernel per request (a forked kernel does the same in about 0.2 CPU-seconds). A forked kernel is
the same ipykernel, started with the same command line, working folder and environment that
jupyter_client asked for; only the imports are already done. The kernel manager gets it through
jupyter_client's documented extension point, a kernel provisioner (`provisioner.py`).

Only headless runs use this (`tools.run_labs.execute_labs`); JupyterLab starts its kernels as usual.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import uuid

from harness.supervise import alive

# Where the kernel manager finds the zygote's socket; unset = start kernels the usual way.
ZYGOTE_ENV = "LEAKLAB_KERNEL_ZYGOTE"
# The kernel provisioner that asks the zygote for kernels (`provisioner.ForkProvisioner`),
# registered under jupyter_client's entry point group `jupyter_client.kernel_provisioners` in
# pyproject.toml (after changing that: `pip install -e .`).
PROVISIONER = "leaklab-zygote"
_INLINE = "module://matplotlib_inline.backend_inline"


def ipc_kernel_manager():
    """A kernel manager whose kernel talks over Unix sockets in the temp folder, not TCP ports,
    and is forked from the zygote named by $LEAKLAB_KERNEL_ZYGOTE when there is one.

    With TCP, each new kernel picks five free ports by binding and releasing them; kernels starting
    side by side can pick the same one, and a client then waits out its start-up timeout for a
    reply that went to another kernel. Socket files are unique by name, short enough for the
    107-byte limit on their paths, and removed when the kernel shuts down.

    Only documented jupyter_client API: the `transport` and `ip` traits, a kernel spec manager
    whose specs name a kernel provisioner in their metadata (`kernel_provisioner`, as a
    kernel.json would), and that provisioner registered through the entry point."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self):
            return "ipc"

        @default("ip")
        def _ip_default(self):
            return os.path.join(tempfile.gettempdir(), f"leaklab-kernel-{uuid.uuid4().hex[:12]}")

        @default("kernel_spec_manager")
        def _kernel_spec_manager_default(self):
            return _zygote_kernel_specs()(data_dir=self.data_dir)

    return IPCKernelManager


def _zygote_kernel_specs():
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.provisioning import KernelProvisionerFactory

    class ZygoteKernelSpecs(KernelSpecManager):
        """The installed kernel specs, as JupyterLab sees them; while a zygote runs, one that
        names no provisioner of its own is given ours (which starts the kernel the usual way
        when it is not a kernel the zygote can fork)."""

        def get_kernel_spec(self, kernel_name):
            spec = super().get_kernel_spec(kernel_name)  # read afresh on each call
            if os.environ.get(ZYGOTE_ENV) and "kernel_provisioner" not in spec.metadata:
                metadata = spec.metadata
                spec.metadata = {**metadata, "kernel_provisioner": {"provisioner_name": PROVISIONER}}
                # Not registered (installed before the entry point was): jupyter_client logs a
                # warning, and the kernel starts the usual way.
                if not KernelProvisionerFactory.instance().is_provisioner_available(spec):
                    spec.metadata = metadata
            return spec

    return ZygoteKernelSpecs


class ForkedKernel:
    """A kernel forked by the zygote: its child, not ours (the zygote reaps it; we watch its pid)."""

    def __init__(self, pid: int, cwd: str):
        self.pid, self.cwd = pid, cwd
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not alive(self.pid):  # a zombie not yet reaped counts as gone
            self.returncode = 0  # the zygote reaped it; its status is not ours to read
        return self.returncode

    def signal(self, signum: int) -> None:
        """To the kernel's process group (its own session, as launch_kernel gives a kernel, so
        an interrupt or kill reaches the kernel and what it started); to the kernel alone if it
        has not made its session yet."""
        if self.poll() is not None:
            return
        try:
            os.killpg(self.pid, signum)
        except OSError:
            os.kill(self.pid, signum)


def _split_command(cmd: list[str]) -> tuple[list[str], str, list[str]] | None:
    """`[python, *options, "-m", module, *args]` run by this Python: (options, module, args)."""
    try:
        if not os.path.samefile(cmd[0], sys.executable):
            return None
        m = cmd.index("-m", 1)
        return cmd[1:m], cmd[m + 1], cmd[m + 2:]
    except (OSError, IndexError, ValueError):
        return None


def request_kernel(cmd: list[str], env: dict[str, str], cwd: str, timeout: float = 30.0
                   ) -> tuple[int | None, str]:
    """Ask the zygote for a kernel running `cmd`: (its pid, ""), or (None, why not) when there is
    no zygote ("") or it cannot fork this kernel; the caller then starts one the usual way."""
    path = os.environ.get(ZYGOTE_ENV)
    if not path:
        return None, ""
    split = _split_command(cmd)
    if split is None or split[1] != "ipykernel_launcher":
        return None, f"not ipykernel on this Python: {' '.join(cmd)}"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)  # the zygote imports for ~2 s before it answers the first one
            s.connect(path)  # refused at once if the zygote is gone: it holds the only listener
            s.sendall(json.dumps({"cmd": cmd, "env": env, "cwd": cwd}).encode() + b"\n")
            reply = json.loads(s.makefile("rb").readline() or b"{}")
    except (OSError, ValueError) as err:
        return None, f"the zygote does not answer ({err})"
    return reply.get("pid"), reply.get("error", "")


def kernel_command(kernel_name: str) -> list[str]:
    """The command line of the installed kernel spec `kernel_name` (as the kernel manager reads
    it), or [] if there is none."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        argv = list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
    except NoSuchKernel:
        return []
    if argv and argv[0] in {"python", f"python{sys.version_info[0]}", "python%d.%d" % sys.version_info[:2]}:
        argv[0] = sys.executable  # as the kernel manager runs it
    return argv


class KernelZygote:
    """The zygote, running for the duration of a `with` block; kernel managers find it through
    $LEAKLAB_KERNEL_ZYGOTE set to `.path`. On exit it is stopped; kernels still running notice
    that their parent is gone and end within a second.

    It runs with the interpreter options of kernel spec `kernel_name` (ipykernel 7.4 writes
    `-Xfrozen_modules=off` there, for its debugger), which only a new interpreter can take: a
    kernel whose command line asks for other options is not forked but started the usual way."""

    def __init__(self, kernel_name: str = "python3"):
        self.kernel_name = kernel_name

    def __enter__(self):
        self.path, self.proc = "", None
        if sys.platform != "linux":  # fork's caveats elsewhere (macOS frameworks) are not worth it
            return self
        split = _split_command(kernel_command(self.kernel_name))
        options = split[0] if split else []
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
            self.proc = subprocess.Popen([sys.executable, *options, "-m", "tools.kernels", str(listener.fileno())],
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


def _cannot_fork(req: dict, options: list[str]) -> str:
    """Why the zygote cannot be the kernel `req` asks for; "" if it can."""
    split = _split_command(req.get("cmd", []))
    if split is None or split[1] != "ipykernel_launcher":
        return f"not ipykernel on this Python: {req.get('cmd')}"
    if split[0] != options:
        return f"the kernel's interpreter options {split[0]} are not the zygote's {options}"
    if len(os.listdir("/proc/self/task")) != 1:  # forking a threaded process is unsafe
        return "the zygote has started a thread"
    return ""


def serve(fd: int) -> dict | None:
    """The zygote: import what kernels import, then fork a kernel per request arriving on the
    listening socket `fd`. Returns (only in a forked child) the request that child is to run."""
    parent = os.getppid()
    listener = socket.socket(fileno=fd)
    options = sys.orig_argv[1:sys.orig_argv.index("-m")]  # as a kernel's command line gives them
    import importlib
    # What every kernel and lab imports (the harness brings matplotlib.pyplot and numpy), and
    # ipykernel's debugger (debugpy), which a kernel imports while starting: half of what is
    # left of a kernel's start-up once the rest is imported.
    for name in ("IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "harness",
                 "harness.notebook", "harness.plot"):  # `import harness` itself imports on first use
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
                why = _cannot_fork(req, options)
                if why:
                    conn.sendall(json.dumps({"error": why}).encode() + b"\n")
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
    sys.argv = ["ipykernel_launcher", *_split_command(req["cmd"])[2]]
    from ipykernel.kernelapp import IPKernelApp
    # The kernel ends if the zygote does (its parent; it would watch papermill's worker otherwise).
    IPKernelApp.launch_instance(sys.argv[1:], parent_handle=zygote_pid)


if __name__ == "__main__":
    del sys.path[0]  # the folder it started in, which a kernel's path does not have (ipykernel_launcher)
    zygote = os.getpid()
    request = serve(int(sys.argv[1]))
    if request is not None:
        _run_kernel(request, zygote)
