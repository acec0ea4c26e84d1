"""An internal error exits 3 and leaves its traceback in a new file of the user's cache directory
(or on stderr), never at a fixed or planted path."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import pytest

from schemalint import app, cli
from schemalint.crash import cache_dir

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="XDG_CACHE_HOME is the cache on Linux")


def _boom(*args: object, **kwargs: object) -> int:
    raise RuntimeError("boom in a test")


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """app.run raises; the cache directory and the temporary directory are under tmp_path."""
    monkeypatch.setattr(app, "run", _boom)
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    return cache


@linux_only
def test_a_crash_exits_3_with_the_log_in_the_cache_directory(
    crashing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["rules"]) == 3
    err = capsys.readouterr().err
    (log,) = (crashing / "schemalint").iterdir()
    assert log.name.startswith("crash-") and log.suffix == ".log"
    assert "RuntimeError: boom in a test" in log.read_text(encoding="utf-8")
    assert (
        err == f"schemalint: error: internal error: this is a bug in schemalint; the traceback is in {log}\n"
    )
    assert stat.S_IMODE(os.stat(log).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(crashing / "schemalint").st_mode) == 0o700
    assert cli.main(["rules"]) == 3  # a second crash gets its own file
    assert len(list((crashing / "schemalint").iterdir())) == 2


@linux_only
def test_an_unwritable_cache_puts_the_traceback_on_stderr(
    crashing: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crashing.write_text("a file where the cache directory should be\n")  # even root cannot mkdir in it
    assert cli.main(["rules"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom in a test" in err
    assert "internal error: this is a bug in schemalint; the traceback is above" in err


@linux_only
def test_a_failing_handler_still_exits_3(monkeypatch: pytest.MonkeyPatch, crashing: Path) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("stderr is gone")

    monkeypatch.setattr(cli, "_error", broken)
    monkeypatch.setattr(sys, "stderr", None)  # writing to it raises AttributeError
    assert cli.main(["rules"]) == 3


@linux_only
def test_planted_symbolic_links_are_never_followed(
    crashing: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim_file = tmp_path / "victim.txt"
    victim_file.write_text("precious\n")
    victim_dir = tmp_path / "victim-dir"
    victim_dir.mkdir()
    # where the log used to go, and the cache folder itself
    (Path(tempfile.gettempdir()) / "schemalint-crash.log").symlink_to(victim_file)
    crashing.mkdir()
    (crashing / "schemalint").symlink_to(victim_dir)
    assert cli.main(["rules"]) == 3
    assert victim_file.read_text() == "precious\n"
    assert list(victim_dir.iterdir()) == []
    assert "RuntimeError: boom in a test" in capsys.readouterr().err


@linux_only
def test_a_folder_others_can_write_to_is_not_used(crashing: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (crashing / "schemalint").mkdir(parents=True)
    (crashing / "schemalint").chmod(0o777)
    assert cli.main(["rules"]) == 3
    assert list((crashing / "schemalint").iterdir()) == []
    assert "RuntimeError: boom in a test" in capsys.readouterr().err


def test_the_cache_directory_of_each_platform(tmp_path: Path) -> None:
    home = str(tmp_path)
    assert cache_dir({"HOME": home}, "linux") == tmp_path / ".cache"
    assert cache_dir({"HOME": home, "XDG_CACHE_HOME": "/var/cache/me"}, "linux") == Path("/var/cache/me")
    assert cache_dir({"HOME": home, "XDG_CACHE_HOME": "relative"}, "linux") == tmp_path / ".cache"
    assert cache_dir({"HOME": home}, "darwin") == tmp_path / "Library" / "Caches"
    assert cache_dir({"HOME": home, "LOCALAPPDATA": r"C:\Users\me\AppData\Local"}, "win32") == Path(
        r"C:\Users\me\AppData\Local"
    )


@linux_only
def test_the_crash_log_carries_no_secret_of_the_run(
    crashing: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bug whose message quotes a DSN (from the command line or the environment) leaves it
    masked in the log."""
    monkeypatch.setenv("PROD_DATABASE", "host=db password=envSecret91 dbname=app")

    def quoting(args: object, *rest: object) -> int:
        raise RuntimeError(f"bug near {os.environ['PROD_DATABASE']} and postgresql://u:argSecret42@db/app")

    monkeypatch.setattr(app, "run", quoting)
    assert cli.main(["inspect", "postgresql://u:argSecret42@db/app"]) == 3
    [log] = (crashing / "schemalint").iterdir()
    text = log.read_text()
    assert "bug near host=db password=*** dbname=app" in text
    assert "argSecret42" not in text and "envSecret91" not in text
    assert "argSecret42" not in capsys.readouterr().err
