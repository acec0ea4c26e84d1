"""Rule packs: an organisation's standards as data (which rules, severities, options).

A pack is a YAML file with the same rule keys as the configuration:

    name: acme
    description: ACME's schema standard
    select: [N, C, T]          # replaces the selection made before this pack
    extend-select: [K001]      # adds to it
    ignore: [N005]             # removes from it
    severity: {T004: error}
    rules:
      C001: {exempt_tables: [legacy_*]}              # adds to the list of the packs before
      N001: {exempt_tables: {replace: [legacy_*]}}   # replaces it

A list option extends the value the layers before gave it (a pack that exempts
its legacy tables keeps the standard pack's migration-tool tables exempt);
`{replace: [...]}` replaces it. Other options replace.

Built-in packs ship in the wheel as schemalint/packs/*.yaml (from the
repository's rules/ directory). A layer is one source of rule settings: a pack,
a configuration file, or the command line; config.py resolves layers in order.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from schemalint import yamltext
from schemalint.errors import ConfigError
from schemalint.findings import Severity
from schemalint.rules.base import Rule
from schemalint.rules.registry import ALL_RULES, did_you_mean, rule_by_code_or_slug

SEVERITIES: tuple[str, ...] = get_args(Severity)
PACK_KEYS = ("name", "description", "select", "extend-select", "ignore", "severity", "rules")


@dataclass(frozen=True, slots=True)
class Layer:
    """Rule settings from one origin (a pack, a config file, the command line), validated."""

    origin: str
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)  # code → level
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # code → options


@dataclass(frozen=True, slots=True)
class Replace:
    """A list option's value that replaces the earlier layers' list: ``{replace: [...]}``."""

    values: tuple[str, ...]


def merged_option(earlier: Any, value: Any) -> Any:
    """An option's value after a layer sets it: a list extends the earlier list, Replace replaces it."""
    if isinstance(value, Replace):
        return list(value.values)
    if isinstance(value, list) and isinstance(earlier, list):
        return [*earlier, *(item for item in value if item not in earlier)]
    return value


def unknown_key_error(where: str, key: str, allowed: tuple[str, ...] | list[str]) -> ConfigError:
    close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(allowed)})"
    return ConfigError(f"{where}: unknown key {key!r}{hint}")


def string_list(where: str, key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ConfigError(f"{where}: {key} must be a list of strings, found {_kind(value)} {value!r}")
    for item in value:
        if not isinstance(item, str):
            raise ConfigError(f"{where}: {key} must be a list of strings, found {_kind(item)} {item!r}")
    return tuple(value)


def table(where: str, key: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: {key} must be a table, found {_kind(value)} {value!r}")
    return value


def _kind(value: object) -> str:
    return {str: "string", int: "integer", bool: "boolean", float: "number", list: "list", dict: "table"}.get(
        type(value), type(value).__name__
    )


def check_selector(where: str, key: str, selector: str) -> str:
    """A selector (ALL, a code, a code prefix, or a slug) that matches at least one rule."""
    if selector == "ALL" or any(selector_rank(selector, rule) is not None for rule in ALL_RULES):
        return selector
    raise ConfigError(f"{where}: {key}: no rule matches {selector!r}{did_you_mean(selector)}")


def selector_rank(selector: str, rule: type[Rule]) -> int | None:
    """How specifically a selector names a rule (higher wins), None when it does not match."""
    if selector == "ALL":
        return 0
    if selector == rule.slug:
        return 100
    upper = selector.upper()
    if upper == rule.code:
        return 50
    if rule.code.startswith(upper) and upper[:1].isalpha():
        return len(upper)
    return None


def rule_code(where: str, key: str, name: str) -> str:
    rule = rule_by_code_or_slug(name)
    if rule is None:
        raise ConfigError(f"{where}: {key}: unknown rule {name!r}{did_you_mean(name)}")
    return rule.code


def check_option_value(where: str, rule: type[Rule], name: str, value: object) -> object:
    options = {option.name: option for option in rule.options}
    if name not in options:
        known = list(options) or ["none: the rule has no options"]
        close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
        raise ConfigError(f"{where}: rules.{rule.code}: unknown option {name!r}{hint}")
    option = options[name]
    key = f"rules.{rule.code}.{name}"
    if option.type is list:
        if isinstance(value, Mapping):
            if set(value) != {"replace"}:
                raise ConfigError(
                    f"{where}: {key} must be a list of strings (added to the packs' list) or "
                    f"{{replace: [...]}} (replacing it), found a table with {', '.join(map(str, value))}"
                )
            return Replace(string_list(where, f"{key}.replace", value["replace"]))
        return list(string_list(where, key, value))
    if option.type is dict:
        return dict(table(where, key, value))
    wrong = not isinstance(value, option.type) or (option.type is int and isinstance(value, bool))
    if wrong:
        raise ConfigError(f"{where}: {key} must be {_kind(option.default)}, found {_kind(value)} {value!r}")
    return value


def _validated_options(where: str, rule: type[Rule], options: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: check_option_value(where, rule, name, value) for name, value in options.items()}
    validate = getattr(rule, "validate_option", None)
    for name, value in values.items():
        plain = list(value.values) if isinstance(value, Replace) else value
        problem = validate(name, plain) if validate is not None else None
        if problem:
            raise ConfigError(f"{where}: rules.{rule.code}: {problem}")
    return values


def parse_layer(origin: str, data: Mapping[str, Any], *, where: str | None = None) -> Layer:
    """Validate the rule keys (select, extend-select, ignore, severity, rules) of a pack or config."""
    where = where or origin
    select = None
    if data.get("select") is not None:
        select = tuple(
            check_selector(where, "select", s) for s in string_list(where, "select", data["select"])
        )
    extend = tuple(
        check_selector(where, "extend-select", s)
        for s in string_list(where, "extend-select", data.get("extend-select", []))
    )
    ignore = tuple(
        check_selector(where, "ignore", s) for s in string_list(where, "ignore", data.get("ignore", []))
    )
    severity: dict[str, Severity] = {}
    for name, level in table(where, "severity", data.get("severity", {})).items():
        code = rule_code(where, "severity", str(name))
        if level not in SEVERITIES:
            raise ConfigError(
                f"{where}: severity.{name} must be one of {', '.join(SEVERITIES)}, found {level!r}"
                f"{did_you_mean(str(level), SEVERITIES)}"
            )
        severity[code] = level
    rules: dict[str, dict[str, Any]] = {}
    for name, options in table(where, "rules", data.get("rules", {})).items():
        code = rule_code(where, "rules", str(name))
        rule = rule_by_code_or_slug(code)
        assert rule is not None
        rules[code] = _validated_options(where, rule, table(where, f"rules.{name}", options or {}))
    return Layer(origin, select, extend, ignore, severity, rules)


def builtin_pack_dirs() -> list[Path]:
    """Where built-in packs live: the wheel's schemalint/packs, or the checkout's rules/."""
    dirs = [Path(str(resources.files("schemalint"))) / "packs", Path(__file__).resolve().parents[2] / "rules"]
    return [d for d in dirs if d.is_dir()]


def available_packs() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for directory in reversed(builtin_pack_dirs()):
        for path in sorted(directory.glob("*.yaml")):
            found[path.stem] = path
    return dict(sorted(found.items()))


def pack_path(spec: str, base: Path) -> Path:
    """The file of a pack given by name (`standard`) or by path (relative to `base`)."""
    looks_like_path = "/" in spec or "\\" in spec or spec.endswith((".yaml", ".yml"))
    if not looks_like_path:
        packs = available_packs()
        if spec not in packs:
            raise ConfigError(
                f"unknown rule pack {spec!r}{did_you_mean(spec, list(packs))}; built-in packs: "
                f"{', '.join(packs) or 'none'}; give a path for your own pack"
            )
        return packs[spec]
    path = Path(spec).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise ConfigError(f"rule pack {spec}: no such file {path}")
    return path


def load_pack(spec: str, base: Path) -> Layer:
    """Load and validate a pack; its layer's origin is `pack NAME (path)`."""
    path = pack_path(spec, base)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read rule pack: {error}") from None
    data = yamltext.load(text, str(path), "YAML in rule pack")
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: a rule pack must be a table of {', '.join(PACK_KEYS)}")
    for key in data:
        if key not in PACK_KEYS:
            raise unknown_key_error(str(path), str(key), PACK_KEYS)
    name = str(data.get("name") or path.stem)
    return parse_layer(f"pack {name} ({path})", data, where=str(path))


@dataclass(frozen=True, slots=True)
class RuleSetting:
    """The effective settings of one rule, and where each came from."""

    rule: type[Rule]
    enabled: bool
    severity: Severity
    options: Mapping[str, Any]
    origin: str  # where it was turned on or off
    severity_origin: str = "default"
    option_origins: Mapping[str, str] = field(default_factory=dict)

    def instance(self) -> Rule:
        return self.rule(self.options)


def selector_matches_code(selector: str, code: str) -> bool:
    rule = rule_by_code_or_slug(code)
    return rule is not None and selector_rank(selector, rule) is not None


def _best(selectors: tuple[str, ...], rule: type[Rule]) -> int | None:
    ranks = [r for r in (selector_rank(s, rule) for s in selectors) if r is not None]
    return max(ranks) if ranks else None


def resolve_rules(layers: list[Layer]) -> dict[str, RuleSetting]:
    """Every registered rule's settings after applying the layers in order.

    In one layer the most specific selector wins (slug > code > longer prefix >
    ALL; an ignore wins a tie); a later layer overrides an earlier one. A layer
    with `select` turns off what it does not select, except engine rules
    (E…) and drift rules (D…), which only an explicit ignore turns off.
    """
    from schemalint.rules.registry import DRIFT_CODES, ENGINE_CODES

    resolved: dict[str, RuleSetting] = {}
    for rule in ALL_RULES:
        engine = rule.code in ENGINE_CODES or rule.code in DRIFT_CODES
        enabled, origin = engine, "default"
        severity, severity_origin = rule.severity, "default"
        options = {option.name: option.default for option in rule.options}
        option_origins: dict[str, str] = {}
        for layer in layers:
            chosen = _best((*(layer.select or ()), *layer.extend_select), rule)
            dropped = _best(layer.ignore, rule)
            if dropped is not None and (chosen is None or dropped >= chosen):
                enabled, origin = False, layer.origin
            elif chosen is not None:
                enabled, origin = True, layer.origin
            elif layer.select is not None and not engine:
                enabled, origin = False, layer.origin
            if rule.code in layer.severity:
                severity, severity_origin = layer.severity[rule.code], layer.origin
            for name, value in layer.rules.get(rule.code, {}).items():
                extends = isinstance(value, list) and isinstance(options.get(name), list) and options[name]
                options[name] = merged_option(options.get(name), value)
                earlier = option_origins.get(name)
                option_origins[name] = f"{earlier} + {layer.origin}" if extends and earlier else layer.origin
        resolved[rule.code] = RuleSetting(
            rule, enabled, severity, options, origin, severity_origin, option_origins
        )
    return resolved
