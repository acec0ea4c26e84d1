"""The files a lint of some targets reads: the targets, and the history replayed before them.

Linting a migration replays the migrations before it, so that statement rules see the
model as it is when the migration runs. A directory is a migrations directory, in
version order (order.py); a versioned file is replayed with its directory; a schema
file or document stands alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from schemalint.sources.load import sql_files
from schemalint.sources.sql.order import migration_listing, version_key


class Expanded(NamedTuple):
    files: list[Path]  # the target files, in order, no repeats
    history: list[Path]  # the files to replay: the targets' history and themselves
    real: list[str]  # the real path of each file of history (real_paths)


def expand_targets(targets: Sequence[Path]) -> Expanded:
    """(target files, the files to replay: their history and themselves), both in order, no repeats,
    and the real paths of the second.

    A directory is a migrations directory, in version order. A versioned file (V42__x.sql) is
    replayed with its directory, so that the model is the whole directory's; when the targets
    name every migration of their directory, they are that history, in the order given. A
    schema file or document stands alone.
    """
    files: list[Path] = []
    history: list[tuple[Path, str]] = []  # each file with its real path, resolved once
    listed = {os.path.realpath(t) for t in targets if not t.is_dir()}
    # each directory is listed and resolved once: per file argument, that made a list of n
    # files in one directory cost O(n²) (ory-kratos: 346 files)
    directories: dict[Path, tuple[list[tuple[Path, str]], frozenset[str]]] = {}
    for target in targets:
        if target.is_dir():
            found = sql_files(target)  # a SourceError when the directory holds no migration
            files += found
            history += zip(found, real_paths(found), strict=True)
            continue
        files.append(target)
        if not is_versioned(target):
            history += zip([target], real_paths([target]), strict=True)
            continue
        parent = target.parent
        if parent not in directories:
            siblings = migration_listing(parent)
            directories[parent] = (siblings, frozenset(real for _, real in siblings))
        siblings, resolved = directories[parent]
        if os.path.realpath(target) not in resolved or resolved <= listed:
            # not a migration of its directory, or the whole history given
            history += zip([target], real_paths([target]), strict=True)
        else:
            history += siblings
    replayed = _first_of_each(history)
    return Expanded(unique_paths(files), list(replayed.values()), list(replayed))


def is_versioned(path: Path) -> bool:
    return path.suffix.lower() == ".sql" and version_key(path, path.parent)[0] == 0


def real_path(path: Path) -> Path:
    """path with its symbolic links followed, as Path.resolve() but also for a link loop (which
    Path.resolve() raises RuntimeError on before Python 3.13): reading it says what is wrong."""
    return Path(os.path.realpath(path))


def real_paths(paths: Iterable[Path]) -> list[str]:
    """The real path of each (as a string: making Path objects cost as much again), resolving
    each directory once: a file that is no link is its directory's real path and its name
    (os.path.realpath walks every component of every path: for a history of 2,000 files that
    was most of a pre-commit run on a warm cache)."""
    directories: dict[str, str] = {}
    out = []
    for path in paths:
        text = os.fspath(path)
        folder, name = os.path.split(text)
        if name in ("", ".", "..") or os.path.islink(text):
            out.append(os.path.realpath(path))
            continue
        parent = directories.get(folder)
        if parent is None:
            parent = directories[folder] = os.path.realpath(folder or ".")
        out.append(os.path.join(parent, name))
    return out


def unique_paths(paths: Iterable[Path]) -> list[Path]:
    given = list(paths)
    return list(_first_of_each(zip(given, real_paths(given), strict=True)).values())


def _first_of_each(resolved: Iterable[tuple[Path, str]]) -> dict[str, Path]:
    """The paths in order, each real path's first only, by their real paths."""
    seen: dict[str, Path] = {}
    for path, real in resolved:
        seen.setdefault(real, path)
    return seen
