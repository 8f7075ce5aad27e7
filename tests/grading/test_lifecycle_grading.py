"""Lifecycle grading is honest: it catches per-call clients however they are spelled, lazy
creation after INIT, module-level counters and read-then-write races across environments."""

from __future__ import annotations

import textwrap

import pytest

INIT_VARIANTS = {
    "lazy-creation-on-first-call": (
        "fail",
        """
        import os
        import boto3

        table = None

        def get_table():
            global table
            if table is None:
                table = boto3.resource("dynamodb").Table(os.environ["CONFIG_TABLE"])
            return table

        def lambda_handler(event, context):
            return get_table().get_item(Key={"id": "settings"})["Item"]
    """,
    ),
    "per-call-creation-spelled-indirectly": (
        "fail",
        """
        import os
        import boto3

        def lambda_handler(event, context):
            make = getattr(boto3, "res" + "ource")
            return make("dynamodb").Table(os.environ["CONFIG_TABLE"]).get_item(Key={"id": "settings"})["Item"]
    """,
    ),
    "helper-called-during-init": (
        "pass",
        """
        import os
        import boto3

        def make_table():
            return boto3.resource("dynamodb").Table(os.environ["CONFIG_TABLE"])

        table = make_table()

        def lambda_handler(event, context):
            return table.get_item(Key={"id": "settings"})["Item"]
    """,
    ),
}

COUNTER_RACE = """
    import json
    import os
    import boto3

    table = boto3.resource("dynamodb").Table(os.environ["COUNTER_TABLE"])

    def lambda_handler(event, context):
        item = table.get_item(Key={"id": "global"}).get("Item") or {"count": 0}
        count = int(item["count"]) + 1  # read, then write: two environments can read the same value
        table.put_item(Item={"id": "global", "count": count})
        return {"statusCode": 200, "body": json.dumps({"count": count})}
"""


@pytest.mark.parametrize("name", sorted(INIT_VARIANTS))
def test_init_outside_handler_variants(grader, exercise_by_id, tmp_path, name):
    expected, source = INIT_VARIANTS[name]
    submission = tmp_path / "handler.py"
    submission.write_text(textwrap.dedent(source), encoding="utf-8")
    result = grader.grade(exercise_by_id("init-outside-handler"), submission)
    assert result.status == expected, result.message
    if expected == "fail":
        lifecycle = next(
            test for test in result.tests if test.name.startswith("creates the client once")
        )
        assert lifecycle.status == "fail"


def test_read_then_write_counter_fails_only_the_concurrency_test(grader, exercise_by_id, tmp_path):
    submission = tmp_path / "handler.py"
    submission.write_text(textwrap.dedent(COUNTER_RACE), encoding="utf-8")
    result = grader.grade(exercise_by_id("stateless-counter"), submission)
    by_name = {test.name: test for test in result.tests}
    assert by_name["keeps counting after a cold start"].status == "pass"
    concurrent = by_name["stays right across two concurrent environments"]
    assert concurrent.status == "fail"
    assert "[1, 2, 3, 4]" in concurrent.message
    assert (
        len(concurrent.report) == 4
        and sum("Init Duration" in line for line in concurrent.report) == 2
    )
