"""Run a command as a whole process and measure it: wall time and the child's peak RSS.

Every command runs under ``/usr/bin/time -f %M``, which reports the peak RSS of
exactly that process. (Reaping the child ourselves with ``os.wait4`` is not
enough: Linux carries the parent's high-water RSS across exec, so every child
of this Python process would report at least ~15 MB.) Wall time is
``time.perf_counter`` around start and reap, so it includes interpreter
start-up and imports, as a user sees it.

``interleaved`` runs several commands round-robin (a, b, a, b, …) so that load
from other processes on the machine affects every command alike.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

LONG_RUN_S = 60.0  # a command slower than this is run once, not `repeat` times
_STDERR_TAIL = 400
TIME = "/usr/bin/time"
_TIME_EXEC_FAILED = 127  # GNU time: the command was not found


@dataclass(frozen=True)
class Command:
    """A command to measure, and the exit codes that mean it did its job."""

    argv: tuple[str, ...]
    ok_codes: frozenset[int] = frozenset({0})
    stdout: Path | None = None  # where stdout goes; None discards it
    env: Mapping[str, str] = field(default_factory=dict)
    timeout_s: float = 300.0

    @property
    def display(self) -> str:
        text = shlex.join(self.argv)
        if self.stdout is not None:
            text += f" > {self.stdout}"
        return text


@dataclass(frozen=True)
class Sample:
    wall_s: float
    rss_mb: float
    returncode: int


@dataclass(frozen=True)
class Measured:
    """The samples of one command, or why it could not be measured."""

    label: str
    command: str
    samples: tuple[Sample, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def wall_s(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.samples)

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "command": self.command,
            "samples": [[s.wall_s, s.rss_mb, s.returncode] for s in self.samples],
            "error": self.error,
        }

    @staticmethod
    def from_json(data: Mapping[str, object]) -> Measured:
        raw = data.get("samples") or []
        assert isinstance(raw, list)
        error = data.get("error")
        return Measured(
            label=str(data["label"]),
            command=str(data["command"]),
            samples=tuple(Sample(float(w), float(r), int(c)) for w, r, c in raw),
            error=None if error is None else str(error),
        )


def run_once(command: Command) -> tuple[Sample, str]:
    """Run the command to completion; return its sample (returncode -9: timed out) and its stderr tail."""
    env = {**os.environ, **command.env}
    with (
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss,
        _stdout(command.stdout) as out,
    ):
        wrapped = (TIME, "-f", "%M", "-o", rss.name, *command.argv)
        start = time.perf_counter()
        # a session of its own, so that a timeout kills the measured command too, not only `time`
        proc = subprocess.Popen(wrapped, stdout=out, stderr=err, env=env, start_new_session=True)
        # a blocking wait: Popen.wait(timeout=…) polls with sleeps of up to 50 ms, which quantised
        # every wall time to 50 ms steps; a timer kills the command on timeout instead
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(command.timeout_s, kill)
        timer.start()
        try:
            returncode = proc.wait()
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        if timed_out.is_set():
            returncode = -9
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-_STDERR_TAIL:]
        lines = rss.read().split()
    if returncode == _TIME_EXEC_FAILED and "No such file or directory" in tail:
        raise FileNotFoundError(2, "No such file or directory", command.argv[0])
    peak_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return Sample(wall, peak_kib / 1024.0, returncode), tail


@contextlib.contextmanager
def _stdout(path: Path | None) -> Iterator[IO[bytes] | int]:
    if path is None:
        yield subprocess.DEVNULL
        return
    with open(path, "wb") as handle:
        yield handle


def _failure(command: Command, sample: Sample, stderr: str) -> str:
    last = " ".join(line.strip() for line in stderr.strip().splitlines()[-3:])
    if sample.returncode == -9:
        return f"timed out after {command.timeout_s:.0f} s"
    return f"exit {sample.returncode}: {last or 'no stderr'}"


def interleaved(commands: Mapping[str, Command], repeat: int) -> dict[str, Measured]:
    """Run every command `repeat` times, round-robin; a failing command is dropped after its first failure.

    When any command's first run takes longer than LONG_RUN_S, every command is run once only.
    """
    samples: dict[str, list[Sample]] = {label: [] for label in commands}
    errors: dict[str, str] = {}
    rounds = repeat
    for index in range(repeat):
        if index >= rounds:
            break
        for label, command in commands.items():
            if label in errors:
                continue
            try:
                sample, stderr = run_once(command)
            except OSError as exc:
                errors[label] = f"cannot run {command.argv[0]}: {exc.strerror or exc}"
                continue
            if sample.returncode not in command.ok_codes:
                errors[label] = _failure(command, sample, stderr)
                continue
            samples[label].append(sample)
            if index == 0 and sample.wall_s > LONG_RUN_S:
                rounds = 1
    return {
        label: Measured(label, command.display, tuple(samples[label]), errors.get(label))
        for label, command in commands.items()
    }


def first_failure(command: Command) -> str | None:
    """Run the command once as a probe; None when it works, else why not."""
    try:
        sample, stderr = run_once(command)
    except OSError as exc:
        return f"cannot run {command.argv[0]}: {exc.strerror or exc}"
    if sample.returncode in command.ok_codes:
        return None
    return _failure(command, sample, stderr)


def argv(*parts: str | Path | Sequence[str]) -> tuple[str, ...]:
    """Flatten strings, paths and sequences of strings into an argv tuple."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, (str, Path)):
            out.append(str(part))
        else:
            out.extend(part)
    return tuple(out)
