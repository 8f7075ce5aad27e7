"""One grading process of a class run: `python -m serverless_tutor.grading.class_worker`.

The class coordinator (grading/classroom.py) starts one of these per job slot and
talks to it in JSON lines: stdin carries requests, the original stdout carries
replies, and anything else printed lands in stderr (the run's log). Each process
holds one Grader (its own sandbox template and local account: a Grader grades one
submission at a time, so parallel grading needs one per process) and serves every
exercise of the pack with it.

    -> {"t": "setup", "exercises": [folder, ...]}    <- {"t": "ready"} | {"t": "failed", "message": ...}
    -> {"t": "grade", "job": n, "exercise": id, "submission": path}
                                                     <- {"t": "result", "job": n, "result": {...}} | {"t": "crashed", "job": n, "message": ...}

The coordinator owns the per-submission deadline: a process that overruns it is
killed, which closes its template's socket, and the template then kills the
sandbox workers it forked. When the coordinator itself is gone (killed, Ctrl+C),
the next reply finds the pipe broken and the process exits quietly.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any


class CoordinatorGone(Exception):
    """The coordinator closed its end of the replies (it was killed or interrupted)."""


def serve(requests: IO[str], replies: IO[str]) -> None:
    from serverless_tutor.content.exercises import load_exercise
    from serverless_tutor.grading.runner import CLASS_GRADING_LAYERS, Grader
    from serverless_tutor.problems import ContentError
    from serverless_tutor.runtime.template import SandboxUnavailable

    def reply(message: dict[str, Any]) -> None:
        try:
            replies.write(json.dumps(message) + "\n")
            replies.flush()
        except BrokenPipeError as exc:
            raise CoordinatorGone from exc

    grader: Grader | None = None
    exercises = {}
    try:
        for line in requests:
            request = json.loads(line)
            if request["t"] == "setup":
                try:
                    for folder in request["exercises"]:
                        exercise = load_exercise(Path(folder))
                        exercises[exercise.id] = exercise
                    grader = Grader(require_isolation=CLASS_GRADING_LAYERS)
                    grader.warm_up()
                except (ContentError, SandboxUnavailable, OSError) as exc:
                    reply({"t": "failed", "message": f"{type(exc).__name__}: {exc}"})
                    return
                reply({"t": "ready", "pid": os.getpid()})
            elif request["t"] == "grade":
                assert grader is not None, "grade before setup"
                try:
                    result = grader.grade(
                        exercises[request["exercise"]], Path(request["submission"])
                    )
                except Exception as exc:
                    reply(
                        {
                            "t": "crashed",
                            "job": request["job"],
                            "message": f"{type(exc).__name__}: {exc}",
                        }
                    )
                    continue
                reply({"t": "result", "job": request["job"], "result": result.to_json()})
    finally:
        if grader is not None:
            grader.close()


def _exit_with_parent() -> None:
    """If the coordinator dies (even by SIGKILL) while a grade is stuck, do not linger as an orphan."""
    parent = os.getppid()
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)  # our sockets close: the sandbox template sees it and kills its workers


def main() -> None:
    # Keep the protocol channel private: fd 1 becomes a copy of stderr, so a stray
    # print from any library lands in the log instead of corrupting the replies.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    threading.Thread(
        target=_exit_with_parent, name="class-worker-parent-watch", daemon=True
    ).start()
    try:
        serve(sys.stdin, replies)
    except CoordinatorGone:
        # Nobody is left to read a reply: the grader is closed (serve's finally), and exiting
        # without flushing the dead pipe keeps a BrokenPipe traceback out of the run's log.
        os._exit(0)


if __name__ == "__main__":
    main()
