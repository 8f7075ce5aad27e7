"""The trace tables fit their width: wrapped between words, the resource under the action when narrow."""

from collections.abc import Sequence

from serverless_tutor.tui.widgets import patterns_trace_table, pipeline_trace_table
from serverless_tutor.tui.widgets.fitted_trace_table import TableLayout, fit_table, wrap_cell

LESSON_PANE_TABLE = 43  # an 80x24 lesson pane's panel (45) less the table's scrollbar
WIDE_PANE_TABLE = 71  # the same at 120x40

# Rows as the order pipeline's trace gives them, with its longest words.
PIPELINE_ROWS = [
    ("1", "createOrder", "cold", "12.8", ""),
    ("", "  ← POST /dev/orders", "", "", ""),
    ("", "  dynamodb PutItem", "ok", "3.0", "orders"),
    ("", "  → OrderCreated", "to processPayment", "", "events"),
    ("3", "updateInventory", "cold, failed", "40.5", ""),
    ("", "  ← SNS PaymentProcessed", "", "", ""),
    (
        "",
        "  dynamodb TransactWriteItems",
        "error: ConditionalCheckFailed",
        "7.1",
        "orders+inventory",
    ),
    ("", "  ses SendEmail", "ok", "2.0", "orders@example.com"),
    ("", "  raised ProvisionedThroughputExceededException", "attempt 1, retried", "", ""),
]
PATTERNS_ROWS = [
    ("", "demo sns Publish", "ok", "alerts"),
    ("1", "email", "warm, try 2 failed", "SNS OrderPlaced"),
    ("", "  dynamodb TransactWriteItems", "error: TransactionCanceled", "deliveries"),
    ("", "  ses SendEmail", "ok", "shop@example.com"),
]


def cell_lines(layout: TableLayout, column: int) -> list[list[str]]:
    return [row[column].split("\n") for row in layout.rows]


def breaks_at_words(lines: list[str], original: str) -> bool:
    """Do the lines hold all of `original` in order, each ending at a space or where two parts
    of a name join (Check|Failed, Runtime.|ExitError), never inside a word?"""
    position = 0
    for line in lines:
        text = line.strip()
        if not text:
            continue
        found = original.find(text, position)
        if found < 0 or original[position:found].strip():  # text lost or out of order
            return False
        position = found + len(text)
        rest = original[position:]
        joins_a_name = (text[-1].isalnum() and rest[:1].isupper()) or text[-1] in "./@+-"
        if rest and rest[0] != " " and not joins_a_name:
            return False
    return not original[position:].strip()


def assert_fits_without_cutting_a_word(
    layout: TableLayout, rows: Sequence[tuple[str, ...]], width: int
) -> None:
    assert sum(layout.widths) + 2 * len(layout.widths) <= width
    stacked = len(layout.headers) < len(rows[0])
    for column, column_width in enumerate(layout.widths):
        for row, lines in zip(rows, cell_lines(layout, column), strict=True):
            assert all(len(line) <= column_width for line in lines), (lines, column_width)
            original = row[column].strip()
            if stacked and column == 1 and row[-1]:
                original += " " + row[-1]
            assert breaks_at_words(lines, original), (lines, original)


def test_wrap_cell_breaks_between_words_keeps_the_indent_and_splits_long_names_at_their_joins():
    assert wrap_cell("  ← SNS PaymentProcessed", 18, break_names=False) == [
        "  ← SNS",
        "  PaymentProcessed",
    ]
    assert wrap_cell("error: ConditionalCheckFailed", 17, break_names=True) == [
        "error:",
        "ConditionalCheck",
        "Failed",
    ]
    assert wrap_cell("to processPayment", 20, break_names=True) == ["to processPayment"]


def test_the_pipeline_trace_fits_an_80_column_lesson_with_the_resource_under_the_call():
    layout = fit_table(
        pipeline_trace_table.COLUMNS, PIPELINE_ROWS, LESSON_PANE_TABLE, wrapping=(1, 2), action=1
    )
    assert layout.headers == ["#", "step / call", "result", "ms"]  # resource moved, ms in view
    assert_fits_without_cutting_a_word(layout, PIPELINE_ROWS, LESSON_PANE_TABLE)
    calls = [row[1].split("\n") for row in layout.rows]
    assert calls[2] == ["  dynamodb PutItem", "    orders"] and layout.resource_lines[2] == 1
    # Long names break where their parts join; the checks above say nothing is lost or cut.
    assert calls[6][-2:] == ["    orders+", "    inventory"]
    assert [row[3] for row in layout.rows] == [row[3] for row in PIPELINE_ROWS]


def test_at_120_columns_every_column_keeps_its_place():
    layout = fit_table(
        pipeline_trace_table.COLUMNS, PIPELINE_ROWS, WIDE_PANE_TABLE, wrapping=(1, 2), action=1
    )
    assert layout.headers == list(pipeline_trace_table.COLUMNS)
    assert_fits_without_cutting_a_word(layout, PIPELINE_ROWS, WIDE_PANE_TABLE)
    assert [row[4] for row in layout.rows] == [row[4] for row in PIPELINE_ROWS]
    short = PIPELINE_ROWS[:4]  # rows that fit as they are stay one line each
    natural = fit_table(
        pipeline_trace_table.COLUMNS, short, WIDE_PANE_TABLE, wrapping=(1, 2), action=1
    )
    assert natural.rows == [list(row) for row in short]


def test_the_patterns_trace_fits_an_80_column_lesson():
    layout = fit_table(
        patterns_trace_table.COLUMNS, PATTERNS_ROWS, LESSON_PANE_TABLE, wrapping=(1, 2), action=1
    )
    assert layout.headers == ["#", "function / call", "result"]
    assert_fits_without_cutting_a_word(layout, PATTERNS_ROWS, LESSON_PANE_TABLE)
    assert layout.rows[1][1].split("\n")[-1].strip() == "SNS OrderPlaced"  # the trigger, under


def test_patterns_resources_lose_the_service_and_stage():
    assert patterns_trace_table.resource_name("patterns-lab-sms-dlq-dev") == "sms-dlq"
    assert patterns_trace_table.resource_name("shop@example.com") == "shop@example.com"
