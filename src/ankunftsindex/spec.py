"""The spec (``indicators.yaml``): pydantic models, loading with file:line:col errors.

The keys and their meaning are fixed by METHOD.md (spec version 1). YAML is read with
ruamel.yaml's composer so that every value keeps its position, codes such as ``01001``
stay text, ``no`` stays ``no`` and duplicate keys are errors.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import SpecError

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
NORMALISE_METHODS = ("zscore", "robust_zscore", "minmax", "percentile", "rank", "none")


def _text(v: Any) -> Any:
    """Numbers written where text is meant (a class label 1, an ID 1001) become text."""
    return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


Label = Annotated[str, BeforeValidator(_text)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class InputMap(_Model):
    """Which input columns hold the area ID, name, period and population."""

    area: str
    name: str | None = None
    period: str | None = None
    population: str


class Exclusion(_Model):
    """An area left out of the computation by name, with the reason."""

    area: str
    reason: str

    @field_validator("area", mode="before")
    @classmethod
    def _area_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class Indicator(_Model):
    """One indicator: a ratio of input columns, a change of another indicator, or a column."""

    label: Label | None = None
    numerator: str | list[str] | None = None
    denominator: str | None = Field(
        default=None,
        description="Denominator column; left out: input.population; null: no division.",
    )
    per: float = 1.0
    type: Literal["flow", "stock"] = "stock"
    direction: Literal[1, -1] = 1
    change_of: str | None = None
    lag: int | None = Field(default=None, ge=1)
    column: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Indicator:
        kinds = [k for k in ("numerator", "change_of", "column") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "an indicator needs exactly one of `numerator`, `change_of` or `column`"
                + (f" (found {', '.join(kinds)})" if kinds else "")
            )
        if self.change_of is not None and self.lag is None:
            raise ValueError("`change_of` needs `lag` (periods between the two values)")
        if self.change_of is None and self.lag is not None:
            raise ValueError("`lag` only applies to `change_of` indicators")
        if self.numerator is None:
            # default values are fine (the canonical JSON writes them out)
            for key, default in (("denominator", None), ("per", 1.0), ("type", "stock")):
                if getattr(self, key) != default:
                    raise ValueError(f"`{key}` only applies to indicators with a `numerator`")
        if isinstance(self.numerator, list) and not self.numerator:
            raise ValueError("`numerator` lists at least one column")
        if not (math.isfinite(self.per) and self.per > 0):
            raise ValueError(f"`per` must be a positive number, got {self.per} "
                             "(use direction: -1 to reverse an indicator)")
        return self

    @property
    def kind(self) -> str:
        if self.change_of is not None:
            return "change"
        if self.column is not None:
            return "column"
        return "ratio"

    @property
    def numerator_columns(self) -> list[str]:
        if self.numerator is None:
            return []
        return [self.numerator] if isinstance(self.numerator, str) else list(self.numerator)


class ClassDef(_Model):
    """One class of an index: ``from <= value < to``; a missing bound is open."""

    label: Label
    from_: float | None = Field(default=None, alias="from")
    to: float | None = None


class Index(_Model):
    """One composite index: weights, normalisation, aggregation and classes."""

    label: Label | None = None
    weights: dict[str, float] = Field(min_length=1)
    normalise: Literal["zscore", "robust_zscore", "minmax", "percentile", "rank", "none"] = "zscore"
    ddof: Literal[0, 1] = 0
    winsorise: tuple[float, float] | None = None
    aggregate: Literal["mean", "sum", "geometric"] = "mean"
    standardise: bool = False
    reference_period: str | None = None
    classes: list[ClassDef] = Field(min_length=1)

    @field_validator("reference_period", mode="before")
    @classmethod
    def _period_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("ddof", "standardise", mode="before")
    @classmethod
    def _no_bool_int_mixup(cls, v: Any, info: Any) -> Any:
        if info.field_name == "ddof" and isinstance(v, bool):
            raise ValueError("ddof is 0 (population SD) or 1 (sample SD), not true/false")
        if info.field_name == "standardise" and not isinstance(v, bool):
            raise ValueError("standardise is true or false")
        return v

    @field_validator("weights")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        for key, w in v.items():
            if not (math.isfinite(w) and w > 0):
                raise ValueError(f"weight of {key!r} must be a positive number, got {w}")
        return v

    @field_validator("winsorise")
    @classmethod
    def _quantiles(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (0.0 <= v[0] < v[1] <= 1.0):
            raise ValueError("winsorise takes two quantiles with 0 <= lower < upper <= 1")
        return v


class Rule(_Model):
    """A typology rule: a label and an SQL boolean expression over output columns."""

    label: Label
    when: str


class Typology(_Model):
    """One label per scored area from the index classes; first matching rule wins."""

    column: str = "typ"
    rules: list[Rule] = Field(min_length=1)
    default: Label | None = None


class Spec(_Model):
    """The whole spec, version 1 (see docs/spec.md)."""

    spec_version: Literal[1]
    title: Label | None = None
    input: InputMap
    min_population: float = Field(default=0, ge=0)
    exclude: list[Exclusion] = Field(default_factory=list)
    window: int | None = Field(default=None, ge=1)
    indicators: dict[str, Indicator] = Field(min_length=1)
    indices: dict[str, Index] = Field(min_length=1)
    typology: Typology | None = None

    _where: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _default_denominator(self) -> Spec:
        # a ratio without `denominator` divides by the population; writing it into the
        # model makes the canonical spec say what is computed
        for ident, ind in self.indicators.items():
            if ind.kind == "ratio" and "denominator" not in ind.model_fields_set:
                self.indicators[ident] = ind.model_copy(
                    update={"denominator": self.input.population})
                self.indicators[ident].model_fields_set.add("denominator")
        return self

    # --- derived views used by the pipeline -------------------------------------------
    def used_indicators(self) -> list[str]:
        """Indicators that some index weights, in spec order."""
        used = {i for index in self.indices.values() for i in index.weights}
        return [i for i in self.indicators if i in used]

    def history_need(self, indicator_id: str) -> int:
        """How many periods before the current one an indicator's value reaches back."""
        ind = self.indicators[indicator_id]
        if ind.kind == "change":
            return (ind.lag or 0) + self.history_need(ind.change_of or "")
        if ind.kind == "ratio" and ind.type == "flow":
            return self.effective_window - 1
        return 0

    @property
    def effective_window(self) -> int:
        return self.window or 1

    def output_columns(self) -> list[str]:
        """Output column names in order (the period column only with input.period)."""
        cols = ["area", "name"]
        if self.input.period is not None:
            cols.append("period")
        cols += ["population", "status", *self.indicators]
        for index_id, index in self.indices.items():
            cols += [f"{index_id}_{i}_score" for i in index.weights]
            cols += [index_id, f"{index_id}_rank", f"{index_id}_class"]
        if self.typology is not None:
            cols.append(self.typology.column)
        return cols

    def canonical_json(self) -> str:
        """The spec as canonical JSON: defaults filled in, model key order, no spaces."""
        data = self.model_dump(mode="json", by_alias=True)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def sha256(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


# --- YAML with positions -------------------------------------------------------------

Path_ = tuple[str | int, ...]


@dataclass
class _Loaded:
    data: Any
    positions: dict[Path_, tuple[int, int]]


_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")


def _scalar(node: Any) -> Any:
    tag = str(node.tag)
    text = node.value
    if node.style in ("'", '"', "|", ">"):
        return text
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return text.lower() == "true"
    if tag.endswith(":int"):
        # codes such as 01001 keep their leading zero; only plain decimals become ints
        return int(text.replace("_", "")) if _INT.match(text) else text
    if tag.endswith(":float"):
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    return text


def _convert(node: Any, path: Path_, positions: dict[Path_, tuple[int, int]], source: str) -> Any:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            nested = isinstance(key_node, MappingNode | SequenceNode)
            key = None if nested else _scalar(key_node)
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise SpecError(
                    f"{source}:{line}:{col}: keys must be plain names",
                    code="spec-yaml",
                    hint="write keys as plain words, e.g. `weights:`",
                )
            key = str(key)
            if key in out:
                first = positions.get((*path, key), ("?", "?"))
                raise SpecError(
                    f"{source}:{line}:{col}: duplicate key {key!r} (first at line {first[0]})",
                    code="spec-duplicate-key",
                    hint="remove or rename one of the two entries",
                )
            positions[(*path, key)] = (line, col)
            out[key] = _convert(value_node, (*path, key), positions, source)
        return out
    if isinstance(node, SequenceNode):
        return [
            _convert(item, (*path, i), positions, source) for i, item in enumerate(node.value)
        ]
    return _scalar(node)


def _read_yaml(text: str, source: str) -> _Loaded:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise SpecError(
            f"{where}: YAML syntax error: {problem}",
            code="spec-yaml",
            hint="fix the YAML at that position (indentation, a missing ':' or bracket)",
        ) from None
    except YAMLError as exc:
        raise SpecError(f"{source}: YAML error: {exc}", code="spec-yaml") from None
    positions: dict[Path_, tuple[int, int]] = {}
    if node is None:
        raise SpecError(f"{source}: the spec is empty", code="spec-empty",
                        hint="start from the default indicators.yaml")
    return _Loaded(_convert(node, (), positions, source), positions)


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for model in (Spec, InputMap, Exclusion, Indicator, ClassDef, Index, Rule, Typology):
        for name, f in model.model_fields.items():
            keys.add(f.alias or name)
    return keys


def _dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


class _Where:
    """Turns a spec path into ``file:line:col`` using the positions of the YAML nodes."""

    def __init__(self, source: str, positions: dict[Path_, tuple[int, int]]):
        self.source = source
        self.positions = positions

    def __call__(self, path: Path_) -> str:
        path = tuple(path)
        while path and path not in self.positions:
            path = path[:-1]
        line, col = self.positions.get(path, (1, 1))
        return f"{self.source}:{line}:{col}"

    def fail(self, path: Path_, message: str, code: str, hint: str | None = None) -> SpecError:
        return SpecError(f"{self(path)}: {_dotted(path)}: {message}", code=code, hint=hint)


def _from_validation_error(exc: ValidationError, where: _Where) -> SpecError:
    lines = []
    first_hint = None
    known = _known_keys()
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            key = str(loc[-1]) if loc else ""
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            msg = f"unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            first_hint = first_hint or "see docs/spec.md for every key"
        elif err["type"] == "missing":
            msg = f"required key {str(loc[-1])!r} is missing"
            loc = (*loc[:-1], loc[-1])
        elif err["type"] == "literal_error":
            msg = f"{msg}, got {err.get('input')!r}"
        lines.append(f"{where(loc)}: {_dotted(loc)}: {msg}")
    head = lines[0]
    more = "" if len(lines) == 1 else "\n  " + "\n  ".join(lines[1:])
    return SpecError(head + more, code="spec-invalid",
                     hint=first_hint or "fix the spec at that position; see docs/spec.md")


def _check_classes(index_id: str, index: Index, where: _Where) -> None:
    path: Path_ = ("indices", index_id, "classes")
    ordered = sorted(
        enumerate(index.classes),
        key=lambda ic: -math.inf if ic[1].from_ is None else ic[1].from_,
    )
    labels = [c.label for c in index.classes]
    dup = {label for label in labels if labels.count(label) > 1}
    if dup:
        raise where.fail(path, f"class label {sorted(dup)[0]!r} appears twice", "spec-classes")
    hint = ("classes must cover the whole line: the lowest has no `from`, the highest no "
            "`to`, and each `to` equals the next `from`")
    first_i, first = ordered[0]
    if first.from_ is not None:
        raise where.fail((*path, first_i), f"values below {first.from_} fall in no class (gap)",
                         "spec-classes", hint)
    for (_, c), (j, nxt) in itertools.pairwise(ordered):
        if c.to is None or nxt.from_ is None:
            raise where.fail((*path, j), f"classes {c.label!r} and {nxt.label!r} overlap",
                             "spec-classes", hint)
        if c.to > nxt.from_:
            raise where.fail((*path, j), f"classes {c.label!r} and {nxt.label!r} overlap "
                             f"({nxt.from_} < {c.to})", "spec-classes", hint)
        if c.to < nxt.from_:
            raise where.fail((*path, j), f"gap between {c.label!r} (to {c.to}) and "
                             f"{nxt.label!r} (from {nxt.from_})", "spec-classes", hint)
    for i, c in ordered:
        if c.from_ is not None and c.to is not None and not c.from_ < c.to:
            raise where.fail((*path, i), f"class {c.label!r} is empty (from {c.from_} to {c.to})",
                             "spec-classes", hint)
    last_i, last = ordered[-1]
    if last.to is not None:
        raise where.fail((*path, last_i), f"values from {last.to} up fall in no class (gap)",
                         "spec-classes", hint)


def _check_consistency(spec: Spec, where: _Where) -> None:
    for key, ids in (("indicators", spec.indicators), ("indices", spec.indices)):
        for ident in ids:
            if not ID_PATTERN.match(ident):
                raise where.fail((key, ident), f"id {ident!r} is not snake_case",
                                 "spec-bad-id", "use lower-case letters, digits and _ only, "
                                 "starting with a letter, e.g. `intl_inflow`")
    has_period = spec.input.period is not None
    for ident, ind in spec.indicators.items():
        path = ("indicators", ident)
        if ind.kind == "change":
            if ind.change_of not in spec.indicators:
                raise where.fail((*path, "change_of"), f"unknown indicator {ind.change_of!r}",
                                 "spec-unknown-indicator",
                                 _suggest(ind.change_of or "", spec.indicators))
            if not has_period:
                raise where.fail(path, "`change_of` needs `input.period`", "spec-needs-period")
        if ind.kind == "ratio" and ind.type == "flow" and has_period and spec.window is None:
            raise where.fail(path, "flow indicators need `window` (periods summed; 12 for "
                             "monthly data, 1 for yearly data)", "spec-needs-window")
    if spec.window not in (None, 1) and not has_period:
        raise where.fail(("window",), "`window` above 1 needs `input.period`", "spec-needs-period")
    # change_of chains must not loop back on themselves
    for ident in spec.indicators:
        seen = [ident]
        cur = spec.indicators[ident]
        while cur.kind == "change":
            nxt = cur.change_of or ""
            if nxt in seen:
                raise where.fail(("indicators", ident, "change_of"),
                                 "`change_of` chain loops: " + " → ".join([*seen, nxt]),
                                 "spec-cycle")
            seen.append(nxt)
            cur = spec.indicators[nxt]
    for index_id, index in spec.indices.items():
        for ind in index.weights:
            if ind not in spec.indicators:
                raise where.fail(("indices", index_id, "weights", ind),
                                 f"weight on unknown indicator {ind!r}",
                                 "spec-unknown-indicator", _suggest(ind, spec.indicators))
        if index.reference_period is not None and not has_period:
            raise where.fail(("indices", index_id, "reference_period"),
                             "`reference_period` needs `input.period`", "spec-needs-period")
        _check_classes(index_id, index, where)
    # every output column name once
    cols = spec.output_columns()
    if spec.input.period is None and "period" in [*spec.indicators, *spec.indices]:
        cols.append("period")
    seen_cols: set[str] = set()
    for col in cols:
        if col in seen_cols:
            owner = ("indicators", col) if col in spec.indicators else (
                ("indices", col) if col in spec.indices else ("typology", "column"))
            raise where.fail(owner, f"output column {col!r} would appear twice (ids must not "
                             "collide with area, name, period, population, status or the "
                             "columns made from other ids)", "spec-name-collision",
                             "rename the indicator or index")
        seen_cols.add(col)
    if spec.typology is not None:
        _check_typology(spec, where)


def _suggest(name: str, options: Any) -> str | None:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    known = ", ".join(options)
    return (f"did you mean {close[0]!r}? " if close else "") + f"known indicators: {known}"


def output_schema(spec: Spec) -> dict[str, Any]:
    """polars dtypes of the output columns (used to check typology rules early)."""
    import polars as pl

    schema: dict[str, Any] = {}
    for col in spec.output_columns():
        if col in ("area", "name", "period", "status") or col.endswith("_class"):
            schema[col] = pl.String
        elif col.endswith("_rank"):
            schema[col] = pl.UInt32
        elif spec.typology is not None and col == spec.typology.column:
            schema[col] = pl.String
        else:
            schema[col] = pl.Float64
    # *_class / *_rank suffix guesses are wrong for an indicator that happens to end so
    for ind in spec.indicators:
        schema[ind] = pl.Float64
    return schema


def _check_typology(spec: Spec, where: _Where) -> None:
    import polars as pl

    assert spec.typology is not None
    schema = output_schema(spec)
    schema.pop(spec.typology.column, None)
    empty = pl.DataFrame(schema=schema)
    for i, rule in enumerate(spec.typology.rules):
        path = ("typology", "rules", i, "when")
        try:
            expr = pl.sql_expr(rule.when)
            dtype = empty.select(expr.alias("_rule")).schema["_rule"]
        except pl.exceptions.ColumnNotFoundError as exc:
            raise where.fail(path, f"rule {rule.label!r} uses an unknown column: "
                             f"{_first_line(exc)}", "spec-typology-sql",
                             "columns available: " + ", ".join(schema)) from None
        except Exception as exc:  # polars raises several kinds for bad SQL
            raise where.fail(path, f"rule {rule.label!r} is not valid SQL: {_first_line(exc)}",
                             "spec-typology-sql",
                             "write an SQL boolean expression, e.g. "
                             "\"arrival_class IN ('hoch','sehr hoch')\"") from None
        if dtype != pl.Boolean:
            raise where.fail(path, f"rule {rule.label!r} gives {dtype}, not true/false",
                             "spec-typology-sql", "the rule must be a condition, e.g. a = 'x'")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def parse_spec(text: str, source: str = "<spec>") -> Spec:
    """Parse and check a spec from YAML text; errors name ``source:line:col``."""
    loaded = _read_yaml(text, source)
    where = _Where(source, loaded.positions)
    if not isinstance(loaded.data, dict):
        raise SpecError(f"{source}:1:1: the spec must be a mapping of keys", code="spec-invalid")
    try:
        spec = Spec.model_validate(loaded.data)
    except ValidationError as exc:
        raise _from_validation_error(exc, where) from None
    _check_consistency(spec, where)
    spec._where = where
    return spec


def load_spec(path: str | Path) -> Spec:
    """Load and check a spec file (YAML)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise SpecError(f"{p}: spec file not found", code="spec-not-found",
                        hint="pass --spec PATH; the default spec is indicators.yaml") from None
    except OSError as exc:
        raise SpecError(f"{p}: cannot read spec: {exc.strerror}", code="spec-unreadable") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{p}: the spec is not UTF-8 (byte {exc.start})", code="spec-encoding",
                        hint="save the spec as UTF-8") from None
    return parse_spec(text, str(p))


def spec_position(spec: Spec, path: Path_) -> str:
    """``file:line:col`` of a spec path, for messages from later stages."""
    where = getattr(spec, "_where", None)
    return where(path) if where is not None else _dotted(path)
