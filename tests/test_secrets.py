"""No secret of a DSN is ever printed: every command, every format, every file written.

Each DSN below carries secrets no other text has (libpq's password and sslpassword, in a URI's
userinfo and query, as key=value pairs, quoted with spaces, and inside DSNs that do not parse
or reach no server). The test server trusts local connections, so the good DSNs connect with
their passwords ignored. Every run's stdout, stderr, -o file and $GITHUB_STEP_SUMMARY is
searched for every secret.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import missing_extensions

from schemalint.cli import main
from schemalint.report import FORMATS

pytestmark = pytest.mark.catalog

EXAMPLES = Path(__file__).parent.parent / "examples"
SECRETS = (
    "uriPW8d1c",
    "uriSSLe02f",
    "kvPW77ab",
    "kv SSL 9c3d",
    "badQUOTE51",
    "strayPW60",
    "ipv6PW42",
    "downPW13",
    "envPW7e",
    "optPW2b",
)


@pytest.fixture
def database(pg: str, run_sql: Any) -> str:
    if missing_extensions(pg, "pgcrypto"):
        pytest.skip("the server lacks pgcrypto, which the example migrations create")
    for path in sorted((EXAMPLES / "migrations").glob("*.sql")):
        run_sql(pg, path.read_text())
    return pg


def _good(pg: str) -> list[str]:
    parts = urlsplit(pg)
    host, port, user, name = parts.hostname, parts.port or 5432, parts.username, parts.path[1:]
    return [
        f"postgresql://{user}:{SECRETS[0]}@{host}:{port}/{name}?sslpassword={SECRETS[1]}",
        f"host={host} port={port} user={user} dbname={name} password={SECRETS[2]} sslpassword='{SECRETS[3]}'",
    ]


def _bad(pg: str) -> list[str]:
    host = urlsplit(pg).hostname
    return [
        f"host={host} port=5432 password='{SECRETS[4]}",  # unterminated quote
        f"host={host} password={SECRETS[5]} oops",  # a stray word
        f"postgresql://u:{SECRETS[6]}@[::1:1/db",  # libpq echoes a URI it cannot parse
        f"postgresql://u:{SECRETS[7]}@{host}:1/db",  # nothing listens on port 1
        f"postgresql://{urlsplit(pg).username}@{host}:5432/db?options=-c%20password%3D{SECRETS[9]}",
    ]


class Runs:
    """Runs the CLI in-process and keeps every byte it printed or wrote."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp_path = tmp_path
        self.capsys = capsys
        self.texts: list[tuple[str, str]] = []
        self.count = 0

    def __call__(self, *argv: str, output: bool = False) -> int:
        self.count += 1
        out_file = self.tmp_path / f"out-{self.count}"
        args = [*argv, "-o", str(out_file)] if output else list(argv)
        code = main(args)
        out, err = self.capsys.readouterr()
        where = " ".join(a for a in argv[:3] if "://" not in a and "=" not in a)
        self.texts += [(f"stdout of {where}", out), (f"stderr of {where}", err)]
        assert code != 3, f"{argv[0]} crashed: {err}"
        return code

    def written(self) -> Iterator[tuple[str, str]]:
        for path in sorted(self.tmp_path.rglob("*")):
            if path.is_file() and not path.name.startswith("input-"):
                yield str(path), path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Runs]:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "step-summary.md"))
    monkeypatch.chdir(tmp_path)
    recorder = Runs(tmp_path, capsys)
    yield recorder
    for where, text in [*recorder.texts, *recorder.written()]:
        for secret in SECRETS:
            assert secret not in text, f"secret {secret!r} in {where}"


def test_every_command_and_format_with_good_dsns(database: str, runs: Runs, tmp_path: Path) -> None:
    migrations = str(EXAMPLES / "migrations")
    for dsn in _good(database):
        for fmt in FORMATS:
            assert runs("lint", dsn, "--format", fmt, output=True) in (0, 1)
            assert runs("lint", dsn, "--format", fmt) in (0, 1)
            assert runs("drift", migrations, dsn, "--format", fmt) in (0, 1)
            assert runs("drift", migrations, dsn, "--format", fmt, output=True) in (0, 1)
        assert runs("baseline", dsn, output=True) == 0
        for fmt in ("json", "text"):
            assert runs("inspect", dsn, "--format", fmt) == 0
        for fmt in ("mermaid", "dot"):
            assert runs("erd", dsn, "--format", fmt) == 0
        assert runs("erd", dsn, "--split", "component", output=True) == 0
        assert runs("doc", dsn) == 0
        assert runs("doc", dsn, output=True) == 0
        assert runs("drift", dsn, dsn, "--format", "json") == 0
        assert runs("drift", migrations, dsn, "--sql") in (0, 1)
        assert runs("drift", migrations, dsn, "--each-schema", "public") in (0, 1)
        assert runs("drift", migrations, dsn, "--shadow", dsn) == 2  # refused: the shadow is the live one


def test_live_env_and_fleets(
    database: str, runs: Runs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _good(database)
    monkeypatch.setenv("LIVE_DATABASE", good[0].replace(SECRETS[0], SECRETS[8]))
    migrations = str(EXAMPLES / "migrations")
    for fmt in FORMATS:
        assert runs("drift", migrations, "--live-env", "LIVE_DATABASE", "--format", fmt) in (0, 1)
    fleet = tmp_path / "input-fleet.txt"
    fleet.write_text("\n".join([*good, *_bad(database)]) + "\n")
    for fmt in FORMATS:
        assert runs("drift", migrations, "--live-dsns", str(fleet), "--format", fmt, output=True) == 2


def test_dsns_that_fail_or_do_not_parse(database: str, runs: Runs) -> None:
    migrations = str(EXAMPLES / "migrations")
    for dsn in _bad(database):
        for fmt in FORMATS:
            assert runs("lint", dsn, "--format", fmt, output=True) == 2
        assert runs("inspect", dsn) == 2
        assert runs("erd", dsn) == 2
        assert runs("doc", dsn, output=True) == 2
        assert runs("baseline", dsn, output=True) == 2
        assert runs("drift", migrations, dsn, "--format", "json") == 2
        assert runs("drift", dsn, migrations) == 2
        assert runs("drift", migrations, migrations, "--shadow", dsn) == 2


def test_argument_errors_do_not_echo_a_dsn(database: str, runs: Runs) -> None:
    good = _good(database)
    with pytest.raises(SystemExit) as raised:
        runs("erd", good[0], good[1])  # one SOURCE too many: argparse names the extra argument
    assert raised.value.code == 2
    runs.texts.append(("stderr of erd", runs.capsys.readouterr().err))
