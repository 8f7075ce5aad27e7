"""The BaaS sign-up engine: lesson 3's function deployed locally over DynamoDB, S3 and SES."""

import pytest

from serverless_tutor.demos.baas_signup import (
    MAX_FIELD_CHARS,
    BaasSignup,
    BaasSignupError,
)


@pytest.fixture
def demo():  # one per test: S3 bucket names are global, so two live demos cannot share a process
    with BaasSignup() as demo:
        yield demo


def test_sign_up_stores_the_profile_and_avatar_and_sends_the_email(demo):
    outcome = demo.sign_up("ada", "ada@example.com")
    assert outcome.status == 201 and outcome.body_json == {"userId": "ada"}
    assert outcome.error is None
    assert [(c.label, c.call.outcome) for c in outcome.calls] == [
        ("DynamoDB PutItem (baas-signup-users-dev)", "ok"),
        ("S3 PutObject (baas-signup-avatars-dev)", "ok"),
        ("SES SendEmail (welcome@example.com)", "ok"),
    ]
    assert all(c.call.latency_ms >= 0 for c in outcome.calls)

    state = outcome.state
    assert {k: v for k, v in state.profile.items() if k != "createdAt"} == {
        "userId": "ada",
        "email": "ada@example.com",
    }
    assert (
        isinstance(state.profile["createdAt"], int)
        and state.profile["createdAt"] > 1_600_000_000_000
    )  # ms
    assert state.avatar.key == "ada/avatar.svg" and state.avatar.content_type == "image/svg+xml"
    assert state.avatar.size > 0
    assert [(e.source, e.to, e.subject) for e in state.emails] == [
        ("welcome@example.com", ["ada@example.com"], "Welcome!")
    ]


def test_signing_up_the_same_user_twice_is_409_and_sends_no_second_email(demo):
    first = demo.sign_up("grace", "grace@example.com")
    assert first.status == 201
    created_at = first.state.profile["createdAt"]

    again = demo.sign_up("grace", "other@example.com")
    assert again.status == 409 and again.body_json == {"error": "user exists"}
    assert [(c.label, c.call.outcome, c.call.error_code) for c in again.calls] == [
        ("DynamoDB PutItem (baas-signup-users-dev)", "error", "ConditionalCheckFailedException")
    ]
    # The condition kept the first record: nothing was overwritten and no email went to the new address.
    assert (
        again.state.profile["createdAt"] == created_at
        and again.state.profile["email"] == "grace@example.com"
    )
    assert again.state.emails == []
    assert again.state.emails_sent_total == first.state.emails_sent_total


def test_a_missing_field_is_the_lessons_400_and_touches_no_service(demo):
    for user_id, email in (("", "x@example.com"), ("x", ""), ("  ", "  ")):
        outcome = demo.sign_up(user_id, email)
        assert outcome.status == 400 and outcome.body_json == {
            "error": "userId and email are required"
        }, user_id
        assert outcome.calls == []
        assert outcome.state.profile is None and outcome.state.avatar is None
        assert outcome.state.users_in_table == 0 and outcome.state.emails_sent_total == 0


def test_an_overlong_field_is_refused_before_sending(demo):
    with pytest.raises(
        BaasSignupError, match=f"userId: {MAX_FIELD_CHARS + 1} characters; expected at most"
    ):
        demo.sign_up("u" * (MAX_FIELD_CHARS + 1), "a@example.com")


def test_a_second_live_demo_is_refused_clearly_until_the_first_closes(demo):
    demo.sign_up("ada", "ada@example.com")
    second = BaasSignup()
    with pytest.raises(
        BaasSignupError,
        match="another sign-up demo in this process already holds the avatar bucket",
    ):
        second.sign_up("bo", "bo@example.com")
    assert not second.deployed
    demo.close()
    with second:
        assert second.sign_up("bo", "bo@example.com").status == 201


def test_first_sign_up_is_cold_then_warm_and_close_tears_down():
    demo = BaasSignup()
    assert not demo.deployed
    assert demo.sign_up("lin", "lin@example.com").cold is True
    assert demo.sign_up("kim", "kim@example.com").cold is False
    demo.close()
    assert not demo.deployed
    with pytest.raises(BaasSignupError, match="shut down"):
        demo.sign_up("x", "x@example.com")
