"""Errors for people: each message is one line that says what to do."""


class LeakLabError(Exception):
    """Base class; str(err) is one actionable line."""

    exit_code = 2

    def _render_traceback_(self) -> list[str]:
        """In a notebook: the line, not a traceback through the harness (IPython asks for this)."""
        return [f"{type(self).__name__}: {self}"]


class ToolchainError(LeakLabError):
    """Go is missing, too old, or broken."""


class TargetError(LeakLabError):
    """The thing to build or run does not exist or is not a main package."""


class BuildError(LeakLabError):
    """The Go compiler rejected the program; carries Go's own messages."""

    def __init__(self, messages: list[str], target: str):
        self.messages = messages
        self.target = target
        first = messages[0] if messages else "unknown build failure"
        more = f" (+{len(messages) - 1} more)" if len(messages) > 1 else ""
        super().__init__(f"build failed for {target}: {first}{more}")


class RunFailed(LeakLabError):
    """The program did not end the way a measurement needs (crash, cap, hang)."""

    exit_code = 3

    def __init__(self, message: str, run=None):
        self.run = run
        super().__init__(message)


class Cancelled(LeakLabError):
    """A run stopped because a run started together with it failed or was interrupted."""


class UnsupportedPlatform(LeakLabError):
    """Native Windows: no process groups or POSIX signals to end a program's whole tree with."""
