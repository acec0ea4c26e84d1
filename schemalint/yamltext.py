"""YAML text read by schemalint (configuration files, rule packs): safe loading through libyaml's
parser when PyYAML has it (five times faster than the pure-Python one on the standard pack, which
every lint reads), and one error line naming the file and line."""

from __future__ import annotations

from typing import Any

import yaml

from schemalint.errors import ConfigError

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str, where: str, what: str = "YAML") -> Any:
    """The value of `text`; a ConfigError "where:line: invalid {what}: problem" when it does not read."""
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader: plain data only
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f"{where}:{mark.line + 1}" if mark is not None else where
        raise ConfigError(f"{place}: invalid {what}: {getattr(error, 'problem', error)}") from None
