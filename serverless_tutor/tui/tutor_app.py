"""Typed access to the running TutorApp from screens, widgets and command providers.

Textual types `self.app` as a plain `App`; the tutor's own attributes (lessons,
progress, save_progress, open_lesson) are on TutorApp. This cast is the one place
that says so (Posting does the same with `cast("Posting", self.app)`). TutorApp is
imported only for the type checker, so app.py can import the screens without a cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import App

if TYPE_CHECKING:
    from serverless_tutor.tui.app import TutorApp


def tutor_app(app: App[Any]) -> TutorApp:
    """`app` as the TutorApp it is when the tutor runs (pass `self.app`)."""
    return cast("TutorApp", app)
