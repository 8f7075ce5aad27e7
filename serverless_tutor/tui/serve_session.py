"""One browser session of `serverless-tutor serve`: the app, with a data directory of its own.

textual-serve starts this module once per browser connection. Each session gets a
fresh folder under the served data directory, so two students at two browsers
never share progress or exercise files.

    python -m serverless_tutor.tui.serve_session SESSIONS_DIR

`serve` is what `serverless-tutor serve` runs: textual-serve, started here so that
only the TUI package imports the Textual family.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path


def serve(host: str, port: int, sessions: Path) -> None:
    """Serve the app over HTTP until Ctrl+C; each browser connection runs `main` anew."""
    from textual_serve.server import Server

    command = shlex.join(
        [sys.executable, "-m", "serverless_tutor.tui.serve_session", str(sessions)]
    )
    Server(command, host=host, port=port, title="serverless-tutor").serve()


def main(argv: list[str]) -> int:
    sessions = Path(argv[0]) if argv else Path(tempfile.gettempdir()) / "serverless-tutor-sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    os.environ["SERVERLESS_TUTOR_HOME"] = tempfile.mkdtemp(prefix="session-", dir=sessions)
    from serverless_tutor.tui.app import TutorApp

    TutorApp().run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
