"""Parsers for the search language: filter strings, `order_by` clauses and `extract_fields` specs.

One grammar serves every search (traces, runs, logged models, experiments); a `FieldSet` says which fields each
one knows, which are numbers or enumerations, and which it can sort on. The parsers only build a small AST
(`Comparison`, `And`, `Or`, `OrderBy`, `OrderKey`, `ExtractField`); turning it into SQL is the store's job. Every
value ends up as a Python str/int/float in the AST, so nothing a user writes in a filter can reach SQL as text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Literal

from tracekit.exceptions import InvalidFilterError

__all__ = [
    "FieldSet",
    "TRACE_FIELDS",
    "RUN_FIELDS",
    "LOGGED_MODEL_FIELDS",
    "EXPERIMENT_FIELDS",
    "REGISTERED_MODEL_FIELDS",
    "MODEL_VERSION_FIELDS",
    "OrderKey",
    "parse_order_keys",
    "FieldRef",
    "Comparison",
    "And",
    "Or",
    "Expr",
    "OrderBy",
    "ExtractField",
    "parse_filter",
    "parse_order_by",
    "parse_extract_field",
]

Value = str | int | float


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class FieldRef:
    """A field a filter compares: an attribute, a tag, a metadata entry, a span field, a param or a metric."""

    kind: Literal["attribute", "tag", "metadata", "span", "param", "metric", "feedback", "expectation"]
    key: str


@dataclass(frozen=True)
class Comparison:
    """`field op value`; `value` is a tuple for IN / NOT IN. Only feedback and expectation comparisons hold
    booleans (`feedback.correct = true`)."""

    field: FieldRef
    op: str
    value: str | int | float | tuple[str | int | float, ...]


@dataclass(frozen=True)
class And:
    """All of `items` hold (two or more, none of them an `And`)."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    """At least one of `items` holds (two or more, none of them an `Or`)."""

    items: tuple[Expr, ...]


Expr = Comparison | And | Or


@dataclass(frozen=True)
class OrderBy:
    """One sort key of a trace search."""

    field: str
    ascending: bool


@dataclass(frozen=True)
class OrderKey:
    """One sort key of a run, logged model or experiment search: any sortable field, and its direction."""

    field: FieldRef
    ascending: bool


@dataclass(frozen=True)
class ExtractField:
    """A `span_name.inputs[.key]` / `span_name.outputs[.key]` column request."""

    spec: str
    span_name: str
    part: Literal["inputs", "outputs"]
    key: str | None


# --------------------------------------------------------------------------- field sets

_ALL_OPS = ("=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "NOT IN")
_NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN")
_ENUM_OPS = ("=", "!=", "IN", "NOT IN")
_STRING_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
#: Feedback and expectation values are JSON: strings, numbers and booleans compare for equality, numbers order.
ASSESSMENT_KINDS = frozenset({"feedback", "expectation"})
_ASSESSMENT_OPS = ("=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN")
_ORDERING_OPS = frozenset({"<", "<=", ">", ">="})
_BOOLEANS = {"TRUE": True, "FALSE": False}

_MAX_NESTING = 100
#: Limits of one filter, kept well under what databases compile (SQLite refuses expression trees over 1000 deep,
#: PostgreSQL runs out of stack) so that an oversized filter is the user's error, not the database's outage.
MAX_FILTER_COMPARISONS = 100
MAX_FILTER_VALUES = 1000
_SPAN_PREFIX = "span"

_KIND_EXAMPLE_KEYS = {"tag": "<key>", "metadata": "<key>", "param": "<name>", "metric": "<name>",
                      "feedback": "<name>", "expectation": "<name>"}


@dataclass(frozen=True)
class FieldSet:
    """The fields one kind of search knows: attribute names (with aliases), key prefixes, types and sort keys."""

    entity: str
    # alias (lower case) -> canonical attribute name; canonical names map to themselves
    attributes: Mapping[str, str]
    attribute_prefixes: tuple[str, ...]
    # prefix (lower case) -> kind of keyed field; the first prefix of a kind is the one shown in messages
    key_prefixes: Mapping[str, str]
    numeric_attributes: frozenset[str] = frozenset()
    numeric_kinds: frozenset[str] = frozenset()
    # canonical attribute -> its valid values (compared upper-cased)
    enum_attributes: Mapping[str, tuple[str, ...]] = dc_field(default_factory=dict)
    span_fields: tuple[str, ...] = ()
    span_statuses: tuple[str, ...] = ()
    order_attributes: tuple[str, ...] = ()
    order_kinds: frozenset[str] = frozenset()
    example_attribute: str = ""

    def canonical(self, name: str) -> str | None:
        """The canonical attribute for `name` (any alias, any case), or None."""
        return self.attributes.get(name.lower())

    def describe_attribute(self, canonical: str) -> str:
        """`canonical (aliases a, b)`, for messages."""
        aliases = [a for a, c in self.attributes.items() if c == canonical and a != canonical]
        if not aliases:
            return canonical
        word = "alias" if len(aliases) == 1 else "aliases"
        return f"{canonical} ({word} {', '.join(aliases)})"

    def _prefix_text(self) -> str:
        quoted = [f"'{prefix}.'" for prefix in self.attribute_prefixes]
        return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]

    def _kind_texts(self, kinds: Collection[str] | None = None) -> list[str]:
        by_kind: dict[str, list[str]] = {}
        for prefix, kind in self.key_prefixes.items():
            if kinds is None or kind in kinds:
                by_kind.setdefault(kind, []).append(prefix)
        texts = []
        for kind, prefixes in by_kind.items():
            placeholder = _KIND_EXAMPLE_KEYS.get(kind, "<key>")
            text = f"{prefixes[0]}.{placeholder}"
            if len(prefixes) > 1:
                text += " (or " + ", ".join(f"{p}.{placeholder}" for p in prefixes[1:]) + ")"
            if kind in self.numeric_kinds:
                text += ", compared as numbers"
            if kind in ASSESSMENT_KINDS:
                text += " (a quoted string, a number, true or false)"
            texts.append(text)
        return texts

    def valid_fields_text(self) -> str:
        """The sentence listing every field a filter may use."""
        attributes = ", ".join(self.describe_attribute(c) for c in dict.fromkeys(self.attributes.values()))
        parts = [f"{attributes}, each optionally prefixed by {self._prefix_text()}", *self._kind_texts()]
        if self.span_fields:
            parts.append(", ".join(f"span.{name}" for name in self.span_fields))
        return (
            f"Valid fields are: {'; '.join(parts)}. "
            f"Put keys containing dots, spaces or other characters in backticks, e.g. tags.`my key`."
        )

    def valid_order_fields_text(self) -> str:
        """The sentence listing every field a search can be sorted on."""
        fields = ", ".join(self.describe_attribute(f) for f in self.order_attributes)
        text = f"Valid fields are: {fields}, each optionally prefixed by {self._prefix_text()}"
        kinds = self._kind_texts(self.order_kinds)
        if kinds:
            text += "; " + "; ".join(kinds)
        return text + "."

    def example(self) -> str:
        """Fields to show in 'expected a field name' messages."""
        first = self.example_attribute or next(iter(self.attributes.values()))
        tag_prefix = next((p for p, k in self.key_prefixes.items() if k == "tag"), None)
        return f"{first}, {tag_prefix}.<key>" if tag_prefix else first


TRACE_FIELDS = FieldSet(
    entity="trace",
    attributes={
        "trace_id": "trace_id",
        "request_id": "trace_id",
        "timestamp_ms": "timestamp_ms",
        "request_time": "timestamp_ms",
        "timestamp": "timestamp_ms",
        "execution_time_ms": "execution_time_ms",
        "execution_duration": "execution_time_ms",
        "status": "status",
        "state": "status",
        "name": "name",
        "run_id": "run_id",
        "model_id": "model_id",
        "client_request_id": "client_request_id",
    },
    attribute_prefixes=("attributes", "attribute", "trace"),
    key_prefixes={"tags": "tag", "tag": "tag", "metadata": "metadata", "request_metadata": "metadata",
                  "feedback": "feedback", "expectation": "expectation"},
    numeric_attributes=frozenset({"timestamp_ms", "execution_time_ms"}),
    enum_attributes={"status": ("OK", "ERROR", "IN_PROGRESS")},
    span_fields=("name", "type", "status"),
    span_statuses=("OK", "ERROR", "UNSET"),
    order_attributes=("timestamp_ms", "execution_time_ms", "status", "name", "trace_id"),
    example_attribute="timestamp_ms",
)

_TRACKED_KEY_PREFIXES = {"tags": "tag", "tag": "tag", "params": "param", "param": "param", "parameters": "param",
                         "metrics": "metric", "metric": "metric"}

RUN_FIELDS = FieldSet(
    entity="run",
    attributes={
        "run_id": "run_id",
        "run_uuid": "run_id",
        "run_name": "run_name",
        "status": "status",
        "start_time": "start_time",
        "created": "start_time",
        "end_time": "end_time",
        "experiment_id": "experiment_id",
        "user_id": "user_id",
        "artifact_uri": "artifact_uri",
    },
    attribute_prefixes=("attributes", "attribute", "run"),
    key_prefixes=_TRACKED_KEY_PREFIXES,
    numeric_attributes=frozenset({"start_time", "end_time"}),
    numeric_kinds=frozenset({"metric"}),
    enum_attributes={"status": ("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")},
    order_attributes=("start_time", "end_time", "run_name", "status", "run_id", "experiment_id", "user_id"),
    order_kinds=frozenset({"metric", "param", "tag"}),
    example_attribute="attributes.status",
)

LOGGED_MODEL_FIELDS = FieldSet(
    entity="logged model",
    attributes={
        "model_id": "model_id",
        "name": "name",
        "model_type": "model_type",
        "status": "status",
        "source_run_id": "source_run_id",
        "experiment_id": "experiment_id",
        "creation_time": "creation_time",
        "creation_timestamp": "creation_time",
        "last_updated_time": "last_updated_time",
        "last_updated_timestamp": "last_updated_time",
    },
    attribute_prefixes=("attributes", "attribute"),
    key_prefixes=_TRACKED_KEY_PREFIXES,
    numeric_attributes=frozenset({"creation_time", "last_updated_time"}),
    numeric_kinds=frozenset({"metric"}),
    enum_attributes={"status": ("PENDING", "READY", "FAILED")},
    order_attributes=("creation_time", "last_updated_time", "name", "model_type", "status", "model_id",
                      "source_run_id", "experiment_id"),
    order_kinds=frozenset({"metric", "param", "tag"}),
    example_attribute="name",
)

EXPERIMENT_FIELDS = FieldSet(
    entity="experiment",
    attributes={
        "experiment_id": "experiment_id",
        "name": "name",
        "creation_time": "creation_time",
        "last_update_time": "last_update_time",
        "artifact_location": "artifact_location",
    },
    attribute_prefixes=("attributes", "attribute"),
    key_prefixes={"tags": "tag", "tag": "tag"},
    numeric_attributes=frozenset({"creation_time", "last_update_time"}),
    order_attributes=("experiment_id", "name", "creation_time", "last_update_time"),
    example_attribute="name",
)


REGISTERED_MODEL_FIELDS = FieldSet(
    entity="registered model",
    attributes={
        "name": "name",
        "creation_timestamp": "creation_timestamp",
        "creation_time": "creation_timestamp",
        "last_updated_timestamp": "last_updated_timestamp",
        "last_updated_time": "last_updated_timestamp",
    },
    attribute_prefixes=("attributes", "attribute"),
    key_prefixes={"tags": "tag", "tag": "tag"},
    numeric_attributes=frozenset({"creation_timestamp", "last_updated_timestamp"}),
    order_attributes=("name", "creation_timestamp", "last_updated_timestamp"),
    example_attribute="name",
)

MODEL_VERSION_FIELDS = FieldSet(
    entity="model version",
    attributes={
        "name": "name",
        "version_number": "version_number",
        "version": "version_number",
        "run_id": "run_id",
        "model_id": "model_id",
        "source_path": "source_path",
        "source": "source_path",
        "status": "status",
        "current_stage": "current_stage",
        "creation_timestamp": "creation_timestamp",
        "creation_time": "creation_timestamp",
        "last_updated_timestamp": "last_updated_timestamp",
        "last_updated_time": "last_updated_timestamp",
    },
    attribute_prefixes=("attributes", "attribute"),
    key_prefixes={"tags": "tag", "tag": "tag"},
    numeric_attributes=frozenset({"version_number", "creation_timestamp", "last_updated_timestamp"}),
    enum_attributes={"status": ("PENDING_REGISTRATION", "READY", "FAILED_REGISTRATION")},
    order_attributes=("name", "version_number", "creation_timestamp", "last_updated_timestamp", "run_id",
                      "model_id", "current_stage"),
    example_attribute="name",
)


# --------------------------------------------------------------------------- tokenizer


@dataclass(frozen=True)
class _Token:
    kind: Literal["LPAREN", "RPAREN", "COMMA", "OP", "STRING", "NUMBER", "PATH", "EOF"]
    pos: int
    end: int
    raw: str
    # STRING: the unescaped text; NUMBER: int/float; PATH: tuple of (segment, was_backticked).
    value: object = None

    def is_keyword(self, word: str) -> bool:
        """True for an unquoted single word matching `word` case-insensitively."""
        return (
            self.kind == "PATH"
            and len(self.value) == 1  # type: ignore[arg-type]
            and not self.value[0][1]  # type: ignore[index]
            and self.raw.upper() == word
        )


_KEYWORDS = frozenset({"AND", "OR", "LIKE", "ILIKE", "IN", "NOT"})
_OP_RE = re.compile(r"!=|<=|>=|=|<|>")
_NUMBER_RE = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_FIRST_SEGMENT_RE = re.compile(r"[^\W\d]\w*")
_LATER_SEGMENT_RE = re.compile(r"[\w\-]+")
_INT_RE = re.compile(r"-?\d+")
# A backslash escapes a quote or another backslash; any other backslash is kept so that
# LIKE escapes such as '\%' reach the store untouched.
_ESCAPABLE = frozenset({"'", '"', "\\"})


class _FilterErrors:
    """Builds InvalidFilterError messages that quote the filter and point at a position."""

    def __init__(self, source: str) -> None:
        self.source = source

    def at(self, pos: int, what: str, found: _Token | None = None, extra: str = "") -> InvalidFilterError:
        found_text = ""
        if found is not None:
            if found.kind == "EOF":
                found_text = ", found the end of the filter"
            elif found.kind == "STRING":
                found_text = f", found {found.raw}"
            else:
                found_text = f", found '{found.raw}'"
        # Newlines and tabs would break the caret alignment, so show them as spaces.
        shown = re.sub(r"\s", " ", self.source)
        message = f'Invalid filter "{self.source}": {what} at position {pos}{found_text}.'
        if extra:
            message += f" {extra}"
        message += f"\n    {shown}\n    {' ' * pos}^"
        return InvalidFilterError(message)


def _tokenize(source: str, errors: _FilterErrors) -> Iterator[_Token]:
    # A generator, so that the parser reports the first problem in reading order even when
    # a later part of the filter would not even tokenize.
    n = len(source)
    i = 0
    while i < n:
        c = source[i]
        if c.isspace():
            i += 1
        elif c in "(),":
            kind = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA"}[c]
            yield _Token(kind, i, i + 1, c)  # type: ignore[arg-type]
            i += 1
        elif c in "'\"":
            token = _scan_string(source, i, errors)
            yield token
            i = token.end
        elif (m := _OP_RE.match(source, i)) is not None:
            yield _Token("OP", i, m.end(), m.group())
            i = m.end()
        elif (m := _NUMBER_RE.match(source, i)) is not None:
            end = m.end()
            if end < n and (source[end].isalnum() or source[end] in "_.`"):
                raise errors.at(i, "invalid number")
            text = m.group()
            number: int | float = int(text) if _INT_RE.fullmatch(text) else float(text)
            if isinstance(number, float) and not math.isfinite(number):
                # 1e400 would reach the database as infinity, which MySQL cannot bind.
                raise errors.at(i, f"number {text} is out of range", extra="Write a finite number.")
            yield _Token("NUMBER", i, end, text, number)
            i = end
        elif c == "`" or _FIRST_SEGMENT_RE.match(source, i):
            token = _scan_path(source, i, errors)
            yield token
            i = token.end
        else:
            raise errors.at(i, f"unexpected character {c!r}")
    yield _Token("EOF", n, n, "")


def _scan_string(source: str, start: int, errors: _FilterErrors) -> _Token:
    quote = source[start]
    chars: list[str] = []
    i = start + 1
    n = len(source)
    while i < n:
        c = source[i]
        if c == "\\" and i + 1 < n and source[i + 1] in _ESCAPABLE:
            chars.append(source[i + 1])
            i += 2
        elif c == quote:
            return _Token("STRING", start, i + 1, source[start : i + 1], "".join(chars))
        else:
            chars.append(c)
            i += 1
    raise errors.at(start, f"unterminated string: the {quote} opened here is never closed")


def _scan_path(source: str, start: int, errors: _FilterErrors) -> _Token:
    segments: list[tuple[str, bool]] = []
    i = start
    segment_re = _FIRST_SEGMENT_RE
    while True:
        if i < len(source) and source[i] == "`":
            close = source.find("`", i + 1)
            if close < 0:
                raise errors.at(i, "unterminated backtick: the ` opened here is never closed")
            segments.append((source[i + 1 : close], True))
            i = close + 1
        else:
            m = segment_re.match(source, i)
            if m is None:
                raise errors.at(i, "expected a name or a `backticked name` after '.'")
            segments.append((m.group(), False))
            i = m.end()
        if i < len(source) and source[i] == ".":
            i += 1
            segment_re = _LATER_SEGMENT_RE
            continue
        return _Token("PATH", start, i, source[start:i], tuple(segments))


# --------------------------------------------------------------------------- filter parser


class _FilterParser:
    def __init__(self, source: str, fields: FieldSet = TRACE_FIELDS) -> None:
        self.fields = fields
        self.errors = _FilterErrors(source)
        self.tokens = _tokenize(source, self.errors)
        self.current = next(self.tokens)
        self.depth = 0
        self.comparisons = 0
        self.values = 0

    def count(self, token: _Token, values: int) -> None:
        """Count one comparison of `values` values against the filter's limits."""
        self.comparisons += 1
        self.values += values
        if self.comparisons > MAX_FILTER_COMPARISONS:
            raise self.errors.at(token.pos, f"more than {MAX_FILTER_COMPARISONS} comparisons in one filter",
                                 extra="Split the search, or use IN ('a', 'b', ...) for many values of one field.")
        if self.values > MAX_FILTER_VALUES:
            raise self.errors.at(token.pos, f"more than {MAX_FILTER_VALUES} values in one filter",
                                 extra="Split the search into several.")

    def advance(self) -> _Token:
        token = self.current
        if token.kind != "EOF":
            self.current = next(self.tokens)
        return token

    def parse(self) -> Expr:
        expr = self.parse_or()
        token = self.current
        if token.kind == "RPAREN":
            raise self.errors.at(token.pos, "unbalanced ')': there is no '(' to close")
        if token.kind != "EOF":
            raise self.errors.at(token.pos, "expected AND, OR or the end of the filter", token)
        return expr

    def parse_or(self) -> Expr:
        items = [self.parse_and()]
        while self.current.is_keyword("OR"):
            self.advance()
            items.append(self.parse_and())
        return _combine(Or, items)

    def parse_and(self) -> Expr:
        items = [self.parse_primary()]
        while self.current.is_keyword("AND"):
            self.advance()
            items.append(self.parse_primary())
        return _combine(And, items)

    def parse_primary(self) -> Expr:
        token = self.current
        if token.kind != "LPAREN":
            return self.parse_comparison()
        if self.depth >= _MAX_NESTING:
            raise self.errors.at(token.pos, f"parentheses nested more than {_MAX_NESTING} deep")
        self.advance()
        self.depth += 1
        expr = self.parse_or()
        self.depth -= 1
        closing = self.current
        if closing.kind != "RPAREN":
            raise self.errors.at(
                closing.pos,
                "expected AND, OR or ')'",
                closing,
                extra=f"Unbalanced parentheses: the '(' at position {token.pos} is still open.",
            )
        self.advance()
        return expr

    def parse_comparison(self) -> Comparison:
        field_token = self.current
        if field_token.kind != "PATH" or any(field_token.is_keyword(word) for word in _KEYWORDS):
            raise self.errors.at(
                field_token.pos, f"expected a field name (e.g. {self.fields.example()}) or '('", field_token
            )
        self.advance()
        field = self.resolve_field(field_token)

        op_token = self.current
        op = self.parse_operator()
        allowed = self.allowed_ops(field)
        if op not in allowed:
            raise self.errors.at(
                op_token.pos,
                f"operator {op} is not supported for field '{field_token.raw}'",
                extra=f"Supported operators: {', '.join(allowed)}.",
            )

        value: Value | tuple[Value, ...]
        booleans = field.kind in ASSESSMENT_KINDS
        if op in ("IN", "NOT IN"):
            value = tuple(self.check_value(field, field_token, t) for t in self.parse_in_list(booleans))
        else:
            value = self.check_value(field, field_token, self.parse_value(booleans))
            if booleans and op in _ORDERING_OPS and (isinstance(value, (bool, str))):
                raise self.errors.at(op_token.pos, f"operator {op} compares numbers only, for field "
                                                   f"'{field_token.raw}'", extra="Use = or != for strings and "
                                                                                 "booleans.")
        self.count(field_token, len(value) if isinstance(value, tuple) else 1)
        return Comparison(field, op, value)

    def parse_operator(self) -> str:
        token = self.advance()
        if token.kind == "OP":
            return token.raw
        for word in ("LIKE", "ILIKE", "IN"):
            if token.is_keyword(word):
                return word
        if token.is_keyword("NOT"):
            following = self.advance()
            if following.is_keyword("IN"):
                return "NOT IN"
            raise self.errors.at(following.pos, "expected IN after NOT", following)
        raise self.errors.at(
            token.pos, f"expected a comparison operator ({', '.join(_ALL_OPS)})", token
        )

    def parse_value(self, booleans: bool = False) -> _Token:
        token = self.advance()
        if token.kind in ("STRING", "NUMBER"):
            return token
        if booleans and any(token.is_keyword(word) for word in _BOOLEANS):
            return token
        extra = ""
        if token.kind == "PATH":
            extra = f"String values must be quoted, e.g. '{token.raw}'."
        raise self.errors.at(token.pos, "expected a value (a quoted string or a number)", token, extra)

    def parse_in_list(self, booleans: bool = False) -> list[_Token]:
        opening = self.advance()
        if opening.kind != "LPAREN":
            raise self.errors.at(opening.pos, "expected '(' to start the IN list", opening)
        if self.current.kind == "RPAREN":
            raise self.errors.at(
                self.current.pos, "empty IN list", extra="Give at least one value, e.g. IN ('a', 'b')."
            )
        values = [self.parse_value(booleans)]
        while True:
            token = self.advance()
            if token.kind == "RPAREN":
                return values
            if token.kind != "COMMA":
                raise self.errors.at(
                    token.pos,
                    "expected ',' or ')' in the IN list",
                    token,
                    extra=f"The IN list starts at position {opening.pos}.",
                )
            values.append(self.parse_value(booleans))

    def resolve_field(self, token: _Token) -> FieldRef:
        segments: tuple[tuple[str, bool], ...] = token.value  # type: ignore[assignment]
        fields = self.fields
        head = segments[0][0].lower()
        rest = segments[1:]
        key_kind = fields.key_prefixes.get(head)
        has_spans = bool(fields.span_fields)

        def unknown(what: str) -> InvalidFilterError:
            return self.errors.at(token.pos, what, extra=fields.valid_fields_text())

        if not rest:
            canonical = fields.canonical(head)
            if canonical is not None:
                return FieldRef("attribute", canonical)
            if key_kind is not None:
                raise unknown(f"field '{token.raw}' needs a key, e.g. {head}.<key>")
            if has_spans and head == _SPAN_PREFIX:
                raise unknown("field 'span' needs a span field: " + ", ".join(
                    f"span.{name}" for name in fields.span_fields[:-1]) + f" or span.{fields.span_fields[-1]}")
            raise unknown(f"unknown field '{token.raw}'")

        if key_kind is not None:
            key = ".".join(text for text, _ in rest)
            if any(not text for text, _ in rest):
                raise self.errors.at(token.pos, f"empty key in field '{token.raw}'")
            return FieldRef(key_kind, key)  # type: ignore[arg-type]
        if head in fields.attribute_prefixes:
            canonical = fields.canonical(rest[0][0]) if len(rest) == 1 else None
            if canonical is None:
                raise unknown(f"unknown attribute field '{token.raw}'")
            return FieldRef("attribute", canonical)
        if has_spans and head == _SPAN_PREFIX:
            span_key = rest[0][0].lower() if len(rest) == 1 else None
            if span_key not in fields.span_fields:
                raise unknown(f"unknown span field '{token.raw}'")
            return FieldRef("span", span_key)
        raise unknown(f"unknown field '{token.raw}'")

    def is_numeric(self, field: FieldRef) -> bool:
        if field.kind == "attribute":
            return field.key in self.fields.numeric_attributes
        return field.kind in self.fields.numeric_kinds

    def allowed_values(self, field: FieldRef) -> tuple[str, ...] | None:
        if field.kind == "attribute":
            return self.fields.enum_attributes.get(field.key)
        if field.kind == "span" and field.key == "status":
            return self.fields.span_statuses
        return None

    def allowed_ops(self, field: FieldRef) -> tuple[str, ...]:
        if field.kind in ASSESSMENT_KINDS:
            return _ASSESSMENT_OPS
        if self.is_numeric(field):
            return _NUMERIC_OPS
        if self.allowed_values(field) is not None:
            return _ENUM_OPS
        return _STRING_OPS

    def check_value(self, field: FieldRef, field_token: _Token, token: _Token) -> Value:
        value: Value = token.value  # type: ignore[assignment]
        name = field_token.raw
        if field.kind in ASSESSMENT_KINDS:
            return _BOOLEANS[token.raw.upper()] if token.kind == "PATH" else value
        if self.is_numeric(field):
            if token.kind != "NUMBER":
                raise self.errors.at(
                    token.pos, f"field '{name}' needs a number, got the string {token.raw}"
                )
            return value
        if token.kind != "STRING":
            raise self.errors.at(
                token.pos,
                f"field '{name}' needs a quoted string, got the number {token.raw}",
                extra=f"Write it as '{token.raw}'.",
            )
        allowed = self.allowed_values(field)
        if allowed is None:
            return value
        status = str(value).upper()
        if status not in allowed:
            raise self.errors.at(
                token.pos,
                f"invalid value {token.raw} for field '{name}'",
                extra=f"Valid values: {', '.join(allowed)}.",
            )
        return status


def _combine(kind: type[And] | type[Or], items: list[Expr]) -> Expr:
    if len(items) == 1:
        return items[0]
    flat: list[Expr] = []
    for item in items:
        if isinstance(item, kind):
            flat.extend(item.items)
        else:
            flat.append(item)
    return kind(tuple(flat))


def parse_filter(filter_string: str | None, fields: FieldSet = TRACE_FIELDS) -> Expr | None:
    """Parse a filter string over `fields` (default: a trace search's); None for an empty filter,
    InvalidFilterError if invalid."""
    if filter_string is None:
        return None
    if not isinstance(filter_string, str):
        raise InvalidFilterError(
            f"filter_string must be a string, got {type(filter_string).__name__}: {filter_string!r}"
        )
    if not filter_string.strip():
        return None
    return _FilterParser(filter_string, fields).parse()


# --------------------------------------------------------------------------- order_by


def _order_error(clause: str, what: str) -> InvalidFilterError:
    return InvalidFilterError(f'Invalid order_by clause "{clause}": {what}')


def _resolve_order_field(clause: str, field_text: str, fields: FieldSet) -> FieldRef:
    """The sortable field `field_text` names (written as in a filter), or InvalidFilterError."""
    cannot = _order_error(clause, f"cannot order by '{field_text}'. {fields.valid_order_fields_text()}")
    try:
        parser = _FilterParser(field_text, fields)
        token = parser.current
        if token.kind != "PATH" or next(parser.tokens).kind != "EOF":
            raise cannot
        field = parser.resolve_field(token)
    except InvalidFilterError:
        raise cannot from None
    sortable = (field.key in fields.order_attributes if field.kind == "attribute"
                else field.kind in fields.order_kinds)
    if not sortable:
        raise cannot
    return field


def _parse_order_clause(clause: object, fields: FieldSet) -> OrderKey:
    if not isinstance(clause, str):
        raise InvalidFilterError(f"order_by clauses must be strings, got {type(clause).__name__}: {clause!r}")
    text = clause.strip()
    if not text:
        raise _order_error(clause, f"it is empty. {fields.valid_order_fields_text()}")
    ascending = True
    field_text = text
    # The direction is the last word, unless that word closes a backticked key ("metrics.`a b`").
    head, _, last = text.rpartition(" ")
    if head and not last.endswith("`"):
        field_text = head.rstrip()
        direction = last.upper()
        if direction not in ("ASC", "DESC"):
            if " " in field_text and "`" not in field_text:
                raise _order_error(clause, 'expected "<field>" or "<field> ASC|DESC". Give one clause per list '
                                           "item.")
            raise _order_error(clause, f"unknown direction '{last}'; valid directions are ASC and DESC.")
        ascending = direction == "ASC"
    try:
        return OrderKey(_resolve_order_field(clause, field_text, fields), ascending)
    except InvalidFilterError:
        if " " in field_text and "`" not in field_text:
            raise _order_error(clause, 'expected "<field>" or "<field> ASC|DESC". Give one clause per list '
                                       "item.") from None
        raise


def parse_order_keys(order_by: Sequence[Any] | None, fields: FieldSet) -> list[OrderKey]:
    """Parse `order_by` for a search over `fields`: clauses like "metrics.loss DESC", or dicts
    `{"field_name": "metrics.loss", "ascending": False}` (as search_logged_models takes them); [] when none."""
    if not order_by:
        return []
    if isinstance(order_by, (str, Mapping)):
        # A lone clause is almost always one passed without the list around it.
        order_by = [order_by]
    keys = []
    for clause in order_by:
        if isinstance(clause, Mapping):
            keys.append(_parse_order_dict(clause, fields))
        else:
            keys.append(_parse_order_clause(clause, fields))
    return keys


def _parse_order_dict(clause: Mapping[str, Any], fields: FieldSet) -> OrderKey:
    unknown = set(clause) - {"field_name", "ascending", "dataset_name", "dataset_digest"}
    field_name = clause.get("field_name")
    if unknown or not isinstance(field_name, str) or not field_name.strip():
        raise InvalidFilterError(
            f"Invalid order_by entry {dict(clause)!r}: expected {{'field_name': '<field>', 'ascending': True|False}}"
            f". {fields.valid_order_fields_text()}")
    ascending = clause.get("ascending", True)
    if not isinstance(ascending, bool):
        raise InvalidFilterError(f"Invalid order_by entry {dict(clause)!r}: 'ascending' must be True or False, got "
                                 f"{ascending!r}.")
    return OrderKey(_resolve_order_field(field_name, field_name.strip(), fields), ascending)


def parse_order_by(order_by: Sequence[str] | None) -> list[OrderBy]:
    """Parse trace `order_by` clauses like "timestamp_ms DESC"; [] when none are given."""
    if isinstance(order_by, Mapping):
        raise InvalidFilterError(f"order_by clauses must be strings, got dict: {order_by!r}")
    if order_by and not isinstance(order_by, str) and any(isinstance(c, Mapping) for c in order_by):
        bad = next(c for c in order_by if isinstance(c, Mapping))
        raise InvalidFilterError(f"order_by clauses must be strings, got dict: {bad!r}")
    return [OrderBy(key.field.key, key.ascending) for key in parse_order_keys(order_by, TRACE_FIELDS)]


# --------------------------------------------------------------------------- extract_fields


def _split_extract_spec(text: str) -> list[str] | None:
    segments: list[str] = []
    i = 0
    n = len(text)
    while True:
        if i < n and text[i] == "`":
            close = text.find("`", i + 1)
            if close < 0:
                return None
            segment = text[i + 1 : close]
            i = close + 1
        else:
            j = i
            while j < n and text[j] not in ".`":
                j += 1
            segment = text[i:j]
            i = j
        if not segment:
            return None
        segments.append(segment)
        if i == n:
            return segments
        if text[i] != ".":
            return None
        i += 1


def parse_extract_field(spec: str) -> ExtractField | None:
    """Parse `span_name.inputs[.key]` / `span_name.outputs[.key]`; None (never an error) if invalid."""
    if not isinstance(spec, str):
        return None
    segments = _split_extract_spec(spec.strip())
    if segments is None or len(segments) not in (2, 3):
        return None
    part = segments[1]
    if part not in ("inputs", "outputs"):
        return None
    key = segments[2] if len(segments) == 3 else None
    return ExtractField(spec, segments[0], part, key)  # type: ignore[arg-type]
