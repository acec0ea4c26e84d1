"""Static replay: apply parsed statements in order to a model.

A package by object kind (see ARCHITECTURE.md): ``state`` holds the model being
built and how names resolve, and knows no handlers; ``dispatch`` holds the one
table from statement kind to handler and the Replayer that applies statements;
each other module replays one kind of object (``tables``, ``columns``,
``constraints``, ``indexes``, ``alter_table``, ``datatypes``, ``views``,
``functions``, ``triggers``, ``policies``, ``sequences``, ``schemas``, ``drop``,
``rename``, ``comments``, ``do_blocks``). ``nodes`` is the package's one import
of postgast.
"""

from __future__ import annotations

from schemalint.sources.sql.replay.dispatch import (
    E001_CODE,
    E001_SLUG,
    HANDLERS,
    Replayer,
    ReplayResult,
    replay_files,
)
from schemalint.sources.sql.replay.state import NotReplayed, Refused, Replay, State

__all__ = [
    "E001_CODE",
    "E001_SLUG",
    "HANDLERS",
    "NotReplayed",
    "Refused",
    "Replay",
    "ReplayResult",
    "Replayer",
    "State",
    "replay_files",
]
