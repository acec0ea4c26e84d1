"""Where an internal error's traceback goes: a new file in the user's own cache directory.

Never a fixed path in a shared directory: there, one user's log blocks the next user's
(permission denied) and a planted symbolic link redirects the write. The cache directory
is the platform's (no dependency for it), the `schemalint/` folder in it is made 0700 and
must be a real directory the user owns, and the log is a new file with a random name
created exclusively (tempfile.mkstemp: O_CREAT | O_EXCL | O_NOFOLLOW, mode 0600).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path


def cache_dir(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The user's cache directory: $XDG_CACHE_HOME or ~/.cache (Linux and other Unixes),
    ~/Library/Caches (macOS), %LOCALAPPDATA% (Windows)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    home = Path(environ.get("HOME") or Path.home())
    if platform == "win32":
        local = environ.get("LOCALAPPDATA")
        return Path(local) if local else home / "AppData" / "Local"
    if platform == "darwin":
        return home / "Library" / "Caches"
    xdg = environ.get("XDG_CACHE_HOME", "")
    return Path(xdg) if os.path.isabs(xdg) else home / ".cache"  # the spec ignores a relative value


def write_crash_log(text: str, directory: Path | None = None) -> Path:
    """Write text to a new crash-<time>-<random>.log under <cache>/schemalint; its path.

    OSError when that cannot be done safely: the folder is a symbolic link, not a
    directory, not the user's, or writable by others; or the file cannot be created."""
    folder = (directory if directory is not None else cache_dir()) / "schemalint"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = os.lstat(folder)
    if not stat.S_ISDIR(found.st_mode):
        raise OSError(f"{folder} is not a directory (a symbolic link?)")
    if hasattr(os, "getuid") and (found.st_uid != os.getuid() or found.st_mode & 0o022):
        raise OSError(f"{folder} is not a directory only its owner can write to")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    handle, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".log", dir=folder, text=True)
    with os.fdopen(handle, "w", encoding="utf-8") as log:
        log.write(text)
    return Path(name)
