"""Tests for the trace search grammar: filter strings, order_by clauses and extract_fields specs."""

from __future__ import annotations

import pytest

from tracekit.exceptions import InvalidFilterError, TracekitException
from tracekit.store.search.grammar import (
    MAX_FILTER_COMPARISONS,
    And,
    Comparison,
    ExtractField,
    FieldRef,
    Or,
    OrderBy,
    parse_extract_field,
    parse_filter,
    parse_order_by,
)


def attr(key: str) -> FieldRef:
    return FieldRef("attribute", key)


def tag(key: str) -> FieldRef:
    return FieldRef("tag", key)


def meta(key: str) -> FieldRef:
    return FieldRef("metadata", key)


def span(key: str) -> FieldRef:
    return FieldRef("span", key)


def parse_error(filter_string: str) -> str:
    with pytest.raises(InvalidFilterError) as info:
        parse_filter(filter_string)
    message = str(info.value)
    assert filter_string in message
    return message


# --------------------------------------------------------------------------- empty filters


@pytest.mark.parametrize("filter_string", [None, "", "   ", "\n\t "])
def test_empty_filter_is_none(filter_string: str | None) -> None:
    assert parse_filter(filter_string) is None


def test_non_string_filter_is_rejected() -> None:
    with pytest.raises(InvalidFilterError):
        parse_filter(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- fields and aliases


@pytest.mark.parametrize(
    ("field", "canonical"),
    [
        ("trace_id", "trace_id"),
        ("request_id", "trace_id"),
        ("name", "name"),
        ("run_id", "run_id"),
        ("model_id", "model_id"),
        ("client_request_id", "client_request_id"),
    ],
)
@pytest.mark.parametrize("prefix", ["", "attributes.", "attribute.", "trace."])
def test_string_attribute_fields_and_aliases(field: str, canonical: str, prefix: str) -> None:
    assert parse_filter(f"{prefix}{field} = 'v'") == Comparison(attr(canonical), "=", "v")


@pytest.mark.parametrize(
    ("field", "canonical"),
    [
        ("timestamp_ms", "timestamp_ms"),
        ("request_time", "timestamp_ms"),
        ("timestamp", "timestamp_ms"),
        ("execution_time_ms", "execution_time_ms"),
        ("execution_duration", "execution_time_ms"),
    ],
)
@pytest.mark.parametrize("prefix", ["", "attributes.", "attribute.", "trace."])
def test_numeric_attribute_fields_and_aliases(field: str, canonical: str, prefix: str) -> None:
    assert parse_filter(f"{prefix}{field} > 100") == Comparison(attr(canonical), ">", 100)


@pytest.mark.parametrize("field", ["status", "state", "attributes.status", "trace.state"])
def test_status_aliases(field: str) -> None:
    assert parse_filter(f"{field} = 'OK'") == Comparison(attr("status"), "=", "OK")


def test_field_names_and_prefixes_are_case_insensitive() -> None:
    assert parse_filter("Attributes.Timestamp_MS > 1") == Comparison(attr("timestamp_ms"), ">", 1)
    assert parse_filter("TAGS.MyKey = 'x'") == Comparison(tag("MyKey"), "=", "x")


@pytest.mark.parametrize("prefix", ["tags", "tag"])
def test_tag_fields(prefix: str) -> None:
    assert parse_filter(f"{prefix}.env = 'prod'") == Comparison(tag("env"), "=", "prod")


@pytest.mark.parametrize("prefix", ["metadata", "request_metadata"])
def test_metadata_fields(prefix: str) -> None:
    assert parse_filter(f"{prefix}.user = 'bob'") == Comparison(meta("user"), "=", "bob")


def test_dotted_key_without_backticks_takes_everything_after_prefix() -> None:
    assert parse_filter("metadata.tracekit.sourceRun = 'r1'") == Comparison(
        meta("tracekit.sourceRun"), "=", "r1"
    )
    assert parse_filter("tags.a.b.c = 'x'") == Comparison(tag("a.b.c"), "=", "x")


def test_backticked_keys() -> None:
    assert parse_filter("tags.`my key.with dots` = 'x'") == Comparison(tag("my key.with dots"), "=", "x")
    assert parse_filter("metadata.`tracekit.sourceRun` = 'r1'") == Comparison(
        meta("tracekit.sourceRun"), "=", "r1"
    )
    assert parse_filter("tags.`weird = 'key' AND (x)` = 'v'") == Comparison(
        tag("weird = 'key' AND (x)"), "=", "v"
    )
    assert parse_filter("tags.`1st-key` = 'v'") == Comparison(tag("1st-key"), "=", "v")


def test_backticked_key_mixed_with_plain_segments() -> None:
    assert parse_filter("tags.a.`b c`.d = 'v'") == Comparison(tag("a.b c.d"), "=", "v")


def test_backticked_attribute_name() -> None:
    assert parse_filter("`timestamp_ms` > 5") == Comparison(attr("timestamp_ms"), ">", 5)
    assert parse_filter("attributes.`name` = 'x'") == Comparison(attr("name"), "=", "x")


def test_keys_with_hyphens_and_digits_after_the_prefix() -> None:
    assert parse_filter("tags.my-key = 'v'") == Comparison(tag("my-key"), "=", "v")
    assert parse_filter("tags.v2.1 = 'v'") == Comparison(tag("v2.1"), "=", "v")


def test_keyword_like_tag_keys() -> None:
    assert parse_filter("tags.and = 'x' AND tags.in = 'y'") == And(
        (Comparison(tag("and"), "=", "x"), Comparison(tag("in"), "=", "y"))
    )


@pytest.mark.parametrize("key", ["name", "type", "status"])
def test_span_fields(key: str) -> None:
    value = "OK" if key == "status" else "v"
    assert parse_filter(f"span.{key} = '{value}'") == Comparison(span(key), "=", value)


# --------------------------------------------------------------------------- operators


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
def test_numeric_operators(op: str) -> None:
    expected = Comparison(attr("timestamp_ms"), op, 1700000000000)
    assert parse_filter(f"timestamp_ms {op} 1700000000000") == expected


@pytest.mark.parametrize("op", ["=", "!=", "LIKE", "ILIKE"])
def test_string_operators(op: str) -> None:
    assert parse_filter(f"name {op} 'a%'") == Comparison(attr("name"), op, "a%")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("like", "LIKE"), ("Ilike", "ILIKE"), ("in", "IN"), ("not in", "NOT IN"), ("Not   In", "NOT IN")],
)
def test_keyword_operators_are_case_insensitive(written: str, canonical: str) -> None:
    value = "('a')" if "IN" in canonical else "'a'"
    expected_value: object = ("a",) if "IN" in canonical else "a"
    assert parse_filter(f"tags.k {written} {value}") == Comparison(tag("k"), canonical, expected_value)


def test_operators_without_spaces() -> None:
    assert parse_filter("timestamp_ms>=5") == Comparison(attr("timestamp_ms"), ">=", 5)
    assert parse_filter("name!='x'") == Comparison(attr("name"), "!=", "x")
    assert parse_filter("execution_time_ms<-1") == Comparison(attr("execution_time_ms"), "<", -1)


def test_in_and_not_in_lists() -> None:
    assert parse_filter("trace_id IN ('a', 'b', \"c\")") == Comparison(
        attr("trace_id"), "IN", ("a", "b", "c")
    )
    assert parse_filter("tags.k NOT IN ('x')") == Comparison(tag("k"), "NOT IN", ("x",))
    assert parse_filter("execution_time_ms IN (1, 2.5, -3)") == Comparison(
        attr("execution_time_ms"), "IN", (1, 2.5, -3)
    )


# --------------------------------------------------------------------------- values


def test_numbers() -> None:
    assert parse_filter("timestamp_ms = 42") == Comparison(attr("timestamp_ms"), "=", 42)
    assert parse_filter("timestamp_ms = -42") == Comparison(attr("timestamp_ms"), "=", -42)
    assert parse_filter("execution_time_ms > 1.5") == Comparison(attr("execution_time_ms"), ">", 1.5)
    assert parse_filter("execution_time_ms > -0.25") == Comparison(attr("execution_time_ms"), ">", -0.25)
    assert parse_filter("execution_time_ms > .5") == Comparison(attr("execution_time_ms"), ">", 0.5)
    assert parse_filter("execution_time_ms > 1e3") == Comparison(attr("execution_time_ms"), ">", 1000.0)
    value = parse_filter("timestamp_ms = 10")
    assert isinstance(value, Comparison) and type(value.value) is int
    value = parse_filter("timestamp_ms = 10.0")
    assert isinstance(value, Comparison) and type(value.value) is float


def test_single_and_double_quoted_strings() -> None:
    assert parse_filter("name = 'abc'") == Comparison(attr("name"), "=", "abc")
    assert parse_filter('name = "abc"') == Comparison(attr("name"), "=", "abc")
    assert parse_filter("name = ''") == Comparison(attr("name"), "=", "")


def test_other_quote_inside_string_needs_no_escape() -> None:
    assert parse_filter("name = \"it's\"") == Comparison(attr("name"), "=", "it's")
    assert parse_filter("name = 'say \"hi\"'") == Comparison(attr("name"), "=", 'say "hi"')


def test_backslash_escapes() -> None:
    assert parse_filter(r"name = 'it\'s'") == Comparison(attr("name"), "=", "it's")
    assert parse_filter(r'name = "a \"b\""') == Comparison(attr("name"), "=", 'a "b"')
    assert parse_filter(r"name = 'back\\slash'") == Comparison(attr("name"), "=", "back\\slash")
    assert parse_filter(r"name = 'ends with \\'") == Comparison(attr("name"), "=", "ends with \\")


def test_other_backslashes_are_kept_for_like_escapes() -> None:
    assert parse_filter(r"name LIKE '100\%'") == Comparison(attr("name"), "LIKE", "100\\%")
    assert parse_filter(r"name LIKE 'a\_b\n'") == Comparison(attr("name"), "LIKE", "a\\_b\\n")


def test_strings_keep_keywords_parens_and_whitespace() -> None:
    assert parse_filter("name = ' a AND (b) OR c, '") == Comparison(attr("name"), "=", " a AND (b) OR c, ")


def test_unicode_values_and_keys() -> None:
    assert parse_filter("tags.größe = 'ünïcødé ✓'") == Comparison(tag("größe"), "=", "ünïcødé ✓")


@pytest.mark.parametrize(
    "filter_string",
    [
        "name = \"x' OR 1=1 --\"",
        r"name = 'x\' OR 1=1 --'",
    ],
)
def test_injection_attempt_is_just_a_string_value(filter_string: str) -> None:
    assert parse_filter(filter_string) == Comparison(attr("name"), "=", "x' OR 1=1 --")


def test_injection_attempt_in_key_is_just_a_key() -> None:
    assert parse_filter("tags.`k'; DROP TABLE traces; --` = 'v'") == Comparison(
        tag("k'; DROP TABLE traces; --"), "=", "v"
    )


def test_unescaped_injection_attempt_fails_to_parse() -> None:
    message = parse_error("name = 'x' OR 1=1 --'")
    assert "expected a field name" in message
    assert "position 14" in message


def test_first_error_in_reading_order_is_reported() -> None:
    message = parse_error("foo = 'a' AND name = 'unterminated")
    assert "unknown field 'foo' at position 0" in message


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("status", "'ok'", "OK"),
        ("state", "'Error'", "ERROR"),
        ("status", "'in_progress'", "IN_PROGRESS"),
        ("span.status", "'unset'", "UNSET"),
        ("span.status", "'error'", "ERROR"),
    ],
)
def test_status_values_are_upper_cased(field: str, value: str, expected: str) -> None:
    result = parse_filter(f"{field} = {value}")
    assert isinstance(result, Comparison)
    assert result.value == expected


def test_status_in_list_is_upper_cased() -> None:
    assert parse_filter("status IN ('ok', 'error')") == Comparison(attr("status"), "IN", ("OK", "ERROR"))


# --------------------------------------------------------------------------- boolean structure


A = "name = 'a'"
B = "tags.b = 'b'"
C = "timestamp_ms > 3"
D = "span.type = 'LLM'"
CA = Comparison(attr("name"), "=", "a")
CB = Comparison(tag("b"), "=", "b")
CC = Comparison(attr("timestamp_ms"), ">", 3)
CD = Comparison(span("type"), "=", "LLM")


def test_and() -> None:
    assert parse_filter(f"{A} AND {B}") == And((CA, CB))


def test_or() -> None:
    assert parse_filter(f"{A} OR {B}") == Or((CA, CB))


def test_keywords_are_case_insensitive() -> None:
    assert parse_filter(f"{A} and {B} Or {C}") == Or((And((CA, CB)), CC))


def test_and_binds_tighter_than_or() -> None:
    assert parse_filter(f"{A} AND {B} OR {C}") == Or((And((CA, CB)), CC))
    assert parse_filter(f"{A} OR {B} AND {C}") == Or((CA, And((CB, CC))))
    assert parse_filter(f"{A} OR {B} AND {C} OR {D}") == Or((CA, And((CB, CC)), CD))


def test_parentheses_override_precedence() -> None:
    assert parse_filter(f"{A} AND ({B} OR {C})") == And((CA, Or((CB, CC))))
    assert parse_filter(f"({A} OR {B}) AND ({C} OR {D})") == And((Or((CA, CB)), Or((CC, CD))))


def test_same_kind_is_flattened() -> None:
    assert parse_filter(f"{A} AND {B} AND {C}") == And((CA, CB, CC))
    assert parse_filter(f"({A} AND {B}) AND ({C} AND {D})") == And((CA, CB, CC, CD))
    assert parse_filter(f"{A} OR ({B} OR ({C} OR {D}))") == Or((CA, CB, CC, CD))


def test_redundant_parentheses_collapse() -> None:
    assert parse_filter(f"((({A})))") == CA
    assert parse_filter(f"(({A} AND {B}))") == And((CA, CB))


def test_keywords_glued_to_strings() -> None:
    assert parse_filter("name='a'AND tags.b='b'") == And((CA, CB))


def test_whitespace_and_newlines_are_ignored() -> None:
    assert parse_filter(f"\n  {A}\n\tAND\n  {B}  ") == And((CA, CB))


def test_ast_is_frozen_and_hashable() -> None:
    result = parse_filter(f"{A} AND {B}")
    assert isinstance(result, And)
    with pytest.raises(AttributeError):
        result.items = ()  # type: ignore[misc]
    assert hash(result) == hash(parse_filter(f"{A} AND {B}"))


def test_long_flat_filter() -> None:
    filter_string = " AND ".join(f"tags.k{i} = '{i}'" for i in range(MAX_FILTER_COMPARISONS))
    result = parse_filter(filter_string)
    assert isinstance(result, And)
    assert len(result.items) == MAX_FILTER_COMPARISONS


def test_a_filter_over_the_comparison_limit_is_an_error_naming_it() -> None:
    filter_string = " AND ".join(f"tags.k{i} = '{i}'" for i in range(MAX_FILTER_COMPARISONS + 1))
    assert f"more than {MAX_FILTER_COMPARISONS} comparisons" in parse_error(filter_string)


def test_excessive_nesting_is_an_error_not_a_crash() -> None:
    filter_string = "(" * 500 + A + ")" * 500
    message = parse_error(filter_string)
    assert "nested" in message


def test_moderate_nesting_is_fine() -> None:
    assert parse_filter("(" * 50 + A + ")" * 50) == CA


# --------------------------------------------------------------------------- syntax errors


def test_error_is_a_tracekit_exception_with_error_code() -> None:
    with pytest.raises(TracekitException) as info:
        parse_filter("name =")
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_missing_operator() -> None:
    message = parse_error("timestamp_ms 5")
    expected = "expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) at position 13"
    assert expected in message


def test_unknown_word_instead_of_operator() -> None:
    message = parse_error("tags.key CONTAINS 'x'")
    assert "expected a comparison operator" in message
    assert "position 9" in message
    assert "CONTAINS" in message


def test_error_has_caret_line() -> None:
    message = parse_error("name foo 'a'")
    lines = message.splitlines()
    assert lines[-2].strip() == "name foo 'a'"
    caret_line = lines[-1]
    filter_column = lines[-2].index("name")
    assert caret_line.index("^") - filter_column == 5


def test_caret_line_with_newlines_in_filter() -> None:
    message = parse_error("name = 'a'\nAND foo")
    lines = message.splitlines()
    assert lines[-1].index("^") - lines[-2].index("name") == 15


def test_missing_value() -> None:
    message = parse_error("name =")
    assert "expected a value" in message
    assert "position 6" in message
    assert "end of the filter" in message


def test_unquoted_string_value() -> None:
    message = parse_error("status = OK")
    assert "expected a value" in message
    assert "position 9" in message
    assert "quoted" in message


def test_double_equals() -> None:
    message = parse_error("name == 'a'")
    assert "expected a value" in message
    assert "position 6" in message


def test_not_without_in() -> None:
    message = parse_error("name NOT LIKE 'a'")
    assert "expected IN after NOT" in message
    assert "position 9" in message


def test_missing_field() -> None:
    message = parse_error("= 'a'")
    assert "expected a field name" in message
    assert "position 0" in message


def test_keyword_instead_of_field() -> None:
    message = parse_error(f"{A} AND AND {B}")
    assert "expected a field name" in message
    assert "position 15" in message


def test_dangling_and() -> None:
    message = parse_error(f"{A} AND")
    assert "expected a field name" in message
    assert f"position {len(A) + 4}" in message


def test_leading_or() -> None:
    message = parse_error(f"OR {A}")
    assert "expected a field name" in message
    assert "position 0" in message


def test_trailing_garbage() -> None:
    message = parse_error("name = 'a' extra")
    assert "expected AND, OR or the end of the filter at position 11" in message


def test_adjacent_comparisons_without_keyword() -> None:
    message = parse_error(f"{A} {B}")
    assert "expected AND, OR or the end of the filter" in message
    assert f"position {len(A) + 1}" in message


def test_doubled_quotes_are_not_an_escape() -> None:
    message = parse_error("name = 'it''s'")
    assert "expected AND, OR or the end of the filter at position 11" in message


@pytest.mark.parametrize(
    ("filter_string", "position"), [("name = 'abc", 7), ('name = "abc', 7), (r"name = 'abc\'", 7)]
)
def test_unterminated_string(filter_string: str, position: int) -> None:
    message = parse_error(filter_string)
    assert "unterminated string" in message
    assert f"position {position}" in message


def test_unterminated_backtick() -> None:
    message = parse_error("tags.`abc = 'x'")
    assert "unterminated backtick" in message
    assert "position 5" in message


def test_missing_key_after_dot() -> None:
    message = parse_error("tags. = 'x'")
    assert "after '.'" in message
    assert "position 5" in message


def test_empty_backticked_key() -> None:
    message = parse_error("tags.`` = 'x'")
    assert "empty key" in message
    assert "position 0" in message


def test_unclosed_parenthesis() -> None:
    message = parse_error(f"({A}")
    assert "expected AND, OR or ')'" in message
    assert f"position {len(A) + 1}" in message
    assert "'(' at position 0 is still open" in message


def test_unclosed_inner_parenthesis() -> None:
    message = parse_error(f"({A} AND ({B})")
    assert "'(' at position 0 is still open" in message
    assert "end of the filter" in message


def test_unbalanced_closing_parenthesis() -> None:
    message = parse_error(f"{A})")
    assert "unbalanced ')'" in message
    assert f"position {len(A)}" in message


def test_empty_parentheses() -> None:
    message = parse_error("()")
    assert "expected a field name" in message
    assert "position 1" in message


def test_empty_in_list() -> None:
    message = parse_error("name IN ()")
    assert "empty IN list" in message
    assert "position 9" in message


def test_in_without_parentheses() -> None:
    message = parse_error("name IN 'a'")
    assert "expected '(' to start the IN list" in message
    assert "position 8" in message


def test_in_list_trailing_comma() -> None:
    message = parse_error("name IN ('a',)")
    assert "expected a value" in message
    assert "position 13" in message


def test_in_list_missing_comma() -> None:
    message = parse_error("name IN ('a' 'b')")
    assert "expected ',' or ')' in the IN list" in message
    assert "position 13" in message


def test_in_list_unclosed() -> None:
    message = parse_error("name IN ('a', 'b'")
    assert "expected ',' or ')' in the IN list" in message
    assert "position 17" in message


@pytest.mark.parametrize(
    ("filter_string", "position"), [("name = 'a' ; drop", 11), ("name @ 'a'", 5), ("name = 'a' && x", 11)]
)
def test_unexpected_character(filter_string: str, position: int) -> None:
    message = parse_error(filter_string)
    assert "unexpected character" in message
    assert f"position {position}" in message


def test_invalid_number() -> None:
    message = parse_error("timestamp_ms = 12abc")
    assert "invalid number" in message
    assert "position 15" in message


# --------------------------------------------------------------------------- field errors


def test_unknown_field_lists_valid_fields() -> None:
    message = parse_error("foo = 'x'")
    assert "unknown field 'foo'" in message
    assert "position 0" in message
    for name in [
        "trace_id",
        "request_id",
        "timestamp_ms",
        "request_time",
        "execution_time_ms",
        "execution_duration",
        "status",
        "state",
        "name",
        "run_id",
        "model_id",
        "client_request_id",
        "attributes.",
        "tags.<key>",
        "metadata.<key>",
        "span.name",
        "span.type",
        "span.status",
    ]:
        assert name in message


def test_unknown_field_position_in_larger_filter() -> None:
    message = parse_error(f"{A} AND bogus.thing = 'x'")
    assert "unknown field 'bogus.thing'" in message
    assert f"position {len(A) + 5}" in message


def test_unknown_attribute_field() -> None:
    message = parse_error("attributes.foo = 'x'")
    assert "attributes.foo" in message
    assert "timestamp_ms" in message


def test_attribute_prefix_with_nested_key() -> None:
    message = parse_error("attributes.name.x = 'x'")
    assert "attributes.name.x" in message


def test_unknown_span_field() -> None:
    message = parse_error("span.attributes = 'x'")
    assert "span.attributes" in message
    assert "span.type" in message


@pytest.mark.parametrize("prefix", ["tags", "metadata", "span"])
def test_prefix_without_key(prefix: str) -> None:
    message = parse_error(f"{prefix} = 'x'")
    assert f"{prefix}." in message
    assert "position 0" in message


# --------------------------------------------------------------------------- type / operator errors


def test_string_for_numeric_field() -> None:
    message = parse_error("timestamp_ms = 'abc'")
    assert "needs a number" in message
    assert "'abc'" in message
    assert "position 15" in message


def test_string_in_numeric_in_list() -> None:
    message = parse_error("execution_time_ms IN (1, '2')")
    assert "needs a number" in message
    assert "position 25" in message


@pytest.mark.parametrize(
    "field",
    ["name", "trace_id", "run_id", "model_id", "client_request_id", "tags.k", "metadata.k", "span.name", "span.type"],
)
def test_number_for_string_field(field: str) -> None:
    message = parse_error(f"{field} = 1")
    assert "needs a quoted string" in message
    assert f"position {len(field) + 3}" in message


def test_number_for_status() -> None:
    message = parse_error("status = 1")
    assert "needs a quoted string" in message


def test_number_in_string_in_list() -> None:
    message = parse_error("tags.k IN ('a', 2)")
    assert "needs a quoted string" in message
    assert "position 16" in message


@pytest.mark.parametrize("op", ["LIKE", "ILIKE"])
@pytest.mark.parametrize("field", ["timestamp_ms", "execution_time_ms"])
def test_like_on_numeric_field(op: str, field: str) -> None:
    message = parse_error(f"{field} {op} 5")
    assert f"operator {op} is not supported" in message
    assert f"position {len(field) + 1}" in message
    assert "=, !=, <, <=, >, >=, IN, NOT IN" in message


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
@pytest.mark.parametrize("field", ["name", "trace_id", "tags.k", "metadata.k", "span.name", "span.type"])
def test_ordering_operator_on_string_field(op: str, field: str) -> None:
    message = parse_error(f"{field} {op} 'a'")
    assert f"operator {op} is not supported" in message
    assert "=, !=, LIKE, ILIKE, IN, NOT IN" in message


@pytest.mark.parametrize("op", ["LIKE", "ILIKE", "<", ">="])
@pytest.mark.parametrize("field", ["status", "span.status"])
def test_unsupported_operator_on_status(op: str, field: str) -> None:
    message = parse_error(f"{field} {op} 'OK'")
    assert f"operator {op} is not supported" in message
    assert "=, !=, IN, NOT IN" in message


def test_invalid_trace_status() -> None:
    message = parse_error("status = 'UNSET'")
    assert "invalid value 'UNSET'" in message
    assert "OK, ERROR, IN_PROGRESS" in message
    assert "position 9" in message


def test_invalid_span_status() -> None:
    message = parse_error("span.status IN ('OK', 'IN_PROGRESS')")
    assert "invalid value 'IN_PROGRESS'" in message
    assert "OK, ERROR, UNSET" in message
    assert "position 22" in message


# --------------------------------------------------------------------------- order_by


@pytest.mark.parametrize("order_by", [None, []])
def test_order_by_empty(order_by: list[str] | None) -> None:
    assert parse_order_by(order_by) == []


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("timestamp_ms DESC", OrderBy("timestamp_ms", False)),
        ("timestamp_ms ASC", OrderBy("timestamp_ms", True)),
        ("timestamp_ms", OrderBy("timestamp_ms", True)),
        ("attributes.execution_time_ms ASC", OrderBy("execution_time_ms", True)),
        ("attribute.execution_duration desc", OrderBy("execution_time_ms", False)),
        ("trace.request_time Desc", OrderBy("timestamp_ms", False)),
        ("timestamp", OrderBy("timestamp_ms", True)),
        ("state DESC", OrderBy("status", False)),
        ("status", OrderBy("status", True)),
        ("name", OrderBy("name", True)),
        ("request_id DESC", OrderBy("trace_id", False)),
        ("trace_id", OrderBy("trace_id", True)),
        ("  name   DESC  ", OrderBy("name", False)),
        ("attributes.`timestamp_ms` DESC", OrderBy("timestamp_ms", False)),
    ],
)
def test_order_by_clauses(clause: str, expected: OrderBy) -> None:
    assert parse_order_by([clause]) == [expected]


def test_order_by_multiple_clauses_keep_order() -> None:
    assert parse_order_by(["status", "timestamp_ms DESC"]) == [
        OrderBy("status", True),
        OrderBy("timestamp_ms", False),
    ]


def test_order_by_accepts_tuple_and_lone_string() -> None:
    assert parse_order_by(("name DESC",)) == [OrderBy("name", False)]
    assert parse_order_by("name DESC") == [OrderBy("name", False)]  # type: ignore[arg-type]


@pytest.mark.parametrize("clause", ["foo", "tags.env DESC", "run_id", "attributes.foo ASC", "span.name"])
def test_order_by_unknown_field(clause: str) -> None:
    with pytest.raises(InvalidFilterError) as info:
        parse_order_by([clause])
    message = str(info.value)
    assert clause in message
    for name in ["timestamp_ms", "execution_time_ms", "status", "name", "trace_id"]:
        assert name in message


@pytest.mark.parametrize("clause", ["timestamp_ms DOWN", "name ascending"])
def test_order_by_unknown_direction(clause: str) -> None:
    with pytest.raises(InvalidFilterError) as info:
        parse_order_by([clause])
    message = str(info.value)
    assert clause.split()[1] in message
    assert "ASC" in message and "DESC" in message


@pytest.mark.parametrize("clause", ["", "   ", "timestamp_ms DESC, name", "name ASC extra"])
def test_order_by_malformed(clause: str) -> None:
    with pytest.raises(InvalidFilterError):
        parse_order_by([clause])


def test_order_by_non_string_clause() -> None:
    with pytest.raises(InvalidFilterError):
        parse_order_by([1])  # type: ignore[list-item]


# --------------------------------------------------------------------------- extract_fields


@pytest.mark.parametrize(
    ("spec", "span_name", "part", "key"),
    [
        ("predict.inputs", "predict", "inputs", None),
        ("predict.outputs", "predict", "outputs", None),
        ("predict.inputs.question", "predict", "inputs", "question"),
        ("predict.outputs.answer", "predict", "outputs", "answer"),
        ("`span.name`.inputs", "span.name", "inputs", None),
        ("`span.name`.inputs.field", "span.name", "inputs", "field"),
        ("span.inputs.`field.name`", "span", "inputs", "field.name"),
        ("`a.b`.outputs.`c.d`", "a.b", "outputs", "c.d"),
        ("Chat Model.outputs", "Chat Model", "outputs", None),
        ("my-span_1.inputs.x y", "my-span_1", "inputs", "x y"),
        ("  predict.inputs  ", "predict", "inputs", None),
    ],
)
def test_extract_field_valid(spec: str, span_name: str, part: str, key: str | None) -> None:
    assert parse_extract_field(spec) == ExtractField(spec, span_name, part, key)  # type: ignore[arg-type]


def test_extract_field_keeps_original_spec_as_column_name() -> None:
    result = parse_extract_field("`span.name`.inputs.field")
    assert result is not None
    assert result.spec == "`span.name`.inputs.field"


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "   ",
        "predict",
        "predict.",
        ".inputs",
        "predict.attributes",
        "predict.Inputs",
        "predict.inputs.",
        "predict.inputs.a.b",
        "span.name.inputs",
        "`span.name.inputs",
        "``.inputs",
        "predict.inputs.``",
        "`a`b.inputs",
        "predict..inputs",
        "predict.inputs.`x`y",
    ],
)
def test_extract_field_invalid_returns_none(spec: str) -> None:
    assert parse_extract_field(spec) is None


def test_extract_field_non_string_returns_none() -> None:
    assert parse_extract_field(None) is None  # type: ignore[arg-type]
    assert parse_extract_field(3) is None  # type: ignore[arg-type]


# --- feedback and expectation fields ----------------------------------------------------------------------------------
def test_feedback_and_expectation_fields_parse_strings_numbers_and_booleans():
    from tracekit.store.search.grammar import Comparison, FieldRef

    assert parse_filter("feedback.correct = true") == Comparison(FieldRef("feedback", "correct"), "=", True)
    assert parse_filter("expectation.`my answer` IN ('a', 2, false)") == Comparison(
        FieldRef("expectation", "my answer"), "IN", ("a", 2, False))
    assert parse_filter("feedback.score >= 0.5") == Comparison(FieldRef("feedback", "score"), ">=", 0.5)


@pytest.mark.parametrize("filter_string, fragment", [
    ("feedback = 'yes'", "needs a key"),
    ("feedback.verdict LIKE 'y%'", "operator LIKE is not supported"),
    ("feedback.verdict > 'yes'", "compares numbers only"),
    ("feedback.verdict = maybe", "expected a value"),
    ("tags.env = true", "expected a value"),
    ("feedbacks.verdict = 'yes'", "unknown field"),
    ("feedback.score > 1e400", "out of range"),
    ("timestamp_ms < -1e400", "out of range"),
])
def test_bad_feedback_filters_say_what_is_wrong(filter_string, fragment):
    with pytest.raises(InvalidFilterError, match=fragment):
        parse_filter(filter_string)
