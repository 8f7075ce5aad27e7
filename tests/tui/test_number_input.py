"""The number field every panel uses: what it accepts, what it refuses and why, what it posts."""

from decimal import Decimal

import pytest
from textual import on
from textual.app import App, ComposeResult

from serverless_tutor.tui.widgets.number_input import (
    DURATION_MS,
    MEMORY_MB,
    InvalidNumber,
    NumberInput,
    NumberRange,
)


@pytest.mark.parametrize(
    ("number_range", "text", "number"),
    [
        (MEMORY_MB, "1024", Decimal(1024)),
        (MEMORY_MB, " 128 ", Decimal(128)),
        (MEMORY_MB, "10240", Decimal(10240)),
        (DURATION_MS, "0.1", Decimal("0.1")),  # exact, not 0.1000000000000000055...
        (DURATION_MS, "900000", Decimal(900000)),
    ],
)
def test_parses_numbers_in_range(number_range, text, number):
    assert number_range.parse(text) == number


@pytest.mark.parametrize(
    ("number_range", "text", "reason"),
    [
        (MEMORY_MB, "64", "must be 128 to 10,240 MB"),
        (MEMORY_MB, "10241", "must be 128 to 10,240 MB"),
        (MEMORY_MB, "1e999", "must be 128 to 10,240 MB"),
        (MEMORY_MB, "512.5", "must be a whole number of MB"),
        (MEMORY_MB, "²", "expected a number, got '²'"),
        (MEMORY_MB, "nan", "expected a finite number, got 'nan'"),
        (MEMORY_MB, "-Infinity", "expected a finite number, got '-Infinity'"),
        (MEMORY_MB, "", "expected a number"),
        (DURATION_MS, "0", "must be more than 0 and at most 900,000 ms"),
        (DURATION_MS, "900000.5", "must be more than 0 and at most 900,000 ms"),
        (NumberRange(Decimal(0), Decimal(100)), "x" * 40, f"expected a number, got '{'x' * 16}…'"),
    ],
)
def test_refuses_with_a_reason(number_range, text, reason):
    with pytest.raises(ValueError) as refused:
        number_range.parse(text)
    assert str(refused.value) == reason


class FieldApp(App):
    def __init__(self):
        super().__init__()
        self.posted: list[tuple[str, object]] = []

    def compose(self) -> ComposeResult:
        yield NumberInput("512", number_range=MEMORY_MB, label="memory", title="memory MB")

    @on(NumberInput.Valid)
    def _valid(self, message: NumberInput.Valid) -> None:
        self.posted.append(("valid", message.number))

    @on(NumberInput.Invalid)
    def _invalid(self, message: NumberInput.Invalid) -> None:
        self.posted.append(("invalid", message.reason))


async def retype(pilot, text: str) -> None:
    field = pilot.app.query_one(NumberInput)
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value), *list(text))
    await pilot.pause()


async def test_typing_a_valid_number_posts_it():
    app = FieldApp()
    async with app.run_test(size=(40, 6)) as pilot:
        field = app.query_one(NumberInput)
        await retype(pilot, "1024")
        assert app.posted[-1] == ("valid", Decimal(1024))
        assert field.problem is None and field.read_whole() == 1024
        assert not field.has_class("-invalid") and field.border_subtitle == ""
        assert field.tooltip == "memory MB" and field.border_title == "memory MB"


async def test_out_of_range_shows_the_reason_on_the_field_and_posts_invalid():
    app = FieldApp()
    async with app.run_test(size=(40, 6)) as pilot:
        field = app.query_one(NumberInput)
        await retype(pilot, "64")
        assert app.posted[-1] == ("invalid", "must be 128 to 10,240 MB")
        assert field.has_class("-invalid")
        assert field.border_subtitle == "⚠ must be 128 to 10,240 MB"
        assert field.tooltip == "memory: must be 128 to 10,240 MB"
        with pytest.raises(InvalidNumber) as refused:
            field.read()
        assert str(refused.value) == "memory: must be 128 to 10,240 MB"
        await retype(pilot, "256")  # valid again: the reason goes
        assert app.posted[-1] == ("valid", Decimal(256))
        assert not field.has_class("-invalid") and field.border_subtitle == ""


async def test_garbage_is_refused_whether_typed_pasted_or_set():
    app = FieldApp()
    async with app.run_test(size=(40, 6)) as pilot:
        field = app.query_one(NumberInput)
        field.focus()
        await pilot.press(
            "end", "²", "n", "a", "n"
        )  # not number characters: typing them does nothing
        await pilot.pause()
        assert field.value == "512" and field.problem is None
        for text, reason in [
            ("1e999", "must be 128 to 10,240 MB"),  # typeable, finite for Decimal, far out of range
            ("nan", "expected a finite number, got 'nan'"),
            ("²", "expected a number, got '²'"),
            ("inf", "expected a finite number, got 'inf'"),
        ]:
            field.value = text
            await pilot.pause()
            assert field.problem == reason
            assert app.posted[-1] == ("invalid", reason)
            assert field.has_class("-invalid") and field.border_subtitle == f"⚠ {reason}"


async def test_a_value_set_while_changes_are_prevented_still_updates_the_reason():
    app = FieldApp()
    async with app.run_test(size=(40, 6)) as pilot:
        field = app.query_one(NumberInput)
        field.value = "64"
        await pilot.pause()
        posted = len(app.posted)
        with app.screen.prevent(NumberInput.Changed):
            field.value = "3008"  # how panels fill in a preset
        await pilot.pause()
        assert len(app.posted) == posted  # nothing posted: the panel recomputes itself
        assert field.problem is None and field.border_subtitle == ""


async def test_an_allowed_blank_is_valid_and_posts_none():
    class BlankApp(FieldApp):
        def compose(self) -> ComposeResult:
            p99 = NumberRange(Decimal(1), Decimal(1000), "ms")
            yield NumberInput("5", number_range=p99, label="p99", blank_allowed=True)

    app = BlankApp()
    async with app.run_test(size=(40, 6)) as pilot:
        field = app.query_one(NumberInput)
        await retype(pilot, "")
        assert app.posted[-1] == ("valid", None)
        assert field.is_blank and field.problem is None and not field.has_class("-invalid")
