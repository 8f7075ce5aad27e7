"""The patterns lab engine on a real local account (moto) and the in-process runtime."""

import pytest

from serverless_tutor.demos.patterns_lab import (
    FILTERED_EVENT,
    PUBLISHED_EVENT,
    SUBSCRIBERS,
    PatternsDemo,
    PatternsError,
    fault_plan,
)

# The calls each subscriber makes for an OrderPlaced event, with the fixed (bundled) code.
ORDER_PLACED_CALLS = {
    "email": ["dynamodb:PutItem", "dynamodb:PutItem", "ses:SendEmail"],  # record, claim, send
    "sms": ["dynamodb:PutItem"],
    "analytics": ["dynamodb:TransactWriteItems"],  # the record and the running total together
}


@pytest.fixture
def demo():
    with PatternsDemo() as lab:
        yield lab


def test_fan_out_delivers_one_event_to_all_three_subscribers(demo):
    run = demo.publish()
    assert run.pattern == "fan-out" and run.action == f"publish {PUBLISHED_EVENT}"
    assert sorted(i.function for i in run.invocations) == sorted(SUBSCRIBERS)
    assert all(i.outcome == "ok" and i.trigger == f"SNS {PUBLISHED_EVENT}" for i in run.invocations)
    assert all(i.cold for i in run.invocations)  # first run: a new environment for each function
    assert {i.function: [c.label for c in i.calls] for i in run.invocations} == ORDER_PLACED_CALLS
    assert (run.fan_out.emails_sent, run.fan_out.sales_counted, run.consequences) == (1, 1, [])
    assert [(c.label, c.outcome) for c in run.demo_calls] == [("sns:Publish", "ok")]
    assert run.fan_out.received == {name: [PUBLISHED_EVENT] for name in SUBSCRIBERS}
    assert run.fan_out.filtered_out == []
    assert run.fan_out.dead_letters == {name: [] for name in SUBSCRIBERS}

    again = demo.publish()
    assert not any(i.cold for i in again.invocations)  # the environments stayed warm
    assert again.fan_out.received == {name: [PUBLISHED_EVENT] * 2 for name in SUBSCRIBERS}


def test_a_failing_subscriber_ends_in_its_dlq_after_three_attempts_while_the_others_succeed(demo):
    demo.set_failing(True)
    run = demo.publish()
    sms = [i for i in run.invocations if i.function == "sms"]
    assert [(i.attempt, i.outcome) for i in sms] == [(1, "retry"), (2, "retry"), (3, "error")]
    assert all("AccessDenied" in i.error for i in sms)
    assert all(
        [(c.label, c.outcome) for c in i.calls] == [("dynamodb:PutItem", "denied")] for i in sms
    )
    others = [i for i in run.invocations if i.function != "sms"]
    assert sorted(i.function for i in others) == ["analytics", "email"] and all(
        i.outcome == "ok" for i in others
    )
    assert run.fan_out.received == {
        "email": [PUBLISHED_EVENT],
        "sms": [],
        "analytics": [PUBLISHED_EVENT],
    }
    assert [d.event_type for d in run.fan_out.dead_letters["sms"]] == [PUBLISHED_EVENT]
    assert "AccessDenied" in run.fan_out.dead_letters["sms"][0].error
    assert run.fan_out.dead_letters["email"] == [] and run.fan_out.dead_letters["analytics"] == []
    assert run.fan_out.failing == "sms"
    assert [c.label for c in run.demo_calls] == ["sns:Publish"]
    assert [(c.label, c.resource) for c in run.service_calls][-1] == (
        "sqs:SendMessage",
        "patterns-lab-sms-dlq-dev",
    )
    assert any("3 attempts" in note and "isolated" in note for note in run.notes)

    demo.set_failing(False)
    healed = demo.publish()
    assert all(i.outcome == "ok" for i in healed.invocations) and len(healed.invocations) == 3
    assert (
        len(healed.fan_out.dead_letters["sms"]) == 1
    )  # the old event waits in the DLQ to be redriven


def test_the_filter_policy_skips_the_sms_subscriber(demo):
    run = demo.publish(FILTERED_EVENT)
    assert sorted(i.function for i in run.invocations) == ["analytics", "email"]
    assert run.fan_out.filtered_out == ["sms"]
    assert run.fan_out.received == {
        "email": [FILTERED_EVENT],
        "sms": [],
        "analytics": [FILTERED_EVENT],
    }


def test_pipes_and_filters_loads_the_good_rows_and_rejects_the_bad_one(demo):
    run = demo.upload()
    assert run.pattern == "pipes"
    assert [(c.label, c.resource) for c in run.demo_calls] == [("s3:PutObject", "orders.csv")]
    assert [(i.function, i.trigger, i.outcome) for i in run.invocations] == [
        ("transform", "SQS raw (1 msg)", "ok"),
        ("loader", "SQS clean (2 msgs)", "ok"),
    ]
    transform, loader = run.invocations
    assert [c.label for c in transform.calls] == ["s3:GetObject"] + ["sqs:SendMessage"] * 3
    assert [c.label for c in loader.calls] == ["dynamodb:PutItem"] * 2
    assert run.pipes.queue_depths == {"raw": 0, "clean": 0, "rejects": 1}
    assert run.pipes.rejects == ["orders.csv line 3: quantity 'two' is not a whole number"]
    assert run.pipes.items == [
        {"orderId": "o-1", "quantity": "2", "price": "12.50"},
        {"orderId": "o-3", "quantity": "1", "price": "9.99"},
    ]


def test_reset_redeploys_with_every_subscriber_working_and_close_refuses_more(demo):
    demo.set_failing(True)
    demo.publish()
    demo.reset()
    assert not demo.deployed and not demo.failing
    run = demo.publish()
    assert run.fan_out.received == {name: [PUBLISHED_EVENT] for name in SUBSCRIBERS}
    demo.close()
    assert not demo.deployed
    with pytest.raises(PatternsError, match="shut down"):
        demo.publish()


@pytest.fixture(scope="module")
def lab():
    with PatternsDemo() as lab:
        yield lab


# What each of the lab's fault plans does to one OrderPlaced event when email and analytics
# are as first written (email sends on every delivery; analytics marks, then adds).
AS_WRITTEN_CONSEQUENCES = {
    None: [],  # without a fault the bug does not show
    "throttle": ["analytics counted 0 sales for 1 order"],
    "duplicate": ["2 emails for 1 order"],
    "crash": ["analytics counted 0 sales for 1 order"],
}


@pytest.mark.parametrize("fault", list(AS_WRITTEN_CONSEQUENCES))
def test_each_fault_leaves_the_subscribers_as_written_a_specific_wrong_end_state(lab, fault):
    run = lab.publish(code="as-written", faults=fault_plan(fault) if fault else None)
    assert run.code == "as-written"
    assert run.consequences == AS_WRITTEN_CONSEQUENCES[fault]
    assert len(run.injected_faults) == (0 if fault is None else 1)
    if fault is not None:
        assert run.notes[0].startswith(f"Fault '{run.fault_plan}' with the code as written")
        assert "the end state is wrong" in run.notes[0]
    if fault in ("throttle", "crash"):  # analytics failed once; the retry skipped the total
        analytics = [i for i in run.invocations if i.function == "analytics"]
        assert [(i.attempt, i.outcome) for i in analytics] == [(1, "retry"), (2, "ok")]
        assert "ignored" in analytics[1].log[-1]


def test_the_same_plan_gives_the_same_run(lab):
    def shape(run):
        return (
            sorted(
                (i.function, i.attempt, i.outcome, tuple(c.label for c in i.calls))
                for i in run.invocations
            ),
            run.injected_faults,
            run.consequences,
        )

    first, second = (lab.publish(code="as-written", faults=fault_plan("crash")) for _ in range(2))
    assert shape(first) == shape(second)


@pytest.mark.parametrize("fault", ["throttle", "duplicate", "crash"])
def test_the_fixed_subscribers_survive_each_fault(lab, fault):
    run = lab.publish(code="fixed", faults=fault_plan(fault))
    assert len(run.injected_faults) == 1  # the fault did happen
    assert run.consequences == []
    assert (run.fan_out.emails_sent, run.fan_out.sales_counted) == (1, 1)
    assert "the end state is right" in run.notes[0]
    if fault == "duplicate":
        assert sum(i.function == "email" for i in run.invocations) == 2


# What each pipes fault plan does to one upload (two good rows, one bad): who ran, how
# often each order was written, how long the lab's clock stepped, and what is wrong.
PIPES_FAULTS = {
    None: (["transform", "loader"], {"o-1": 1, "o-3": 1}, 0, []),
    # The loader's batch fails on its second write and comes back after the visibility timeout.
    "throttle": (["transform", "loader", "loader"], {"o-1": 2, "o-3": 1}, 30, []),
    # At-least-once: transform runs the same message twice; only the reject queue shows it.
    "duplicate": (
        ["transform", "transform", "loader"],
        {"o-1": 2, "o-3": 2},
        0,
        ["line 3 went to the reject queue 2 times"],
    ),
    # transform crashes after passing o-1 on; its message comes back and runs whole again.
    "crash": (["transform", "loader", "transform", "loader"], {"o-1": 2, "o-3": 1}, 30, []),
}


@pytest.mark.parametrize("fault", list(PIPES_FAULTS))
def test_each_pipes_fault_and_what_the_pipeline_makes_of_it(lab, fault):
    run = lab.upload(faults=fault_plan(fault, "pipes") if fault else None)
    functions, writes, waited, consequences = PIPES_FAULTS[fault]
    assert [i.function for i in run.invocations] == functions
    assert run.pipes.writes == writes
    assert run.pipes.waited_s == waited
    assert run.consequences == consequences
    assert [item["orderId"] for item in run.pipes.items] == ["o-1", "o-3"]  # idempotent loader
    assert len(run.injected_faults) == (0 if fault is None else 1)
    if fault is not None:
        verdict = "wrong" if consequences else "right"
        assert run.notes[0].startswith(f"Fault '{run.fault_plan}': the end state is {verdict}")
    if waited:
        assert any("30 s visibility timeout" in note for note in run.notes)
    failed = [i for i in run.invocations if i.outcome != "ok"]
    assert len(failed) == (1 if fault in ("throttle", "crash") else 0)
