"""Fault plans: validated like other content, and the same seed gives the same faults."""

from pathlib import Path

import pytest

from serverless_tutor.cloud.faults import (
    CallEffect,
    DeliveryEffect,
    FaultInjector,
    FaultPlan,
    load_fault_plan,
)
from serverless_tutor.problems import ContentError

TABLE = "arn:aws:dynamodb:us-east-1:100000000001:table/accounts"


def plan(*rules: dict, seed: int = 0) -> FaultPlan:
    return FaultPlan.model_validate({"seed": seed, "rules": list(rules)})


def update(injector: FaultInjector, resource: str = TABLE) -> CallEffect | None:
    return injector.for_call("dynamodb", "UpdateItem", resource, function="apply-payment")


def test_nth_hits_only_that_call_and_records_it():
    injector = FaultInjector(
        plan(
            {
                "call": {
                    "service": "dynamodb",
                    "action": "UpdateItem",
                    "resource": "*:table/accounts",
                },
                "when": {"nth": 2},
                "effect": {"error": "ProvisionedThroughputExceededException"},
            }
        )
    )
    effects = [update(injector) for _ in range(4)]
    assert [e.error if e else None for e in effects] == [
        None,
        "ProvisionedThroughputExceededException",
        None,
        None,
    ]
    assert injector.describe() == [
        f"ProvisionedThroughputExceededException on dynamodb:UpdateItem {TABLE}"
        " (function apply-payment)"
    ]


def test_every_and_times_cap_the_faults():
    injector = FaultInjector(
        plan(
            {
                "call": {"service": "dynamodb"},
                "when": {"every": 2, "times": 2},
                "effect": {"error": "ThrottlingException"},
            }
        )
    )
    hits = [update(injector) is not None for _ in range(8)]
    assert hits == [False, True, False, True, False, False, False, False]


def test_a_rule_for_another_resource_action_or_function_does_not_fire():
    injector = FaultInjector(
        plan(
            {
                "call": {"service": "dynamodb", "action": "PutItem", "function": "other"},
                "effect": {"timeout": True},
            }
        )
    )
    assert update(injector) is None
    assert injector.for_call("dynamodb", "PutItem", TABLE, function="apply-payment") is None
    assert injector.for_call("dynamodb", "PutItem", TABLE, function="other") is not None


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    rule = {"call": {"service": "*"}, "when": {"probability": 0.3}, "effect": {"latency_ms": 50}}

    def run(seed: int) -> list[bool]:
        injector = FaultInjector(plan(rule, seed=seed))
        return [update(injector) is not None for _ in range(200)]

    assert run(7) == run(7)
    assert run(7) != run(8)
    assert 30 < sum(run(7)) < 90  # about 30% of 200


def test_delivery_faults_match_by_source_and_function():
    injector = FaultInjector(
        plan(
            {
                "delivery": {"source": "sqs", "function": "apply-*"},
                "when": {"nth": 1},
                "effect": {"duplicate": True},
            }
        )
    )
    assert injector.for_delivery("sns", "apply-payment", "topic") is None
    effect = injector.for_delivery("sqs", "apply-payment", "queue payments")
    assert isinstance(effect, DeliveryEffect) and effect.duplicate
    assert injector.for_delivery("sqs", "apply-payment", "queue payments") is None
    assert injector.describe() == [
        "duplicate delivery on sqs queue payments (function apply-payment)"
    ]


def test_a_plan_file_loads(tmp_path: Path):
    path = tmp_path / "throttle.faults.yaml"
    path.write_text(
        "name: throttle the balance\n"
        "seed: 3\n"
        "rules:\n"
        "  - call: {service: dynamodb, action: UpdateItem}\n"
        "    when: {nth: 1}\n"
        "    effect: {crash_after: true}\n"
        "  - delivery: {source: sqs}\n"
        "    effect: {redeliver: true}\n"
    )
    loaded = load_fault_plan(path)
    assert loaded.seed == 3 and len(loaded.rules) == 2
    assert loaded.rules[0].effect.kind == "crash after the call took effect"


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("rules: []\n", "rules", "at least 1 item"),
        (
            "rules:\n  - call: {service: dynamodb}\n    effect: {error: Boom}\n",
            "rules.0.call.effect",
            "error must be one of",
        ),
        (
            "rules:\n  - call: {service: dynamodb}\n    effect: {timeout: true, latency_ms: 5}\n",
            "rules.0.call.effect",
            "exactly one of",
        ),
        (
            "rules:\n  - call: {service: dynamodb}\n    when: {nth: 1, every: 2}\n"
            "    effect: {timeout: true}\n",
            "rules.0.call.when",
            "one of nth, every, probability",
        ),
        (
            "rules:\n  - delivery: {source: ftp}\n    effect: {duplicate: true}\n",
            "rules.0.delivery.delivery.source",
            "Input should be",
        ),
        (
            "rules:\n  - call: {service: s3}\n    effect: {timeout: true}\n    extra: 1\n",
            "rules.0.call.extra",
            "unknown field",
        ),
        ("- just a list\n", "(file)", "a fault plan"),
    ],
)
def test_a_bad_plan_names_the_file_and_field(tmp_path: Path, text: str, field: str, expected: str):
    path = tmp_path / "bad.faults.yaml"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        load_fault_plan(path)
    problems = caught.value.problems
    assert any(p.field == field and expected in p.expected for p in problems), problems
    assert all(p.file == str(path) for p in problems)


def test_validate_checks_fault_plans_like_other_content(tmp_path: Path):
    from serverless_tutor.cloud.faults import find_fault_plan, shipped_fault_plan_files
    from serverless_tutor.content.validate import validate

    shipped = shipped_fault_plan_files()
    assert {p.name.split(".")[0] for p in shipped} >= {
        "throttle-second-write",
        "duplicate-delivery",
        "crash-after-write",
    }
    assert validate(shipped) == []
    assert find_fault_plan("duplicate-delivery") in shipped
    assert find_fault_plan("../duplicate-delivery") is None
    bad = tmp_path / "experiment.faults.yaml"
    bad.write_text("rules:\n  - delivery: {source: sqs}\n    effect: {}\n")
    (problem,) = validate([tmp_path])
    assert (problem.file, problem.field) == (str(bad), "rules.0.delivery.effect")
    assert "exactly one of duplicate, reorder, redeliver" in problem.expected
