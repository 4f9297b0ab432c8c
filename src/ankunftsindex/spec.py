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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import SpecError

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
PERIOD_PATTERN = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$")


def _text(v: Any) -> Any:
    """Numbers written where text is meant (a class label 1, an ID 1001) become text."""
    return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError(f"expected a number, got {str(v).lower()}")
    return v


# Text that may be written as a number; numbers that must be numbers (no true/false, no
# "1.0" in quotes, no NaN or infinity, which the model config rejects)
Label = Annotated[str, BeforeValidator(_text)]
Number = Annotated[float, Strict()]
Whole = Annotated[int, Strict()]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class InputMap(_Model):
    """Which input columns hold the area ID, name, period and population."""

    area: str
    name: str | None = None
    period: str | None = None
    population: str
    sheet: Label | None = Field(
        default=None, description="XLSX input: the worksheet to read (default: the first).")
    footer_rows: Whole = Field(
        default=0, ge=0,
        description="Rows at the end of each file that are totals or notes (e.g. the "
        "districts and the city below the Stadtteile), not areas: left out.")
    drop_areas: list[Label] = Field(
        default_factory=list,
        description="Area IDs of rows that are totals, not areas (e.g. 'Stadt insgesamt'): "
        "left out wherever they stand.")
    zero_symbols: list[Label] = Field(
        default_factory=list,
        description="Cell symbols read as 0 instead of null, e.g. '-' where a table uses it "
        "for 'nothing there' (Destatis: '–').")


class JumpCheck(_Model):
    """Warn when a count changes implausibly between consecutive periods of an area."""

    columns: list[str] | None = Field(
        default=None, description="Count columns to watch (default: input.population).")
    max_change: Number = Field(
        default=0.5, gt=0, description="Largest plausible relative change, e.g. 0.5 = ±50 %.")
    min_base: Number = Field(
        default=100, ge=0,
        description="Ignore changes from a previous value below this (small numbers jump).")


class Checks(_Model):
    """Plausibility checks that warn (``--strict`` makes them errors)."""

    jump: JumpCheck | None = Field(
        default_factory=JumpCheck, description="Implausible jumps; null switches it off.")
    gaps: bool = Field(
        default=True, description="Warn about areas or periods missing inside the span.")


class Exclusion(_Model):
    """An area left out of the computation by name, with the reason."""

    area: Label
    reason: Label


class Indicator(_Model):
    """One indicator: a ratio of input columns, a change of another indicator, or a column."""

    label: Label | None = None
    numerator: str | list[str] | None = None
    denominator: str | None = Field(
        default=None,
        description="Denominator column; left out: input.population; null: no division.",
    )
    per: Number = 1.0
    type: Literal["flow", "stock"] = "stock"
    direction: Annotated[Literal[1, -1], BeforeValidator(_no_bool)] = 1
    change_of: str | None = None
    lag: Whole | None = Field(default=None, ge=1)
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
        if not self.per > 0:
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
    from_: Number | None = Field(default=None, alias="from")
    to: Number | None = None


class Index(_Model):
    """One composite index: weights, normalisation, aggregation and classes."""

    label: Label | None = None
    weights: dict[str, Number] = Field(min_length=1)
    normalise: Literal["zscore", "robust_zscore", "minmax", "percentile", "rank", "none"] = "zscore"
    ddof: Annotated[Literal[0, 1], BeforeValidator(_no_bool)] = 0
    winsorise: tuple[Number, Number] | None = None
    aggregate: Literal["mean", "sum", "geometric"] = "mean"
    standardise: Annotated[bool, Strict()] = False
    reference_period: Label | None = None
    classes: list[ClassDef] = Field(min_length=1)

    @field_validator("reference_period")
    @classmethod
    def _period_format(cls, v: str | None) -> str | None:
        if v is not None and not PERIOD_PATTERN.match(v):
            raise ValueError(f"reference_period {v!r} is neither YYYY-MM nor YYYY "
                             "(write it in quotes, e.g. \"2024-12\")")
        return v

    @field_validator("weights")
    @classmethod
    def _positive(cls, v: dict[str, float]) -> dict[str, float]:
        for key, w in v.items():
            if not w > 0:
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
    min_population: Number = Field(default=0, ge=0)
    exclude: list[Exclusion] = Field(default_factory=list)
    window: Whole | None = Field(default=None, ge=1)
    indicators: dict[str, Indicator] = Field(min_length=1)
    indices: dict[str, Index] = Field(min_length=1)
    typology: Typology | None = None
    checks: Checks = Field(default_factory=Checks)

    _where: Any = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _default_denominator(cls, data: Any) -> Any:
        # a ratio without `denominator` divides by the population; writing it into the
        # model makes the canonical spec say what is computed
        try:
            population = data["input"]["population"]
            indicators = data["indicators"].items()
        except (KeyError, TypeError, AttributeError):
            return data  # the field validators report what is missing
        filled = {
            ident: {**ind, "denominator": population}
            if isinstance(ind, dict) and "numerator" in ind and "denominator" not in ind
            else ind
            for ident, ind in indicators
        }
        return {**data, "indicators": filled}

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
        try:
            return int(text.replace("_", "")) if _INT.match(text) else text
        except ValueError:  # more digits than Python converts (4,300): not a count
            return text
    if tag.endswith(":float"):
        try:
            return float(text.replace("_", ""))
        except ValueError:
            return text
    return text


_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_WHOLE_KEYS = ("min_population", "per")
MAX_NODES = 100_000  # aliases can expand a small file exponentially


class _Converter:
    """YAML nodes → plain Python values, recording where each value stands."""

    def __init__(self, source: str):
        self.source = source
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.active: set[int] = set()
        self.count = 0

    def fail(self, node: Any, message: str, code: str, hint: str) -> SpecError:
        mark = node.start_mark
        return SpecError(f"{self.source}:{mark.line + 1}:{mark.column + 1}: {message}",
                         code=code, hint=hint)

    def text_ok(self, node: Any, value: Any) -> Any:
        """``value``, unless it is text that is not Unicode (a lone surrogate escape such
        as "\\ud800"): that could not be hashed, stored or printed."""
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise self.fail(node, "the text holds a lone surrogate (an escape such as "
                                "\\ud800), which is not a character", "spec-yaml",
                                "remove the \\u escape or write the character itself"
                                ) from None
        return value

    def convert(self, node: Any, path: Path_ = ()) -> Any:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"the spec expands to more than {MAX_NODES:,} values",
                            "spec-yaml", "do not nest aliases (*name) in aliases")
        if id(node) in self.active:
            raise self.fail(node, "an alias refers to itself", "spec-yaml",
                            "remove the recursive alias (*name inside &name)")
        self.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, ScalarNode):
            # counts and multipliers are whole numbers: 1.000 there is a German thousand
            if (path and path[-1] in _WHOLE_KEYS and str(node.tag).endswith(":float")
                    and _THOUSANDS.match(node.value)):
                raise self.fail(node, f"{node.value} is ambiguous: a decimal point or a "
                                "thousands separator?", "spec-ambiguous-number",
                                f"write {node.value.replace('.', '')} for the whole number "
                                "(no thousands separator) or drop the trailing zeros")
            return self.text_ok(node, _scalar(node))
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = None if isinstance(key_node, MappingNode | SequenceNode) else (
                    self.text_ok(key_node, _scalar(key_node)))
                if key == "<<":
                    raise self.fail(key_node, "merge keys (<<) are not supported",
                                    "spec-yaml", "write the keys out")
                if not isinstance(key, str | int) or isinstance(key, bool):
                    raise self.fail(key_node, "keys must be plain names", "spec-yaml",
                                    "write keys as plain words, e.g. `weights:`")
                key = str(key)
                if key in out:
                    first = self.positions.get((*path, key), ("?", "?"))
                    raise self.fail(key_node, f"duplicate key {key!r} (first at line "
                                    f"{first[0]})", "spec-duplicate-key",
                                    "remove or rename one of the two entries")
                mark = key_node.start_mark
                self.positions[(*path, key)] = (mark.line + 1, mark.column + 1)
                out[key] = self.convert(value_node, (*path, key))
            return out
        finally:
            self.active.discard(id(node))


def _read_yaml(text: str, source: str) -> _Loaded:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")
    deep = SpecError(f"{source}: the spec is nested too deeply", code="spec-yaml",
                     hint="a spec needs a few levels of keys and lists, not hundreds")
    try:
        node = yaml.compose(text)
    except RecursionError:
        raise deep from None
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
        raise SpecError(f"{source}: YAML error: {exc}", code="spec-yaml",
                        hint="check the YAML syntax") from None
    if node is None:
        raise SpecError(f"{source}: the spec is empty", code="spec-empty",
                        hint="start from the default indicators.yaml")
    converter = _Converter(source)
    try:
        data = converter.convert(node)
    except RecursionError:
        raise deep from None
    return _Loaded(data, converter.positions)


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for model in (Spec, InputMap, Exclusion, Indicator, ClassDef, Index, Rule, Typology,
                  Checks, JumpCheck):
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


_TYPE_NAMES = {"str", "int", "float", "bool", "list", "dict", "tuple"}


def _from_validation_error(exc: ValidationError, where: _Where) -> SpecError:
    lines = []
    first_hint = None
    known = _known_keys()
    for err in exc.errors():
        # drop pydantic's names of union members and validators from the key path
        loc = tuple(p for p in err["loc"]
                    if not (isinstance(p, str) and (p in _TYPE_NAMES or "[" in p)))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            key = str(loc[-1]) if loc else ""
            # a key known elsewhere (`column` of an indicator) is not the one meant here
            close = difflib.get_close_matches(key, sorted(known - {key}), n=1, cutoff=0.6)
            msg = f"unknown key {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")
            first_hint = first_hint or "see docs/spec.md for every key"
        elif err["type"] == "missing":
            msg = f"required key {str(loc[-1])!r} is missing"
        elif err["type"] == "literal_error":
            msg = f"{msg}, got {err.get('input')!r}"
        lines.append(f"{where(loc)}: {_dotted(loc)}: {msg}")
    head = lines[0]
    more = "" if len(lines) == 1 else "\n  " + "\n  ".join(lines[1:])
    return SpecError(head + more, code="spec-invalid",
                     hint=first_hint or "fix the spec at that position; see docs/spec.md")


def _check_classes(index_id: str, index: Index, where: _Where) -> None:
    """Class bounds cover the whole line without overlaps or gaps; every problem of an
    index's classes is named at once."""
    path: Path_ = ("indices", index_id, "classes")
    ordered = sorted(
        enumerate(index.classes),
        key=lambda ic: -math.inf if ic[1].from_ is None else ic[1].from_,
    )
    labels = [c.label for c in index.classes]
    dup = {label for label in labels if labels.count(label) > 1}
    if dup:
        raise where.fail(path, f"class label {sorted(dup)[0]!r} appears twice", "spec-classes",
                         "give each class of an index its own label")
    problems: list[tuple[Path_, str]] = []
    first_i, first = ordered[0]
    if first.from_ is not None:
        problems.append(((*path, first_i), f"values below {first.from_} fall in no class "
                         "(gap)"))
    for (_, c), (j, nxt) in itertools.pairwise(ordered):
        if c.to is None or nxt.from_ is None:
            problems.append(((*path, j), f"classes {c.label!r} and {nxt.label!r} overlap"))
        elif c.to > nxt.from_:
            problems.append(((*path, j), f"classes {c.label!r} and {nxt.label!r} overlap "
                             f"({nxt.from_} < {c.to})"))
        elif c.to < nxt.from_:
            problems.append(((*path, j), f"gap between {c.label!r} (to {c.to}) and "
                             f"{nxt.label!r} (from {nxt.from_})"))
    for i, c in ordered:
        if c.from_ is not None and c.to is not None and not c.from_ < c.to:
            problems.append(((*path, i), f"class {c.label!r} is empty (from {c.from_} to "
                             f"{c.to})"))
    last_i, last = ordered[-1]
    if last.to is not None:
        problems.append(((*path, last_i), f"values from {last.to} up fall in no class (gap)"))
    if problems:
        raise SpecError(
            "\n  ".join(f"{where(p)}: {_dotted(p)}: {m}" for p, m in problems),
            code="spec-classes",
            hint="classes must cover the whole line: the lowest has no `from`, the highest "
            "no `to`, and each `to` equals the next `from`")


def _check_consistency(spec: Spec, where: _Where) -> None:
    """Every problem of the spec's parts with each other, all named at once: the first
    found is raised, the others ride along (``also``)."""
    errors: list[SpecError] = []

    def fail(path: Path_, message: str, code: str, hint: str | None = None) -> None:
        errors.append(where.fail(path, message, code, hint))

    for key, ids in (("indicators", spec.indicators), ("indices", spec.indices)):
        for ident in ids:
            if not ID_PATTERN.match(ident):
                fail((key, ident), f"id {ident!r} is not snake_case", "spec-bad-id",
                     "use lower-case letters, digits and _ only, starting with a letter, "
                     "e.g. `intl_inflow`")
    has_period = spec.input.period is not None
    for ident, ind in spec.indicators.items():
        path = ("indicators", ident)
        if ind.kind == "change":
            if ind.change_of not in spec.indicators:
                fail((*path, "change_of"), f"unknown indicator {ind.change_of!r}",
                     "spec-unknown-indicator", _suggest(ind.change_of or "", spec.indicators))
            if not has_period:
                fail(path, "`change_of` needs `input.period`", "spec-needs-period",
                     _PERIOD_HINT)
        if ind.kind == "ratio" and ind.type == "flow" and has_period and spec.window is None:
            fail(path, "flow indicators need `window` (periods summed; 12 for monthly data, 1 "
                 "for yearly data)", "spec-needs-window",
                 "add e.g. `window: 12` at the top level of the spec")
    if spec.window not in (None, 1) and not has_period:
        fail(("window",), "`window` above 1 needs `input.period`", "spec-needs-period",
             _PERIOD_HINT)
    # change_of chains must not loop back on themselves; each loop is named once (an
    # unknown link ends a chain: it is named above)
    looped: set[str] = set()
    for ident in spec.indicators:
        seen = [ident]
        cur = spec.indicators[ident]
        while (ident not in looped and cur.kind == "change"
               and cur.change_of in spec.indicators and cur.change_of not in looped):
            nxt = cur.change_of or ""
            if nxt in seen:  # named where the loop starts, without the chain leading in
                loop = seen[seen.index(nxt):]
                fail(("indicators", nxt, "change_of"),
                     "`change_of` chain loops: " + " → ".join([*loop, nxt]), "spec-cycle",
                     "let the chain end at a ratio or column indicator")
                looped.update(loop)
                break
            seen.append(nxt)
            cur = spec.indicators[nxt]
    for index_id, index in spec.indices.items():
        for ind in index.weights:
            if ind not in spec.indicators:
                fail(("indices", index_id, "weights", ind),
                     f"weight on unknown indicator {ind!r}", "spec-unknown-indicator",
                     _suggest(ind, spec.indicators))
        if index.reference_period is not None and not has_period:
            fail(("indices", index_id, "reference_period"),
                 "`reference_period` needs `input.period`", "spec-needs-period", _PERIOD_HINT)
        try:
            _check_classes(index_id, index, where)
        except SpecError as exc:
            errors.append(exc)
    # every output column name once
    cols = spec.output_columns()
    if spec.input.period is None and "period" in [*spec.indicators, *spec.indices]:
        cols.append("period")
    seen_cols: set[str] = set()
    collided: set[str] = set()  # each name once, however often it repeats
    for col in cols:
        if col in seen_cols and col not in collided:
            collided.add(col)
            owner = ("indicators", col) if col in spec.indicators else (
                ("indices", col) if col in spec.indices else ("typology", "column"))
            fail(owner, f"output column {col!r} would appear twice (ids must not collide "
                 "with area, name, period, population, status or the columns made from "
                 "other ids)", "spec-name-collision",
                 "rename the typology's column" if owner[0] == "typology"
                 else "rename the indicator or index")
        seen_cols.add(col)
    _check_columns(spec, fail)
    if spec.typology is not None:
        if not ID_PATTERN.match(spec.typology.column):
            fail(("typology", "column"), f"column name {spec.typology.column!r} is not "
                 "snake_case", "spec-bad-id", "use lower-case letters, digits and _ only, "
                 "e.g. `typ`")
        elif not errors:  # the rules are tried on the output's columns: they must be sound
            try:
                _check_typology(spec, where)
            except SpecError as exc:
                errors.append(exc)
    if errors:
        first, *rest = errors
        first.also = rest
        raise first


_PERIOD_HINT = "add `period:` under `input:` (the column with YYYY-MM or YYYY)"


def _check_columns(spec: Spec, fail: Callable[..., None]) -> None:
    """Each input column has one role: text (ID, name, period) or numbers, and a
    numerator list names a column once. ``fail(path, message, code, hint)`` is told each
    problem."""
    text = {spec.input.area: "area", spec.input.name: "name", spec.input.period: "period"}
    if spec.input.population in text:
        fail(("input", "population"), f"column {spec.input.population!r} is already the "
             f"{text[spec.input.population]} column", "spec-column-role",
             "population needs a column of numbers")
    for ident, ind in spec.indicators.items():
        for key, col in zip(("numerator", "denominator", "column"),
                            (ind.numerator_columns, [ind.denominator], [ind.column]),
                            strict=True):
            for c in dict.fromkeys(col):  # a column listed twice: named once here
                # a text population is named above, also where it is a default denominator
                if c is not None and c in text and c != spec.input.population:
                    fail(("indicators", ident, key), f"column {c!r} is the {text[c]} column, "
                         "not a count", "spec-column-role", "use a column of numbers")
        dup = {c for c in ind.numerator_columns if ind.numerator_columns.count(c) > 1}
        if dup:
            fail(("indicators", ident, "numerator"), f"column {sorted(dup)[0]!r} is listed "
                 "twice", "spec-column-role", "list each column of a sum once")
    jump = spec.checks.jump
    counts = [spec.input.population, *[
        c for ind in spec.indicators.values() for c in [*ind.numerator_columns, ind.denominator]
        if c is not None]]
    for i, c in enumerate((jump.columns or []) if jump else []):
        if c not in counts:
            fail(("checks", "jump", "columns", i), f"column {c!r} is not a count column of "
                 "the spec", "spec-column-role",
                 f"count columns: {', '.join(dict.fromkeys(counts))}")


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
    failures: list[SpecError] = []
    for i, rule in enumerate(spec.typology.rules):
        try:
            _check_rule(spec, rule, ("typology", "rules", i, "when"), empty, schema, where)
        except SpecError as exc:
            failures.append(exc)
    if len(failures) == 1:
        raise failures[0]
    if failures:  # every bad rule at once, with the first one's hint
        raise SpecError("\n  ".join(f.message for f in failures), code=failures[0].code,
                        hint=failures[0].hint)


def _check_rule(spec: Spec, rule: Rule, path: Path_, empty: Any, schema: dict[str, Any],
                where: _Where) -> None:
    """One typology rule: valid SQL over the output columns, giving true/false, and
    comparing class columns only with labels the index has."""
    import polars as pl

    try:
        expr = pl.sql_expr(rule.when)
        dtype = empty.select(expr.alias("_rule")).schema["_rule"]
    except pl.exceptions.ColumnNotFoundError as exc:
        unknown = _first_line(exc).split("; valid columns")[0]
        raise where.fail(path, f"rule {rule.label!r} uses an unknown column: "
                         f"{unknown}", "spec-typology-sql",
                         "columns available: " + ", ".join(schema)) from None
    except Exception as exc:  # polars raises several kinds for bad SQL
        raise where.fail(path, f"rule {rule.label!r} is not valid SQL: {_first_line(exc)}",
                         "spec-typology-sql",
                         "write an SQL boolean expression, e.g. "
                         "\"arrival_class IN ('hoch','sehr hoch')\"") from None
    if dtype != pl.Boolean:
        raise where.fail(path, f"rule {rule.label!r} gives {dtype}, not true/false",
                         "spec-typology-sql", "the rule must be a condition, e.g. a = 'x'")
    _check_class_literals(spec, rule, path, where)


_CLASS_COMPARE = re.compile(
    r"\b([a-z][a-z0-9_]*)_class\s*(?:=|!=|<>)\s*'((?:[^']|'')*)'"
    r"|\b([a-z][a-z0-9_]*)_class\s+(?:NOT\s+)?IN\s*\(([^)]*)\)",
    re.IGNORECASE,
)


def _check_class_literals(spec: Spec, rule: Rule, path: Path_, where: _Where) -> None:
    """A rule that compares a class column with a label the index does not have can never
    be true (a typo such as 'Hoch'): a spec error, not a silent no-match."""
    for m in _CLASS_COMPARE.finditer(rule.when):
        index_id = m.group(1) or m.group(3)
        if index_id not in spec.indices:
            continue
        literals = ([m.group(2)] if m.group(1) else
                    re.findall(r"'((?:[^']|'')*)'", m.group(4)))
        labels = [c.label for c in spec.indices[index_id].classes]
        for literal in literals:
            if literal.replace("''", "'") not in labels:
                raise where.fail(path, f"rule {rule.label!r} compares {index_id}_class with "
                                 f"{literal!r}, which is not a class of {index_id!r}",
                                 "spec-typology-sql",
                                 "classes of " + index_id + ": " + ", ".join(labels))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def parse_spec(text: str, source: str = "<spec>") -> Spec:
    """Parse and check a spec from YAML text; errors name ``source:line:col``."""
    loaded = _read_yaml(text, source)
    where = _Where(source, loaded.positions)
    if not isinstance(loaded.data, dict):
        raise SpecError(f"{source}:1:1: the spec must be a mapping of keys", code="spec-invalid",
                        hint="start from the default indicators.yaml (spec_version: 1, …)")
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
        raise SpecError(f"{p}: cannot read spec: {exc.strerror}", code="spec-unreadable",
                        hint="check the path and the file's permissions") from None
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
