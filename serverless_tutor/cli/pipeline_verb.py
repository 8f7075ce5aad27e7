"""`serverless-tutor pipeline [--replay] [--oversell] [--fail-payment] [--faults PLAN]
[--code as-written|fixed] [--json]`.

Deploys the bundled order-service into a throwaway local account, places one
order through API Gateway and prints what happened, step by step: which function
ran (cold or warm, how long), the AWS calls it made, what it published and where
the SNS filter policies sent it, then the shop's state. The headless face of the
lesson 5 panel (serverless_tutor.demos.order_pipeline).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from serverless_tutor.cli.fault_option import fault_plan_option
from serverless_tutor.cli.output import console, print_json, usage_error

if TYPE_CHECKING:
    from serverless_tutor.cloud.faults import FaultPlan
    from serverless_tutor.demos.order_pipeline import PipelineRun, ShopState


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pipeline", help="run the lesson 5 order pipeline once and print its timeline"
    )
    parser.add_argument(
        "--replay",
        action="store_true",
        help="then deliver every SNS message of the order a second time (same MessageId)",
    )
    parser.add_argument(
        "--oversell", action="store_true", help="order one book more than is in stock"
    )
    parser.add_argument(
        "--fail-payment",
        action="store_true",
        help="deny processPayment dynamodb:UpdateItem: watch the retries and the on-failure queue",
    )
    parser.add_argument(
        "--faults",
        metavar="PLAN",
        help="place the order under a fault plan: the pipeline's own (throttle: the stock "
        "write; duplicate: the PaymentProcessed delivery; crash: after the payment write), "
        "a *.faults.yaml file, or a shipped one (throttle-second-write, duplicate-delivery, "
        "crash-after-write)",
    )
    parser.add_argument(
        "--code",
        choices=("as-written", "fixed"),
        default="fixed",
        help="which handlers run: fixed (the bundled service, default) or as written "
        "(processPayment stops on a repeat; updateInventory is the chapter's, one update per product)",
    )
    parser.add_argument("--json", action="store_true", help="print the run as JSON")
    parser.set_defaults(handler=run_pipeline)


def run_pipeline(args: argparse.Namespace) -> int:
    from serverless_tutor.demos.order_pipeline import (
        FAULT_PLANS,
        PipelineDemo,
        PipelineError,
        PipelineOptions,
        fault_plan,
    )

    plan: FaultPlan | None
    if args.faults in FAULT_PLANS:
        plan = fault_plan(args.faults)
    else:
        try:
            plan = fault_plan_option(args.faults)
        except ValueError as exc:
            return usage_error(str(exc))
    options = PipelineOptions(
        replay=args.replay,
        oversell=args.oversell,
        fail_payment=args.fail_payment,
        faults=plan,
        code=args.code,
    )
    try:
        with PipelineDemo() as demo:
            run = demo.run(options)
    except PipelineError as error:
        console().print(f"[red]pipeline: {error}[/red]")
        return 1
    if args.json:
        print_json(run)
        return 0
    _print_run(run)
    return 0


def _print_run(run: PipelineRun) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    items = ", ".join(f"{i['quantity']} × {i['productId']}" for i in run.items)
    out.print(
        f"[bold]POST /dev/orders[/bold] ({items}) -> {run.http_status}, order {run.order_id or '(none)'}"
    )
    table = Table(show_lines=True)
    for column in ("#", "function", "trigger", "start", "result", "AWS calls, published"):
        table.add_column(column, overflow="fold")
    for step in run.steps:
        start = ("cold" if step.cold else "warm") + f"\n{step.duration_ms:.1f} ms"
        if step.init_ms is not None:
            start += f"\n+ init {step.init_ms:.1f} ms"
        result = {
            "ok": "[green]ok[/green]",
            "retry": "[yellow]failed, retried[/yellow]",
            "error": "[red]failed[/red]",
        }[step.outcome]
        if step.attempt > 1:
            result += f"\nattempt {step.attempt}"
        if step.outcome == "ok" and not step.changed_state:
            result += "\nno change"
        lines = []
        for call in step.calls:
            verdict = "ok" if call.outcome == "ok" else f"{call.outcome} {call.error_code}"
            lines.append(f"{call.label} {call.resource or ''} {verdict} {call.latency_ms:.1f} ms")
        for publication in step.published:
            lines.append(
                f"→ {publication.event_type} to {', '.join(publication.delivered_to) or 'nobody'}"
                f" (filtered out: {', '.join(publication.filtered_out) or 'none'})"
            )
        if step.error_type:
            lines.append(f"raised {step.error_type} (--json has the message)")
        lines.extend(f"log: {line}" for line in step.log)
        table.add_row(
            str(step.number), step.function, step.trigger, start, result, escape("\n".join(lines))
        )
    out.print(table)
    for handled in run.after_retries:
        out.print(
            f"After the last retry: {handled.function} -> {handled.outcome} {handled.target or ''} ({handled.detail})"
        )
    if run.state_before_replay is not None:
        out.print(f"Before the replay: {_state(run.state_before_replay)}")
    out.print(f"[bold]End state:[/bold] {_state(run.end_state)}")
    if run.consequences:
        out.print(f"[red]Wrong for one order:[/red] {escape('; '.join(run.consequences))}")
    for note in run.notes:
        out.print(f"• {escape(note)}")
    for fault in run.injected_faults:
        out.print(f"[yellow]Injected:[/yellow] {escape(fault)}")


def _state(state: ShopState) -> str:
    stock = ", ".join(f"{product} {count}" for product, count in state.stock.items())
    email = (
        f"{state.emails_sent} to {', '.join(state.email_to)}"
        if state.email_to
        else str(state.emails_sent)
    )
    return (
        f"order {state.order_status or '-'}; stock {stock}; confirmation emails {email}; "
        f"on-failure queue {state.failed_events}"
    )
