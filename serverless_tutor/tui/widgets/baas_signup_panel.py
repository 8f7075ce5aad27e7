"""The BaaS sign-up panel (lesson 3): sign a user up and see the managed services that did the work.

A view over serverless_tutor.demos.baas_signup. Type a userId and an email, press
ctrl+s (or Enter in a field, or the button) and the answer appears: the status
the function returned, one line per managed-service call with its outcome and
latency, and what DynamoDB, S3 and SES now hold for that user. The first sign-up
deploys baas-signup into a local account (in a worker, like every sign-up);
unmounting shuts the runtime down and empties the account.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Button, Input, Static

from serverless_tutor.demos.baas_signup import BaasSignup, BaasSignupError, SignupOutcome
from serverless_tutor.tui.widgets.action_panel import ActionPanel


def status_line(outcome: SignupOutcome) -> str:
    """`201 Created · cold · 35.20 ms`, plus the body's error when there is one."""
    try:
        phrase = HTTPStatus(outcome.status).phrase
    except ValueError:
        phrase = ""
    state = "" if outcome.cold is None else (" · cold" if outcome.cold else " · warm")
    took = "" if outcome.duration_ms is None else f" · {outcome.duration_ms:.2f} ms"
    line = f"{outcome.status} {phrase}{state}{took}".replace("  ", " ")
    if isinstance(outcome.body_json, dict) and "error" in outcome.body_json:
        line += f"\n{outcome.body_json['error']}"
    if outcome.error:
        line += f"\n{outcome.error}"
    return line


def services_lines(outcome: SignupOutcome) -> list[str]:
    if not outcome.calls:
        return ["Managed services used: none (it answered before calling any)"]
    lines = ["Managed services used:"]
    for managed in outcome.calls:
        call = managed.call
        result = call.outcome if call.outcome == "ok" else f"{call.outcome} {call.error_code}"
        lines.append(f"• {managed.service} {call.operation} · {result} · {call.latency_ms:.1f} ms")
        if managed.resource:
            lines.append(f"  ({managed.resource})")
    return lines


def state_lines(outcome: SignupOutcome) -> list[str]:
    state = outcome.state
    lines = ["End state:"]
    if state.profile:
        fields = ", ".join(f"{key}={value}" for key, value in state.profile.items())
        lines.append(f"• DynamoDB item: {fields}")
    else:
        lines.append("• DynamoDB item: none for this userId")
    if state.avatar:
        lines.append(
            f"• S3 object: {state.avatar.key} ({state.avatar.size} B, {state.avatar.content_type})"
        )
    else:
        lines.append("• S3 object: none")
    if state.emails:
        subjects = ", ".join(f"“{email.subject}”" for email in state.emails)
        lines.append(f"• SES outbox: {len(state.emails)} to {outcome.email}: {subjects}")
    else:
        lines.append(f"• SES outbox: nothing to {outcome.email or 'this address'}")
    users = "user" if state.users_in_table == 1 else "users"
    emails = "email" if state.emails_sent_total == 1 else "emails"
    lines.append(
        f"Totals: {state.users_in_table} {users} in the table, {state.emails_sent_total} {emails} sent"
    )
    return lines


class BaasSignupPanel(ActionPanel[SignupOutcome]):
    """Sign a user up through lesson 3's function and list the DynamoDB, S3 and SES calls it made."""

    BINDINGS = [
        Binding("ctrl+s", "sign_up", "Sign up", tooltip="post the sign-up to the local function"),
    ]

    DEFAULT_CSS = """
    BaasSignupPanel #baas-intro {
        height: auto;
        color: $text-muted;
    }
    BaasSignupPanel .baas-label {
        height: auto;
        margin: 1 0 0 0;
    }
    BaasSignupPanel #baas-email-label {
        margin: 0;
    }
    BaasSignupPanel #baas-signup {
        width: 100%;
        min-width: 0;
        margin: 1 0 0 0;
    }
    BaasSignupPanel #baas-status {
        height: auto;
        text-style: bold;
        margin: 1 0 0 0;
    }
    BaasSignupPanel #baas-status.-ok {
        color: $success;
    }
    BaasSignupPanel #baas-status.-client-error {
        color: $warning;
    }
    BaasSignupPanel #baas-status.-failed {
        color: $error;
    }
    BaasSignupPanel #baas-services {
        height: auto;
        background: $surface;
        padding: 0 1;
    }
    BaasSignupPanel #baas-state {
        height: auto;
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    STATUS = "#baas-status"
    CONTROLS = "#baas-signup"
    BUSY_WARNING = "The last sign-up is still running; wait for its answer."
    FAILURE_PREFIX = "Not sent"
    ENGINE_ERRORS = (BaasSignupError,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = BaasSignup()
        self.last_outcome: SignupOutcome | None = None

    def compose(self) -> ComposeResult:
        self.border_title = "Sign-up: three managed services"
        yield Static(
            Content(
                "The lesson's signup function runs locally. It keeps the user in DynamoDB, an avatar "
                "in S3 and sends a welcome email with SES: services you did not build. Sign the same "
                "userId up twice to see the 409."
            ),
            id="baas-intro",
        )
        yield Static("userId", classes="baas-label")
        yield Input("ada", placeholder="userId, e.g. ada", id="baas-user", compact=True)
        yield Static("email", classes="baas-label", id="baas-email-label")
        yield Input(
            "ada@example.com",
            placeholder="email, e.g. ada@example.com",
            id="baas-email",
            compact=True,
        )
        yield Button("Sign up (ctrl+s)", id="baas-signup", compact=True, variant="primary")
        yield Static(
            Content("Ready: press ctrl+s. The first sign-up deploys baas-signup."), id="baas-status"
        )
        yield Static(id="baas-services")
        yield Static(id="baas-state")

    def on_mount(self) -> None:
        for answer in self.query("#baas-services, #baas-state").results(Static):
            answer.display = False  # until the first answer

    def on_unmount(self) -> None:
        self.engine.close()  # if a sign-up is still running, it tears down when it ends

    # ------------------------------------------------------------ controls

    @on(Button.Pressed, "#baas-signup")
    def _signup_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_sign_up()

    @on(Input.Submitted)
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_sign_up()

    def action_sign_up(self) -> None:
        if self.warn_if_busy():
            return
        user_id = self.query_one("#baas-user", Input).value
        email = self.query_one("#baas-email", Input).value
        first = "" if self.engine.deployed else " (deploying baas-signup first)"
        self.start_action(
            f"Signing up {user_id.strip() or '(no userId)'}{first}…",
            lambda: self.engine.sign_up(user_id, email),
        )

    # ------------------------------------------------------------- drawing

    def show_result(self, outcome: SignupOutcome) -> None:
        self.last_outcome = outcome
        status = self.query_one("#baas-status", Static)
        status.set_classes(
            "-ok"
            if outcome.status < 400
            else "-client-error"
            if outcome.status < 500
            else "-failed"
        )
        status.update(Content(status_line(outcome)))
        self.query_one("#baas-services", Static).update(Content("\n".join(services_lines(outcome))))
        self.query_one("#baas-state", Static).update(Content("\n".join(state_lines(outcome))))
        for answer in self.query("#baas-services, #baas-state").results(Static):
            answer.display = True
