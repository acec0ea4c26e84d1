"""Configuration: find, load, validate → frozen Settings.

The configuration is the nearest `.schemalint.yaml` (or `.yml`) or
`pyproject.toml` with a `[tool.schemalint]` table, walking up from the working
directory; `extend = "path"` includes another configuration explicitly (the
extending file wins). Rule settings come in layers, later ones winning: the
packs (in order), the extended files, the configuration file, the command line.
Everything is validated strictly: an unknown key, rule code, option or a wrong
type is a ConfigError with a did-you-mean.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from schemalint import yamltext
from schemalint.config.packs import (
    SEVERITIES,
    Layer,
    RuleSetting,
    check_selector,
    load_pack,
    parse_layer,
    resolve_rules,
    selector_matches_code,
    string_list,
    table,
    unknown_key_error,
)
from schemalint.errors import ConfigError
from schemalint.findings import Severity

CONFIG_KEYS = (
    "extend", "migrations", "packs", "select", "extend-select", "ignore", "severity", "rules",
    "per-file-ignores", "per-object-ignores", "fail-on", "target-postgres", "schemas", "exclude-schemas",
    "domains", "doc", "cache-dir",
)  # fmt: skip
# [tool.schemalint.doc]: the schema document's header (written once, then kept by hand) and
# relationship labels of its diagram (constraint name or table.column → label)
DOC_KEYS = ("project", "database", "version", "author", "status", "reviewers", "date", "labels")
CLI_APPENDS = ("extend-select", "ignore", "packs")  # command-line values add to the file's; others replace
DEFAULT_PACKS = ("standard",)
CONFIG_NAMES = (".schemalint.yaml", ".schemalint.yml", "pyproject.toml")
COMMAND_LINE = "command line"


@dataclass(frozen=True, slots=True)
class SettingSource:
    """One effective setting, for `schemalint config`: its value and where it came from."""

    key: str
    value: Any
    origin: str  # "default", "pack standard (path)", a config file path, "command line"


@dataclass(frozen=True)
class Settings:
    """The effective configuration of a run. Build it with load_settings (or Settings.default)."""

    root: Path  # the configuration file's directory (or the working directory); globs are relative to it
    config_path: Path | None = None
    migrations: Path | None = None
    packs: tuple[str, ...] = DEFAULT_PACKS
    fail_on: Severity | Literal["never"] = "error"
    target_postgres: int = 15
    schemas: tuple[str, ...] = ()
    exclude_schemas: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (glob, selectors)
    per_object_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    domains: tuple[tuple[str, str], ...] = ()  # (table glob, domain name)
    doc: Mapping[str, Any] = field(default_factory=dict)  # DOC_KEYS
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)  # every registered rule, by code
    origins: Mapping[str, str] = field(default_factory=dict)  # config key → origin
    cache_dir: Path | None = None  # where lint keeps its cache (None: .schemalint_cache at the root)

    @classmethod
    def default(cls, root: Path, *, packs: Sequence[str] = DEFAULT_PACKS) -> Settings:
        """Settings with no configuration file (for tests and library use)."""
        return load_settings(root, config_path=None, discover=False, default_packs=packs)

    def enabled(self) -> tuple[RuleSetting, ...]:
        return tuple(s for s in self.rules.values() if s.enabled)

    def is_enabled(self, code: str) -> bool:
        setting = self.rules.get(code)
        return setting is not None and setting.enabled

    def severity_of(self, code: str, default: Severity) -> Severity:
        setting = self.rules.get(code)
        return setting.severity if setting is not None else default

    def ignored_for_file(self, path: str, code: str) -> bool:
        relative = _relative(path, self.root)
        return any(
            _glob_matches(glob, relative) and any(selector_matches_code(s, code) for s in selectors)
            for glob, selectors in self.per_file_ignores
        )

    def ignored_for_object(self, qualname: str, code: str) -> bool:
        from fnmatch import fnmatchcase

        return any(
            fnmatchcase(qualname, glob) and any(selector_matches_code(s, code) for s in selectors)
            for glob, selectors in self.per_object_ignores
        )

    def explain_sources(self) -> tuple[SettingSource, ...]:
        """Every effective value and where it came from, config keys first, then each rule."""
        out = [SettingSource("config", str(self.config_path) if self.config_path else None, "discovery")]
        values: dict[str, Any] = {
            "migrations": str(self.migrations) if self.migrations else None,
            "cache-dir": str(self.cache_dir) if self.cache_dir else None,
            "packs": list(self.packs),
            "fail-on": self.fail_on,
            "target-postgres": self.target_postgres,
            "schemas": list(self.schemas),
            "exclude-schemas": list(self.exclude_schemas),
            "per-file-ignores": {glob: list(codes) for glob, codes in self.per_file_ignores},
            "per-object-ignores": {glob: list(codes) for glob, codes in self.per_object_ignores},
            "domains": dict(self.domains),
            "doc": dict(self.doc),
        }
        out += [SettingSource(key, value, self.origins.get(key, "default")) for key, value in values.items()]
        for code, setting in self.rules.items():
            state = "on" if setting.enabled else "off"
            out.append(SettingSource(f"rules.{code}", state, setting.origin))
            out.append(SettingSource(f"rules.{code}.severity", setting.severity, setting.severity_origin))
            for name, value in setting.options.items():
                origin = setting.option_origins.get(name, "default")
                out.append(SettingSource(f"rules.{code}.{name}", value, origin))
        return tuple(out)


def _relative(path: str, root: Path) -> str:
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix()


def _glob_matches(glob: str, relative: str) -> bool:
    from fnmatch import fnmatchcase

    if "/" not in glob:
        return fnmatchcase(relative.rsplit("/", 1)[-1], glob) or fnmatchcase(relative, glob)
    return fnmatchcase(relative, glob.removeprefix("./"))


def find_config(cwd: Path) -> Path | None:
    """The nearest configuration file, walking up from cwd (pyproject.toml only with [tool.schemalint])."""
    for directory in (cwd.resolve(), *cwd.resolve().parents):
        for name in CONFIG_NAMES:
            path = directory / name
            if path.is_file() and (name != "pyproject.toml" or _has_tool_table(path)):
                return path
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "schemalint" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def read_config_file(path: Path) -> dict[str, Any]:
    """The raw schemalint table of a configuration file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from None
    if path.suffix == ".toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: invalid TOML: {error}") from None
        data = data.get("tool", {}).get("schemalint")
        if data is None:
            raise ConfigError(f"{path}: no [tool.schemalint] table")
    else:
        data = yamltext.load(text, str(path)) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a table of keys, found {type(data).__name__}")
    for key in data:
        if key not in CONFIG_KEYS:
            raise unknown_key_error(str(path), str(key), CONFIG_KEYS)
    return data


@dataclass
class _Collected:
    values: dict[str, Any] = field(default_factory=dict)  # validated non-rule keys
    origins: dict[str, str] = field(default_factory=dict)
    layers: list[Layer] = field(default_factory=list)


def _absorb(found: _Collected, data: Mapping[str, Any], origin: str, base: Path, *, cli: bool) -> None:
    where = origin if not cli else COMMAND_LINE
    for key, value in data.items():
        if value is None or key in ("extend", "select", "extend-select", "ignore", "severity", "rules"):
            continue
        checked = _check_value(where, key, value, base)
        if cli and key in CLI_APPENDS and key in found.values:
            checked = (*found.values[key], *checked)
        elif isinstance(checked, tuple) and key in ("per-file-ignores", "per-object-ignores", "domains"):
            earlier = dict(found.values.get(key, ()))
            checked = tuple((earlier | dict(checked)).items())
        found.values[key] = checked
        found.origins[key] = origin
    rule_keys = {k: data[k] for k in ("select", "extend-select", "ignore", "severity", "rules") if k in data}
    if rule_keys:
        found.layers.append(parse_layer(origin, rule_keys, where=where))


def _check_value(where: str, key: str, value: Any, base: Path) -> Any:
    if key in ("migrations", "cache-dir"):
        if not isinstance(value, str | Path):
            raise ConfigError(f"{where}: {key} must be a path string, found {value!r}")
        path = Path(value).expanduser()
        return path if path.is_absolute() else base / path
    if key == "packs":
        specs = string_list(where, key, value)
        return tuple(str(base / s) if ("/" in s or s.endswith((".yaml", ".yml"))) else s for s in specs)
    if key == "fail-on":
        if value not in (*SEVERITIES, "never"):
            raise ConfigError(
                f"{where}: fail-on must be one of {', '.join((*SEVERITIES, 'never'))}, found {value!r}"
            )
        return value
    if key == "target-postgres":
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not 9 <= value <= 30:
            raise ConfigError(f"{where}: target-postgres must be a major version such as 15, found {value!r}")
        return value
    if key in ("schemas", "exclude-schemas"):
        return string_list(where, key, value)
    if key in ("per-file-ignores", "per-object-ignores"):
        pairs = []
        for glob, selectors in table(where, key, value).items():
            codes = string_list(where, f"{key}.{glob}", selectors)
            pairs.append((str(glob), tuple(check_selector(where, f"{key}.{glob}", c) for c in codes)))
        return tuple(pairs)
    if key == "domains":
        domains = []
        for glob, name in table(where, key, value).items():
            if not isinstance(name, str):
                raise ConfigError(f"{where}: domains.{glob} must be a domain name, found {name!r}")
            domains.append((str(glob), name))
        return tuple(domains)
    if key == "doc":
        return _check_doc(where, value)
    raise unknown_key_error(where, key, CONFIG_KEYS)


def _check_doc(where: str, value: Any) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for name, item in table(where, "doc", value).items():
        if name not in DOC_KEYS:
            raise unknown_key_error(where, f"doc.{name}", tuple(f"doc.{k}" for k in DOC_KEYS))
        if name == "labels":
            labels = table(where, "doc.labels", item)
            for fk, label in labels.items():
                if not isinstance(label, str):
                    raise ConfigError(f"{where}: doc.labels.{fk} must be a label string, found {label!r}")
            checked[name] = {str(k): v for k, v in labels.items()}
        elif isinstance(item, str) or (name == "version" and isinstance(item, int | float)):
            checked[name] = str(item)
        else:
            raise ConfigError(f"{where}: doc.{name} must be a string, found {item!r}")
    return checked


def _file_chain(path: Path, seen: tuple[Path, ...] = ()) -> list[tuple[Path, dict[str, Any]]]:
    """The file and the files it extends, base first."""
    resolved = path.resolve()
    if resolved in seen:
        cycle = " → ".join(str(p) for p in (*seen, resolved))
        raise ConfigError(f"{path}: extend makes a cycle: {cycle}")
    data = read_config_file(path)
    chain: list[tuple[Path, dict[str, Any]]] = []
    if "extend" in data:
        if not isinstance(data["extend"], str):
            raise ConfigError(f"{path}: extend must be a path string, found {data['extend']!r}")
        target = (path.parent / Path(data["extend"]).expanduser()).resolve()
        if not target.is_file():
            raise ConfigError(f"{path}: extend: no such file {target}")
        chain = _file_chain(target, (*seen, resolved))
    return [*chain, (resolved, data)]


def load_settings(
    cwd: Path,
    *,
    config_path: Path | None = None,
    cli_overrides: Mapping[str, Any] | None = None,
    discover: bool = True,
    default_packs: Sequence[str] = DEFAULT_PACKS,
) -> Settings:
    """The effective settings for a run in `cwd`.

    cli_overrides uses the configuration's key names (`select`, `ignore`,
    `fail-on`, `packs`, …); None values are ignored. `ignore`, `extend-select`
    and `packs` add to the file's values, every other key replaces it. Relative
    paths on the command line are relative to `cwd`.
    """
    cwd = cwd.resolve()
    if config_path is not None:
        config_path = (cwd / config_path).resolve()
        if not config_path.is_file():
            raise ConfigError(f"--config {config_path}: no such file")
    elif discover:
        config_path = find_config(cwd)
    found = _Collected()
    if config_path is not None:
        for path, data in _file_chain(config_path):
            _absorb(found, data, str(path), path.parent, cli=False)
    file_layers = found.layers
    found.layers = []
    overrides = {k: v for k, v in (cli_overrides or {}).items() if v is not None}
    for key in overrides:
        if key not in CONFIG_KEYS or key == "extend":
            raise unknown_key_error(COMMAND_LINE, key, CONFIG_KEYS)
    if "packs" in overrides and "packs" not in found.values:
        found.values["packs"] = tuple(default_packs)  # command-line packs add to the default ones
    _absorb(found, overrides, COMMAND_LINE, cwd, cli=True)
    cli_layers = found.layers

    root = config_path.parent if config_path is not None else cwd
    packs: tuple[str, ...] = found.values.get("packs", tuple(default_packs))
    pack_layers = [load_pack(spec, root) for spec in packs]
    rules = resolve_rules([*pack_layers, *file_layers, *cli_layers])
    values = found.values
    return Settings(
        root=root,
        config_path=config_path,
        migrations=values.get("migrations"),
        cache_dir=values.get("cache-dir"),
        packs=packs,
        fail_on=values.get("fail-on", "error"),
        target_postgres=values.get("target-postgres", 15),
        schemas=values.get("schemas", ()),
        exclude_schemas=values.get("exclude-schemas", ()),
        per_file_ignores=values.get("per-file-ignores", ()),
        per_object_ignores=values.get("per-object-ignores", ()),
        domains=values.get("domains", ()),
        doc=values.get("doc", {}),
        rules=rules,
        origins=found.origins,
    )
