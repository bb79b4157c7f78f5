"""The kernel manager the reports run on (IPC sockets, this interpreter, dying with its
worker) and how to tell a kernel that failed to start from a notebook that failed.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import uuid
from typing import Any

#: Run before a kernel: arm the parent-death signal (Linux), then exec the kernel itself
#: (the signal survives exec). argv: expected parent pid, then the kernel command. Where
#: prctl is missing, ipykernel's own parent poller ends a kernel whose worker is gone.
_LAUNCHER = (
    "import ctypes,os,signal,sys\n"
    "try:\n"
    "    ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)\n"
    "except Exception:\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(1)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def _die_with_worker(cmd: list[str]) -> list[str]:
    """The kernel command wrapped so the kernel dies with the worker that starts it."""
    if not sys.platform.startswith("linux"):
        return cmd
    return [sys.executable, "-S", "-c", _LAUNCHER, str(os.getpid()), *cmd]


def kernel_manager_class():
    """An AsyncKernelManager over IPC sockets with unique names, running this interpreter.

    IPC transport: each kernel's five channels are Unix sockets named
    ``<tmp>/hfk-<worker pid>-<random>-<n>``, so parallel launches cannot collide (TCP
    ports are picked by binding port 0, closing it and handing the number to the kernel:
    two launches can get the same port, papermill #511). A ``python3`` kernel is started
    with ``sys.executable`` so it always runs in the same environment as hipflex, through a
    launcher that arms the parent-death signal (:func:`_die_with_worker`): a worker killed
    with ``kill -9`` takes its kernel with it.
    """
    from jupyter_client.manager import AsyncKernelManager

    class HipflexKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = os.path.join(
                tempfile.gettempdir(), f"hfk-{os.getpid()}-{uuid.uuid4().hex[:10]}"
            )

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            if "ipykernel_launcher" in cmd or "ipykernel" in cmd:
                cmd[0] = sys.executable
                # no IPython history: nothing of a report's code kept in a shared SQLite
                # file, and no database opened per kernel
                cmd.append("--HistoryManager.enabled=False")
            return _die_with_worker(cmd)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            # an ipykernel forked from the worker's zygote (imports done), else as usual
            if _fork_kernels() and "ipykernel_launcher" in kernel_cmd:
                argv = kernel_cmd[kernel_cmd.index("ipykernel_launcher") + 1 :]
                env = kw.get("env") or dict(os.environ)
                cwd = str(kw.get("cwd") or os.getcwd())
                pid = Zygote.fork(argv, env, cwd)
                if pid:
                    prov = self.provisioner
                    prov.process = _Forked(pid)
                    prov.pid, prov.pgid, prov.cwd = pid, pid, cwd
                    self._reconcile_connection_info(prov.connection_info)
                    return
            await super()._async_launch_kernel(kernel_cmd, **kw)

    return HipflexKernelManager


def is_start_failure(exc: BaseException) -> bool:
    """Whether an exception says the kernel failed to start or to answer at start-up."""
    try:
        import zmq

        if isinstance(exc, zmq.error.ZMQError):
            return True
    except ImportError:  # pragma: no cover
        pass
    msg = str(exc)
    markers = (
        "Kernel died before replying to kernel_info",
        "didn't respond",
        "Address already in use",
        "Kernel didn't respond",
    )
    return isinstance(exc, RuntimeError | TimeoutError | OSError) and any(m in msg for m in markers)


# ---------------------------------------------------------------- kernels forked ahead
#
# Starting a kernel costs ~0.4 s of CPU (the interpreter, ipykernel, IPython) and its
# first cell ~0.9 s more (numpy, pandas, pyarrow, matplotlib with its inline backend,
# ``analysis``): a third of an athlete report. A worker therefore keeps one *zygote*: a
# process started once that imports all of that and never touches any data. Each report's
# kernel is a fresh ``fork()`` of it, so it is a new process like any other kernel (an
# athlete's data never meets another athlete's, nor the zygote, which has none) that starts
# with the imports done. The zygote dies with its worker, each forked kernel with the
# zygote (parent-death signals); ``$HIPFLEX_FORK_KERNELS=0`` turns the zygote off, ``=1``
# turns it on outside hipflex's own workers too (:data:`FORK_DEFAULT`). Its
# command line (which its kernels share) says ``ipykernel_launcher zygote``.

FORK_ENV = "HIPFLEX_FORK_KERNELS"

#: What the zygote imports before it forks (code only: no module here reads data).
_PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "matplotlib",
    "matplotlib.pyplot",
    "scipy.special",
    "PIL.Image",
    "PIL.PngImagePlugin",
    "jinja2",
    "pyarrow.dataset",
    "pyarrow.pandas_compat",
    "analysis",
    "analysis.dataset",
    "analysis.fingerprint",
    "analysis.templating",
    "analysis.stats",
    "analysis.reports.pages.athlete",
    "analysis.reports.pages.display",
    "analysis.reports.pages.squad_words",
    "analysis.plots",
)


def _warm_up() -> None:  # pragma: no cover - runs in the zygote
    """What a report's first figure and first fragment pay for once, done with no data: the
    image plugins and the compiled templates. (Drawing an empty figure here too was measured:
    it does not pay for the pages a forked kernel then copies.)"""
    from PIL import Image

    Image.init()
    from analysis.templating import environment

    env = environment()
    for name in env.list_templates():
        env.get_template(name)


def _zygote_main() -> None:  # pragma: no cover - runs in its own process
    """The zygote's loop: one JSON request per stdin line (``argv``, ``env``, ``cwd``),
    answered with the forked kernel's pid on stdout."""
    import ctypes
    import importlib
    import json
    import signal

    try:
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)
    except Exception:
        pass
    if os.getppid() != int(sys.argv[1]):
        os._exit(1)
    proto_in, proto_out = sys.stdin.buffer, os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # a kernel imports it itself (and fails there, visibly)
            pass
    try:
        _warm_up()
    except Exception:
        pass

    def reap(*_: object) -> None:
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    signal.signal(signal.SIGCHLD, reap)
    # everything loaded so far is permanent for the collector: a forked kernel's garbage
    # collections do not walk (and so copy) the zygote's pages
    import gc

    gc.collect()
    gc.freeze()
    proto_out.write("ready\n")
    for line in proto_in:
        req = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.setsid()  # its own process group: the manager signals the group
                ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                proto_out.close()
                os.environ.clear()
                os.environ.update(req["env"])
                os.chdir(req["cwd"])
                sys.path[:] = [p for p in sys.path if p not in ("", req["cwd"])]
                sys.argv = ["ipykernel_launcher", *req["argv"]]
                from ipykernel import kernelapp

                kernelapp.launch_new_instance(argv=req["argv"])
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            os._exit(code)
        proto_out.write(f"{pid}\n")


class _Forked:
    """Enough of ``subprocess.Popen`` for jupyter_client, for a kernel forked by the
    zygote (not our child: its exit is seen through a pidfd, the zygote reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        import select

        if self.returncode is None:
            ready, _, _ = select.select([self._fd], [], [], 0)
            if ready:
                self._done()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import select

        while self.returncode is None:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready and timeout is not None:
                import subprocess

                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            if ready:
                self._done()
        return self.returncode

    def _done(self) -> None:
        self.returncode = 0
        os.close(self._fd)

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


class Zygote:
    """The worker's zygote (started on first use, one per worker process)."""

    _lock = threading.Lock()
    proc = None

    @classmethod
    def fork(cls, argv: list[str], env: dict[str, str], cwd: str) -> int | None:
        """The pid of a kernel forked with ``argv`` (ipykernel's arguments), or None when
        there is no zygote (then the kernel is started the usual way)."""
        import json
        import subprocess

        with cls._lock:
            try:
                if cls.proc is None or cls.proc.poll() is not None:
                    cls.proc = None
                    proc = subprocess.Popen(
                        [sys.executable, "-c",
                         "from analysis.reports.batch.kernels import _zygote_main; _zygote_main()",
                         str(os.getpid()), "ipykernel_launcher", "zygote"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=dict(env),
                    )  # fmt: skip
                    if proc.stdout.readline().strip() != b"ready":
                        proc.kill()
                        proc.wait()
                        return None
                    cls.proc = proc
                req = {"argv": argv, "env": dict(env), "cwd": str(cwd)}
                cls.proc.stdin.write((json.dumps(req) + "\n").encode())
                cls.proc.stdin.flush()
                return int(cls.proc.stdout.readline())
            except (OSError, ValueError):
                cls.shutdown()
                return None

    @classmethod
    def shutdown(cls) -> None:
        """End the zygote (its stdin closes; kernels still running die with it)."""
        proc, cls.proc = cls.proc, None
        if proc is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
            with contextlib.suppress(Exception):
                proc.wait(5)
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    @classmethod
    def cpu(cls) -> float:
        """CPU seconds of the zygote and of the kernels it reaped (0 without one)."""
        if cls.proc is None:
            return 0.0
        try:
            with open(f"/proc/{cls.proc.pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


#: Whether kernels are forked when ``$HIPFLEX_FORK_KERNELS`` is not set: only in hipflex's
#: own worker processes (:func:`analysis.reports.batch.worker.worker_main` sets it), which run
#: every report on their main thread. Elsewhere (a Dask worker's task threads, a direct
#: :func:`~analysis.reports.batch.worker.run_one`) kernels start the usual way unless the
#: variable is ``1``: the parent-death signal belongs to the thread that started the zygote.
FORK_DEFAULT = False


def _fork_kernels() -> bool:
    flag = os.environ.get(FORK_ENV, "")
    wanted = flag == "1" or (flag != "0" and FORK_DEFAULT)
    return (
        wanted
        and sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and hasattr(os, "pidfd_open")
    )


#: The old name (tests and scripts use it).
_is_start_failure = is_start_failure


#: The old name (tests and scripts use it).
_Zygote = Zygote
