"""A visible answer timer for mock interviews: elapsed of the suggested time, e.g. 1:42 / 3:00."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widgets import Static


def clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


class QuizTimer(Static):
    """Shows the seconds a callable reports (the quiz session's clock); refreshes once a second while shown."""

    DEFAULT_CSS = """
    QuizTimer {
        width: auto;
        min-width: 14;
        padding: 0 1;
        color: $text-muted;
        text-align: right;
    }
    QuizTimer.-running {
        color: $accent;
        text-style: bold;
    }
    QuizTimer.-over {
        color: $warning;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__("", id=id, classes=classes)
        self._elapsed: Callable[[], float] | None = None
        self._limit: float | None = None
        self._interval: Timer | None = None

    def on_mount(self) -> None:
        self._interval = self.set_interval(1, self.tick, pause=True)

    def start(self, elapsed: Callable[[], float], limit_seconds: float | None) -> None:
        """Count with `elapsed` (seconds so far) against an optional suggested limit."""
        self._elapsed = elapsed
        self._limit = limit_seconds
        self.add_class("-running")
        self.tick()
        if self._interval is not None:
            self._interval.resume()

    def stop(self) -> None:
        """Freeze the display at its last value."""
        self.tick()
        self.remove_class("-running")
        if self._interval is not None:
            self._interval.pause()

    def clear(self) -> None:
        self.stop()
        self._elapsed = None
        self.update("")

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    @property
    def text(self) -> str:
        return str(self.content)

    def tick(self) -> None:
        if self._elapsed is None:
            return
        seconds = self._elapsed()
        limit = f" / {clock_text(self._limit)}" if self._limit else ""
        self.set_class(bool(self._limit) and seconds > (self._limit or 0), "-over")
        self.update(f"⏱ {clock_text(seconds)}{limit}")

    # The interval only runs while the timer is on screen; the time itself comes from the
    # session's clock, so pausing the refresh never loses time.
    def resume_refresh(self) -> None:
        if self.running and self._interval is not None:
            self.tick()
            self._interval.resume()

    def pause_refresh(self) -> None:
        if self._interval is not None:
            self._interval.pause()

    def on_show(self) -> None:
        self.resume_refresh()

    def on_hide(self) -> None:
        self.pause_refresh()
