"""The order pipeline engine (lesson 5): the bundled order-service, deployed in-process, driven through
API Gateway, explained as a timeline from the account trace and the router's delivery records."""

import json

import pytest

from serverless_tutor.cli import main
from serverless_tutor.demos.order_pipeline import (
    CHAIN,
    FAILURE_QUEUE,
    PipelineDemo,
    PipelineError,
    PipelineOptions,
    fault_plan,
)

ORDER_CALLS = {
    "createOrder": ["dynamodb:PutItem", "sns:Publish"],
    "processPayment": ["dynamodb:UpdateItem", "sns:Publish"],
    "updateInventory": ["dynamodb:GetItem", "dynamodb:TransactWriteItems", "sns:Publish"],
    "sendNotification": ["dynamodb:UpdateItem", "dynamodb:GetItem", "ses:SendEmail"],
}


@pytest.fixture(scope="module")
def demo():
    with PipelineDemo() as demo:
        yield demo


def calls(step) -> list[str]:
    return [call.label for call in step.calls]


def test_an_order_flows_step_by_step_through_the_filter_policies(demo):
    run = demo.place_order()

    assert run.http_status == 201 and run.order_id
    assert [s.function for s in run.steps] == [function for function, _, _ in CHAIN]
    assert [s.trigger for s in run.steps] == [
        "POST /dev/orders",
        "SNS OrderCreated",
        "SNS PaymentProcessed",
        "SNS InventoryUpdated",
    ]
    assert [s.number for s in run.steps] == [1, 2, 3, 4]
    assert all(s.outcome == "ok" and s.changed_state and s.attempt == 1 for s in run.steps)
    assert {s.function: calls(s) for s in run.steps} == ORDER_CALLS
    assert all(call.outcome == "ok" and call.latency_ms >= 0 for s in run.steps for call in s.calls)
    assert run.steps[0].calls[0].resource == "order-service-orders-dev"

    # each message reached exactly the next function; SNS filtered out the other two subscriptions
    routed = [
        (p.event_type, p.delivered_to, sorted(p.filtered_out))
        for s in run.steps
        for p in s.published
    ]
    assert routed == [
        ("OrderCreated", ["processPayment"], ["sendNotification", "updateInventory"]),
        ("PaymentProcessed", ["updateInventory"], ["processPayment", "sendNotification"]),
        ("InventoryUpdated", ["sendNotification"], ["processPayment", "updateInventory"]),
    ]
    assert run.filtered_deliveries == 6
    # the next step was triggered by the very message the previous one published
    for publisher, receiver in zip(run.steps, run.steps[1:], strict=False):
        assert receiver.message_id == publisher.published[0].message_id

    before, after = run.state_before.stock, run.end_state.stock
    assert after == {"book": before["book"] - 1, "pen": before["pen"] - 2}
    assert run.end_state.order_status == "CONFIRMED"
    assert (run.end_state.emails_sent, run.end_state.email_to) == (1, ["ada@example.com"])
    assert run.after_retries == [] and run.end_state.failed_events == 0
    assert any("6 deliveries filtered out" in note for note in run.notes)


def test_the_first_order_is_cold_and_the_next_one_warm():
    with PipelineDemo() as demo:
        first, second = demo.place_order(), demo.place_order()
    assert [s.cold for s in first.steps] == [True] * 4
    assert all(s.init_ms is not None for s in first.steps)
    assert [s.cold for s in second.steps] == [False] * 4
    assert all(s.init_ms is None for s in second.steps)
    assert any(note.startswith("4 cold starts") for note in first.notes)


def test_a_replayed_message_changes_nothing(demo):
    run = demo.run(PipelineOptions(replay=True))

    order = [s for s in run.steps if s.phase == "order"]
    replay = [s for s in run.steps if s.phase == "replay"]
    assert [s.function for s in replay] == ["processPayment", "updateInventory", "sendNotification"]
    assert all(s.duplicate and s.trigger.endswith("(duplicate)") for s in replay)
    # the duplicate carries the same MessageId as the first delivery
    assert [s.message_id for s in replay] == [s.message_id for s in order[1:]]
    assert all(s.outcome == "ok" and not s.changed_state and not s.published for s in replay)
    # the order is CONFIRMED, not PAID: nothing to announce again
    assert calls(replay[0]) == ["dynamodb:UpdateItem", "dynamodb:GetItem"]
    assert replay[0].calls[0].error_code == "ConditionalCheckFailedException"
    assert calls(replay[1]) == ["dynamodb:GetItem"]
    assert replay[2].calls[0].error_code == "ConditionalCheckFailedException"
    assert "duplicate delivery, skipped" in replay[0].log[-1]

    assert run.replay_changed_state is False
    assert run.end_state == run.state_before_replay
    assert run.end_state.order_status == "CONFIRMED" and run.end_state.emails_sent == 1


def test_replay_on_its_own_repeats_the_last_order(demo):
    placed = demo.place_order()
    run = demo.replay()
    assert run.scenario == "replay" and run.order_id == placed.order_id
    assert [s.number for s in run.steps] == [1, 2, 3]
    assert run.replay_changed_state is False and run.end_state == placed.end_state


def test_ordering_more_than_the_stock_takes_nothing(demo):
    run = demo.place_order("oversell")

    book = next(item for item in run.items if item["productId"] == "book")
    assert book["quantity"] == run.state_before.stock["book"] + 1
    assert [s.function for s in run.steps] == ["createOrder", "processPayment", "updateInventory"]
    inventory = run.steps[-1]
    assert calls(inventory) == [
        "dynamodb:GetItem",
        "dynamodb:TransactWriteItems",
        "dynamodb:TransactWriteItems",
    ]
    assert inventory.calls[1].error_code == "TransactionCanceledException"
    assert inventory.published == []
    assert run.end_state.order_status == "OUT_OF_STOCK"
    assert run.end_state.stock == run.state_before.stock  # not even the pens were taken
    assert run.end_state.emails_sent == 0
    assert any("OUT_OF_STOCK" in note and "refund" in note for note in run.notes)


def test_a_failing_payment_is_retried_twice_then_sent_to_the_on_failure_queue(demo):
    run = demo.place_order("fail-payment")

    payments = [s for s in run.steps if s.function == "processPayment"]
    assert [s.function for s in run.steps] == ["createOrder"] + ["processPayment"] * 3
    assert [(s.attempt, s.outcome) for s in payments] == [(1, "retry"), (2, "retry"), (3, "error")]
    assert len({s.message_id for s in payments}) == 1  # the same event each time
    for step in payments:
        assert step.error_type == "ClientError" and "AccessDeniedException" in step.error
        assert [(c.label, c.outcome, c.error_code) for c in step.calls] == [
            ("dynamodb:UpdateItem", "denied", "AccessDeniedException")
        ]
    assert [(a.function, a.outcome, a.target) for a in run.after_retries] == [
        ("processPayment", "destination", FAILURE_QUEUE)
    ]
    assert run.end_state.order_status == "PENDING"
    assert run.end_state.failed_events == run.state_before.failed_events + 1
    assert run.end_state.stock == run.state_before.stock

    # the broken role was only for that order: the next one goes through
    assert demo.place_order().end_state.order_status == "CONFIRMED"


def test_replaying_a_failed_order_redrives_it():
    with PipelineDemo() as demo:
        run = demo.run(PipelineOptions(fail_payment=True, replay=True))
    assert run.state_before_replay is not None
    assert run.state_before_replay.order_status == "PENDING"
    assert run.end_state.order_status == "CONFIRMED"
    assert run.replay_changed_state is True
    assert [s.function for s in run.steps if s.phase == "replay"] == [
        "processPayment",
        "updateInventory",
        "sendNotification",
    ]
    assert [s.duplicate for s in run.steps if s.phase == "replay"] == [True, False, False]


def test_reset_deploys_afresh_and_close_ends_the_demo():
    demo = PipelineDemo()
    with pytest.raises(PipelineError, match="place an order first"):
        demo.replay()
    first = demo.place_order()
    demo.reset()
    assert not demo.deployed and demo.last_order_id is None
    again = demo.place_order()
    assert (
        again.state_before.stock == first.state_before.stock
    )  # the seed, not what the first order left
    assert again.steps[0].cold
    demo.close()
    assert not demo.deployed
    with pytest.raises(PipelineError, match="shut down"):
        demo.place_order()


def test_cli_prints_the_timeline_and_json(capsys):
    assert main(["pipeline", "--oversell", "--json"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert run["scenario"] == "oversell" and run["end_state"]["order_status"] == "OUT_OF_STOCK"
    assert [s["function"] for s in run["steps"]] == [
        "createOrder",
        "processPayment",
        "updateInventory",
    ]

    assert main(["pipeline", "--replay"]) == 0
    out = capsys.readouterr().out
    assert "POST /dev/orders" in out and "End state:" in out and "CONFIRMED" in out
    assert "(duplicate)" in out and "Replay: 3 messages delivered again" in out


def test_a_duplicate_delivery_from_a_fault_plan_charges_and_emails_once(demo):
    from serverless_tutor.cloud.faults import plan_named

    plan = plan_named("duplicate-delivery")
    run = demo.run(PipelineOptions(faults=plan))
    assert [line.split(" on ")[0] for line in run.injected_faults] == ["duplicate delivery"]
    payments = [s for s in run.steps if s.function == "processPayment"]
    assert len(payments) == 2  # the same OrderCreated message, delivered twice
    assert run.end_state.order_status == "CONFIRMED"
    assert run.end_state.emails_sent == 1
    # The next order runs without the plan.
    assert demo.run(PipelineOptions()).injected_faults == []


# What each of the pipeline's fault plans does to one order when the handlers are the
# chapter's as written (processPayment stops on a repeat; updateInventory takes each
# product with its own unconditional update).
AS_WRITTEN_CONSEQUENCES = {
    None: [],  # without a fault the bug does not show
    "throttle": ["book: 2 taken for 1 ordered"],
    "duplicate": ["book: 2 taken for 1 ordered", "pen: 4 taken for 2 ordered"],
    "crash": ["no stock taken", "order stuck at PAID", "0 emails for 1 order"],
}


@pytest.mark.parametrize("fault", list(AS_WRITTEN_CONSEQUENCES))
def test_each_fault_leaves_the_code_as_written_a_specific_wrong_end_state(demo, fault):
    run = demo.run(PipelineOptions(code="as-written", faults=fault_plan(fault) if fault else None))
    assert run.code == "as-written"
    assert run.consequences == AS_WRITTEN_CONSEQUENCES[fault]
    if fault is None:
        assert run.injected_faults == [] and run.end_state.emails_sent == 1
        return
    assert len(run.injected_faults) == 1
    assert run.notes[0].startswith(f"Fault '{run.fault_plan}' with the code as written")
    assert "the end state is wrong" in run.notes[0]
    if fault == "crash":
        payments = [s for s in run.steps if s.function == "processPayment"]
        assert [(s.attempt, s.outcome) for s in payments] == [(1, "retry"), (2, "ok")]
        assert payments[1].published == []  # the retry found the order PAID and stopped
        assert run.end_state.order_status == "PAID"


def test_the_same_plan_gives_the_same_run(demo):
    def shape(run):
        return (
            [(s.function, s.attempt, s.outcome, calls(s)) for s in run.steps],
            run.injected_faults,
            run.consequences,
        )

    first, second = (
        demo.run(PipelineOptions(code="as-written", faults=fault_plan("throttle")))
        for _ in range(2)
    )
    assert shape(first) == shape(second)
    assert [s.function for s in first.steps] == [
        "createOrder",
        "processPayment",
        "updateInventory",
        "updateInventory",
        "sendNotification",
    ]


@pytest.mark.parametrize("fault", ["throttle", "duplicate", "crash"])
def test_the_fixed_code_survives_each_fault(demo, fault):
    run = demo.run(PipelineOptions(code="fixed", faults=fault_plan(fault)))
    assert len(run.injected_faults) == 1  # the fault did happen
    assert run.consequences == []
    before, after = run.state_before.stock, run.end_state.stock
    assert after == {"book": before["book"] - 1, "pen": before["pen"] - 2}
    assert (run.end_state.order_status, run.end_state.emails_sent) == ("CONFIRMED", 1)
    assert "the end state is right" in run.notes[0]
    retried = [s for s in run.steps if s.outcome == "retry"]
    if fault == "duplicate":
        assert not retried
        assert sum(s.function == "updateInventory" for s in run.steps) == 2
    else:  # the throttled or crashed step failed once, and Lambda's retry finished the work
        assert [s.function for s in retried] == [
            "updateInventory" if fault == "throttle" else "processPayment"
        ]


def test_cli_runs_the_code_as_written_under_a_pipeline_fault(capsys):
    assert main(["pipeline", "--code", "as-written", "--faults", "crash", "--json"]) == 0
    run = json.loads(capsys.readouterr().out)
    assert run["code"] == "as-written" and run["fault_plan"] == "crash after the payment write"
    assert run["consequences"] == AS_WRITTEN_CONSEQUENCES["crash"]
