"""Parsers for the trace search language: filter strings, `order_by` clauses and `extract_fields` specs.

The parsers only build a small AST (`Comparison`, `And`, `Or`, `OrderBy`, `ExtractField`);
turning it into SQL is the store's job. Every value ends up as a Python str/int/float in
the AST, so nothing a user writes in a filter can reach SQL as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Union

from tracekit.exceptions import InvalidFilterError

__all__ = [
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

Value = Union[str, int, float]


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class FieldRef:
    """A field a filter compares: a trace attribute, a tag, a metadata entry or a span field."""

    kind: Literal["attribute", "tag", "metadata", "span"]
    key: str


@dataclass(frozen=True)
class Comparison:
    """`field op value`; `value` is a tuple for IN / NOT IN."""

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


Expr = Union[Comparison, And, Or]


@dataclass(frozen=True)
class OrderBy:
    """One sort key of a trace search."""

    field: str
    ascending: bool


@dataclass(frozen=True)
class ExtractField:
    """A `span_name.inputs[.key]` / `span_name.outputs[.key]` column request."""

    spec: str
    span_name: str
    part: Literal["inputs", "outputs"]
    key: str | None


# --------------------------------------------------------------------------- field tables

_ATTRIBUTE_ALIASES: dict[str, str] = {
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
}
_ATTRIBUTE_PREFIXES = ("attributes", "attribute", "trace")
_TAG_PREFIXES = ("tags", "tag")
_METADATA_PREFIXES = ("metadata", "request_metadata")
_SPAN_PREFIX = "span"
_SPAN_FIELDS = ("name", "type", "status")

_NUMERIC_ATTRIBUTES = frozenset({"timestamp_ms", "execution_time_ms"})
_TRACE_STATUSES = ("OK", "ERROR", "IN_PROGRESS")
_SPAN_STATUSES = ("OK", "ERROR", "UNSET")

_ALL_OPS = ("=", "!=", "<", "<=", ">", ">=", "LIKE", "ILIKE", "IN", "NOT IN")
_NUMERIC_OPS = ("=", "!=", "<", "<=", ">", ">=", "IN", "NOT IN")
_ENUM_OPS = ("=", "!=", "IN", "NOT IN")
_STRING_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")

_ORDER_FIELDS = ("timestamp_ms", "execution_time_ms", "status", "name", "trace_id")

_MAX_NESTING = 100


def _describe_attribute(canonical: str) -> str:
    aliases = [a for a, c in _ATTRIBUTE_ALIASES.items() if c == canonical and a != canonical]
    if not aliases:
        return canonical
    word = "alias" if len(aliases) == 1 else "aliases"
    return f"{canonical} ({word} {', '.join(aliases)})"


def _valid_fields_text() -> str:
    attributes = ", ".join(_describe_attribute(c) for c in dict.fromkeys(_ATTRIBUTE_ALIASES.values()))
    return (
        f"Valid fields are: {attributes}, each optionally prefixed by "
        f"'attributes.', 'attribute.' or 'trace.'; tags.<key> (or tag.<key>); "
        f"metadata.<key> (or request_metadata.<key>); span.name, span.type, span.status. "
        f"Put keys containing dots, spaces or other characters in backticks, e.g. tags.`my key`."
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
    def __init__(self, source: str) -> None:
        self.errors = _FilterErrors(source)
        self.tokens = _tokenize(source, self.errors)
        self.current = next(self.tokens)
        self.depth = 0

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
                field_token.pos, "expected a field name (e.g. timestamp_ms, tags.<key>) or '('", field_token
            )
        self.advance()
        field = self.resolve_field(field_token)

        op_token = self.current
        op = self.parse_operator()
        allowed = _allowed_ops(field)
        if op not in allowed:
            raise self.errors.at(
                op_token.pos,
                f"operator {op} is not supported for field '{field_token.raw}'",
                extra=f"Supported operators: {', '.join(allowed)}.",
            )

        value: Value | tuple[Value, ...]
        if op in ("IN", "NOT IN"):
            value = tuple(self.check_value(field, field_token, t) for t in self.parse_in_list())
        else:
            value = self.check_value(field, field_token, self.parse_value())
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

    def parse_value(self) -> _Token:
        token = self.advance()
        if token.kind in ("STRING", "NUMBER"):
            return token
        extra = ""
        if token.kind == "PATH":
            extra = f"String values must be quoted, e.g. '{token.raw}'."
        raise self.errors.at(token.pos, "expected a value (a quoted string or a number)", token, extra)

    def parse_in_list(self) -> list[_Token]:
        opening = self.advance()
        if opening.kind != "LPAREN":
            raise self.errors.at(opening.pos, "expected '(' to start the IN list", opening)
        if self.current.kind == "RPAREN":
            raise self.errors.at(
                self.current.pos, "empty IN list", extra="Give at least one value, e.g. IN ('a', 'b')."
            )
        values = [self.parse_value()]
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
            values.append(self.parse_value())

    def resolve_field(self, token: _Token) -> FieldRef:
        segments: tuple[tuple[str, bool], ...] = token.value  # type: ignore[assignment]
        head = segments[0][0].lower()
        rest = segments[1:]

        def unknown(what: str) -> InvalidFilterError:
            return self.errors.at(token.pos, what, extra=_valid_fields_text())

        if not rest:
            canonical = _ATTRIBUTE_ALIASES.get(head)
            if canonical is not None:
                return FieldRef("attribute", canonical)
            if head in _TAG_PREFIXES or head in _METADATA_PREFIXES:
                raise unknown(f"field '{token.raw}' needs a key, e.g. {head}.<key>")
            if head == _SPAN_PREFIX:
                raise unknown("field 'span' needs a span field: span.name, span.type or span.status")
            raise unknown(f"unknown field '{token.raw}'")

        if head in _TAG_PREFIXES or head in _METADATA_PREFIXES:
            key = ".".join(text for text, _ in rest)
            if any(not text for text, _ in rest):
                raise self.errors.at(token.pos, f"empty key in field '{token.raw}'")
            return FieldRef("tag" if head in _TAG_PREFIXES else "metadata", key)
        if head in _ATTRIBUTE_PREFIXES:
            canonical = _ATTRIBUTE_ALIASES.get(rest[0][0].lower()) if len(rest) == 1 else None
            if canonical is None:
                raise unknown(f"unknown attribute field '{token.raw}'")
            return FieldRef("attribute", canonical)
        if head == _SPAN_PREFIX:
            span_key = rest[0][0].lower() if len(rest) == 1 else None
            if span_key not in _SPAN_FIELDS:
                raise unknown(f"unknown span field '{token.raw}'")
            return FieldRef("span", span_key)
        raise unknown(f"unknown field '{token.raw}'")

    def check_value(self, field: FieldRef, field_token: _Token, token: _Token) -> Value:
        value: Value = token.value  # type: ignore[assignment]
        name = field_token.raw
        if field.kind == "attribute" and field.key in _NUMERIC_ATTRIBUTES:
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
        allowed = _allowed_statuses(field)
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


def _allowed_ops(field: FieldRef) -> tuple[str, ...]:
    if field.kind == "attribute" and field.key in _NUMERIC_ATTRIBUTES:
        return _NUMERIC_OPS
    if _allowed_statuses(field) is not None:
        return _ENUM_OPS
    return _STRING_OPS


def _allowed_statuses(field: FieldRef) -> tuple[str, ...] | None:
    if field.kind == "attribute" and field.key == "status":
        return _TRACE_STATUSES
    if field.kind == "span" and field.key == "status":
        return _SPAN_STATUSES
    return None


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


def parse_filter(filter_string: str | None) -> Expr | None:
    """Parse a search_traces filter string; None for an empty filter, InvalidFilterError if invalid."""
    if filter_string is None:
        return None
    if not isinstance(filter_string, str):
        raise InvalidFilterError(
            f"filter_string must be a string, got {type(filter_string).__name__}: {filter_string!r}"
        )
    if not filter_string.strip():
        return None
    return _FilterParser(filter_string).parse()


# --------------------------------------------------------------------------- order_by


def _valid_order_fields_text() -> str:
    fields = ", ".join(_describe_attribute(f) for f in _ORDER_FIELDS)
    return f"Valid fields are: {fields}, each optionally prefixed by 'attributes.', 'attribute.' or 'trace.'."


def _parse_order_clause(clause: object) -> OrderBy:
    if not isinstance(clause, str):
        raise InvalidFilterError(f"order_by clauses must be strings, got {type(clause).__name__}: {clause!r}")
    parts = clause.split()
    if not parts:
        raise InvalidFilterError(
            f'Invalid order_by clause "{clause}": it is empty. {_valid_order_fields_text()}'
        )
    if len(parts) > 2:
        raise InvalidFilterError(
            f'Invalid order_by clause "{clause}": expected "<field>" or "<field> ASC|DESC". '
            f"Give one clause per list item."
        )
    field_text = parts[0]
    name = field_text
    prefix, dot, rest = field_text.partition(".")
    if dot and prefix.lower() in _ATTRIBUTE_PREFIXES:
        name = rest
    if len(name) >= 2 and name.startswith("`") and name.endswith("`"):
        name = name[1:-1]
    canonical = _ATTRIBUTE_ALIASES.get(name.lower())
    if canonical not in _ORDER_FIELDS:
        raise InvalidFilterError(
            f'Invalid order_by clause "{clause}": cannot order by \'{field_text}\'. '
            f"{_valid_order_fields_text()}"
        )
    ascending = True
    if len(parts) == 2:
        direction = parts[1].upper()
        if direction not in ("ASC", "DESC"):
            raise InvalidFilterError(
                f'Invalid order_by clause "{clause}": unknown direction \'{parts[1]}\'; '
                f"valid directions are ASC and DESC."
            )
        ascending = direction == "ASC"
    return OrderBy(canonical, ascending)  # type: ignore[arg-type]


def parse_order_by(order_by: Sequence[str] | None) -> list[OrderBy]:
    """Parse `order_by` clauses like "timestamp_ms DESC"; [] when none are given."""
    if not order_by:
        return []
    if isinstance(order_by, str):
        # A lone string is almost always one clause passed without the list around it.
        order_by = [order_by]
    return [_parse_order_clause(clause) for clause in order_by]


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
