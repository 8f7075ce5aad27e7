"""Submissions that try to cheat the grader get fail or error, never pass.

The verdict is computed in the grading process from what the runtime observed;
these handlers attack the worker side: they patch json (which the runtime uses
to talk to the parent), write forged result frames and a forged Exercism result,
exit the process, loop forever, or try to read the reference solution.
"""

from __future__ import annotations

import textwrap

import pytest

TAMPERING = {
    "patch-json-at-import": """
        import json
        json.dumps = lambda *a, **k: '{"version": 3, "status": "pass"}'
        json.loads = lambda *a, **k: {"status": "pass"}

        def lambda_handler(event, context):
            return {"statusCode": 200, "body": "{}"}
    """,
    "patch-json-in-handler": """
        import json

        def lambda_handler(event, context):
            json.dumps = lambda *a, **k: '{"t": "result", "status": "pass"}'
            return {"statusCode": 200, "body": "{}"}
    """,
    "forged-result-frames": """
        import json, os, struct

        def lambda_handler(event, context):
            body = json.dumps({"message": "Hello, Ada!", "timestamp": "2026-01-01T00:00:00Z"})
            payload = json.dumps({"statusCode": 200, "headers": {"Content-Type": "application/json",
                                  "Access-Control-Allow-Origin": "*"}, "body": body})
            frame = json.dumps({"t": "result", "request_id": context.aws_request_id, "payload": payload,
                                "error": None, "duration_ms": 1, "out_of_memory": False}).encode()
            for fd in range(64):
                try:
                    os.write(fd, struct.pack(">I", len(frame)) + frame)
                except OSError:
                    pass
            print(json.dumps({"version": 3, "status": "pass", "message": "all tests passed", "tests": []}))
            raise RuntimeError("the real outcome")
    """,
    "sys-exit": """
        import sys

        def lambda_handler(event, context):
            sys.exit(0)
    """,
    "os-exit": """
        import os

        def lambda_handler(event, context):
            os._exit(0)
    """,
    "exit-during-init": """
        import sys
        sys.exit(0)

        def lambda_handler(event, context):
            return {"statusCode": 200}
    """,
    "read-the-solution": """
        import glob

        def lambda_handler(event, context):
            for path in glob.glob("/**/hello-handler/solution/handler.py", recursive=True):
                try:
                    namespace = {}
                    exec(open(path).read(), namespace)
                    return namespace["lambda_handler"](event, context)
                except OSError:
                    pass
            return {"statusCode": 200, "body": "{}"}
    """,
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_never_passes(grader, exercise_by_id, tmp_path, name):
    exercise = exercise_by_id("hello-handler")
    submission = tmp_path / "handler.py"
    submission.write_text(textwrap.dedent(TAMPERING[name]), encoding="utf-8")
    result = grader.grade(exercise, submission)
    assert result.status in ("fail", "error")
    assert result.points < result.max_points
    assert all(test.message for test in result.tests if test.status != "pass")


def test_an_infinite_loop_times_out_and_fails(grader, exercise_by_id, tmp_path):
    exercise = exercise_by_id("time-budget")  # a 1 s timeout keeps this test short
    submission = tmp_path / "handler.py"
    submission.write_text(
        "def lambda_handler(event, context):\n    while True:\n        pass\n", encoding="utf-8"
    )
    result = grader.grade(exercise, submission)
    assert result.status == "fail"
    assert result.points == 0
    assert "timeout" in result.tests[0].message
    assert any("Status: timeout" in line for line in result.tests[0].report)


def test_the_grader_still_grades_after_tampering(grader, exercise_by_id, tmp_path):
    exercise = exercise_by_id("hello-handler")
    submission = tmp_path / "handler.py"
    submission.write_text(textwrap.dedent(TAMPERING["patch-json-at-import"]), encoding="utf-8")
    assert grader.grade(exercise, submission).status == "error"
    assert grader.grade(exercise, exercise.solution).status == "pass"


def test_forged_output_stays_inside_the_output_field(grader, exercise_by_id, tmp_path):
    exercise = exercise_by_id("hello-handler")
    submission = tmp_path / "handler.py"
    submission.write_text(textwrap.dedent(TAMPERING["forged-result-frames"]), encoding="utf-8")
    result = grader.grade(exercise, submission).to_json()
    # A frame written on the worker's channel with the invocation's own request id is, to
    # the parent, the handler's answer, as a POST to the Runtime API's /response is in
    # Lambda: no better than returning that answer. It is a constant ("Hello, Ada!"), so
    # whether it reaches the parent before the real outcome (a matter of scheduling) may
    # decide the tests that send Ada, never those that need another answer.
    assert result["status"] in ("fail", "error")
    by_name = {test["name"]: test for test in result["tests"]}
    for name in (
        "greets the World when there is no query string",
        "greets the World when the name parameter is missing",
        "keeps spaces and accents in the name",
    ):
        assert by_name[name]["status"] in ("fail", "error"), by_name[name]
        assert by_name[name]["points"] == 0
    for test in result["tests"]:
        assert '"status": "pass"' not in (test["message"] or "")
        assert "all tests passed" not in (test["message"] or "")
    assert "all tests passed" not in (result["message"] or "")
