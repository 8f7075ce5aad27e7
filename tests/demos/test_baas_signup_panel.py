"""The BaaS sign-up panel in a tiny app that mounts only it: keyboard-only Pilot tests and an 80x24 snapshot."""

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Static

from serverless_tutor.content.lessons import shipped_lessons
from serverless_tutor.content.panels import PANELS
from serverless_tutor.tui.panels import panel_widget
from serverless_tutor.tui.widgets.baas_signup_panel import BaasSignupPanel

SIZE = (80, 24)


class SignupApp(App):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield BaasSignupPanel()


def text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def answered(pilot, panel: BaasSignupPanel, attempts: int = 300) -> None:
    """Let the app run until the worker has reported (bounded; no timing is asserted)."""
    for _ in range(attempts):
        await pilot.pause(0.05)
        if not panel.busy:
            await pilot.pause()
            return
    assert not panel.busy


def test_registered_under_its_id_and_listed_by_lesson_3():
    assert panel_widget("baas-signup") is BaasSignupPanel
    assert "baas-signup" in PANELS
    assert {lesson.number for lesson in shipped_lessons() if "baas-signup" in lesson.panels} == {3}


def test_snapshot_before_any_sign_up_at_80x24(snap_compare):
    assert snap_compare(SignupApp(), terminal_size=SIZE)


async def test_sign_up_then_repeat_then_missing_email_by_keyboard():
    app = SignupApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(BaasSignupPanel)
        assert text(app, "#baas-status").startswith("Ready: press ctrl+s")
        assert not app.query_one("#baas-services").display

        await pilot.press("tab")  # focus the userId field, prefilled with ada
        assert app.focused is app.query_one("#baas-user", Input)
        await pilot.press("ctrl+s")
        await answered(pilot, panel)
        assert text(app, "#baas-status").startswith("201 Created · cold · ")
        services = text(app, "#baas-services")
        assert services.startswith("Managed services used:")
        assert (
            services.index("DynamoDB")
            < services.index("S3 PutObject")
            < services.index("SES SendEmail")
        )
        for service, resource in (
            ("DynamoDB PutItem", "baas-signup-users-dev"),
            ("S3 PutObject", "baas-signup-avatars-dev"),
            ("SES SendEmail", "welcome@example.com"),
        ):
            assert f"• {service} · ok · " in services and f"({resource})" in services
        state = text(app, "#baas-state")
        assert "DynamoDB item: createdAt=" in state and "email=ada@example.com, userId=ada" in state
        assert "S3 object: ada/avatar.svg" in state
        assert "SES outbox: 1 to ada@example.com: “Welcome!”" in state
        assert app.query_one("#baas-status").has_class("-ok")

        await pilot.press("tab")  # to the email field; Enter there signs up again
        await pilot.press("enter")
        await answered(pilot, panel)
        assert text(app, "#baas-status").startswith("409 Conflict · warm · ")
        assert "user exists" in text(app, "#baas-status")
        assert "error ConditionalCheckFailedException" in text(app, "#baas-services")
        assert "S3" not in text(app, "#baas-services")
        assert app.query_one("#baas-status").has_class("-client-error")

        email = app.query_one("#baas-email", Input)
        email.value = ""
        await pilot.press("tab")  # to the button
        await pilot.press("enter")
        await answered(pilot, panel)
        assert text(app, "#baas-status").startswith("400 Bad Request · warm · ")
        assert "userId and email are required" in text(app, "#baas-status")
        assert "none (it answered before calling any)" in text(app, "#baas-services")


async def test_unmounting_shuts_the_engine_down():
    app = SignupApp()
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(BaasSignupPanel)
        await pilot.press("tab", "ctrl+s")
        await answered(pilot, panel)
        assert text(app, "#baas-status").startswith("201 Created")
        engine = panel.engine
        assert engine.deployed
        await panel.remove()
        assert not engine.deployed
