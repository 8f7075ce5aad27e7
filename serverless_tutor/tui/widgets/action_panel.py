"""The base of lesson panels that run one engine call at a time in a worker thread.

The order pipeline, patterns lab, API console, BaaS sign-up and invoke playground
panels all do the same around their engine: refuse a second action while one runs,
disable their controls and say what is happening, call the engine in a
`@work(thread=True, exclusive=True)` worker (the first call deploys an example
into a local account, which takes seconds), and back on the UI thread either show
the result or the engine's error in the status line. That part lives here; each
panel keeps its engine, its controls and how it draws a result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from textual import on, work
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Static

from serverless_tutor.tui.widgets.lesson_panel import LessonPanel

ResultT = TypeVar("ResultT")


class ActionFinished(Message, Generic[ResultT]):
    """Posted from the worker thread with what the engine returned."""

    def __init__(self, result: ResultT):
        super().__init__()
        self.result = result


class ActionFailed(Message):
    """Posted from the worker thread when the engine raised one of the panel's errors."""

    def __init__(self, problem: str):
        super().__init__()
        self.problem = problem


class ActionPanel(LessonPanel, Generic[ResultT]):
    """A panel whose actions call an engine in a worker; subclasses set the class variables."""

    STATUS: ClassVar[str]
    """Selector of the Static that shows what is running, and failures."""
    CONTROLS: ClassVar[str]
    """Selector of the buttons disabled while an action runs."""
    BUSY_WARNING: ClassVar[str]
    """The notice when an action is asked for while one runs."""
    FAILURE_PREFIX: ClassVar[str]
    """Before the engine's error in the status line, e.g. "Failed"."""
    ENGINE_ERRORS: ClassVar[tuple[type[Exception], ...]]
    """What the engine raises for a problem worth showing; anything else is a bug."""

    busy = False
    _focus_before_busy: Widget | None = None
    _holding_focus = False  # can_focus was switched on only to hold the focus while busy

    def warn_if_busy(self) -> bool:
        """True (and a notice) if an action is still running."""
        if self.busy:
            self.notify(self.BUSY_WARNING, severity="warning")
        return self.busy

    def start_action(self, status: str, call: Callable[[], ResultT]) -> None:
        """Show `status`, disable the controls and run `call` in the worker."""
        self.set_busy(True, status)
        self._run_action(call)

    def show_result(self, result: ResultT) -> None:
        """Draw what the engine returned (on the UI thread, after the controls are enabled)."""
        raise NotImplementedError

    @work(thread=True, exclusive=True, group="panel-action")
    def _run_action(self, call: Callable[[], ResultT]) -> None:
        try:
            result = call()
        except self.ENGINE_ERRORS as problem:
            self.post_message(ActionFailed(str(problem)))
            return
        self.post_message(ActionFinished(result))

    @on(ActionFinished)
    def _action_finished(self, message: ActionFinished[ResultT]) -> None:
        message.stop()
        self.set_busy(False)
        self.show_result(message.result)

    @on(ActionFailed)
    def _action_failed(self, message: ActionFailed) -> None:
        message.stop()
        self.set_busy(False)
        status = self.query_one(self.STATUS, Static)
        status.set_classes("-failed")
        status.update(Content(f"{self.FAILURE_PREFIX}: {message.problem}"))

    def set_busy(self, busy: bool, status: str = "") -> None:
        self.busy = busy
        controls = list(self.query(self.CONTROLS).results(Button))
        focused = self.screen.focused
        if busy and focused in controls:
            # A disabled button drops the focus, and with it the panel's keys and footer:
            # the panel holds the focus meanwhile and gives it back afterwards.
            self._focus_before_busy = focused
            self._holding_focus = not self.can_focus
            self.can_focus = True
            self.focus(scroll_visible=False)
        for control in controls:
            control.disabled = busy
        if not busy:
            before, self._focus_before_busy = self._focus_before_busy, None
            if before is not None and self.screen.focused is self:
                before.focus(scroll_visible=False)
            if self._holding_focus:
                self._holding_focus = False
                self.can_focus = False
        if busy:
            widget = self.query_one(self.STATUS, Static)
            widget.set_classes("")
            widget.update(Content(status))
