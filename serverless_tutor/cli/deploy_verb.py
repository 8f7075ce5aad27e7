"""`serverless-tutor deploy serverless.yml [--dry-run] [--stage S] [--json]`.

--dry-run prints the resolved plan (functions, events, resources, variables,
warnings) without creating anything. Without it, the service is deployed into a
fresh local account that lives only for this command: a full check that every
resource and reference works. To run the service, use `offline`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from serverless_tutor.cli.output import console, print_json, usage_error
from serverless_tutor.paths import bundled_example, bundled_example_names

if TYPE_CHECKING:
    from serverless_tutor.cloud.deploy import DeployPlan


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deploy", help="resolve a serverless.yml and show (or check) its deployment plan"
    )
    parser.add_argument(
        "config",
        nargs="?",
        default="serverless.yml",
        help="path to serverless.yml (default: ./serverless.yml), or a bundled example's name: "
        + ", ".join(bundled_example_names()),
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the resolved plan; create nothing"
    )
    parser.add_argument("--stage", help="stage (default: provider.stage, else dev)")
    parser.add_argument("--region", help="region (default: provider.region, else us-east-1)")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.set_defaults(handler=run_deploy)


def run_deploy(args: argparse.Namespace) -> int:
    from serverless_tutor.cloud.deploy import deploy, plan
    from serverless_tutor.cloud.service import ServiceConfigError, load_service

    path = Path(args.config)
    bundled = None if path.is_file() else bundled_example(args.config)
    if bundled is not None:
        path = bundled
    if not path.is_file():
        return usage_error(f"{path}: no such file (give the path to a serverless.yml)")
    try:
        spec = load_service(path, stage=args.stage, region=args.region)
        if args.dry_run:
            result = plan(spec)
        else:
            from serverless_tutor.cloud.account import LocalAccount

            account = LocalAccount(region=spec.region)
            deployment = deploy(spec, account, runtime=None)
            deployment.router.close()
            result = deployment.plan
    except ServiceConfigError as error:
        return usage_error(
            f"{path} cannot be deployed:\n" + "\n".join(p.line() for p in error.problems)
        )
    if args.json:
        print_json(result)
        return 0
    _print_plan(result, dry_run=args.dry_run)
    return 0


def _print_plan(plan: DeployPlan, *, dry_run: bool) -> None:
    from rich.table import Table

    out = console()
    title = (
        "Deployment plan (dry run: nothing created)"
        if dry_run
        else "Deployed to a throwaway local account"
    )
    out.print(f"[bold]{title}[/bold]")
    out.print(
        f"service [bold]{plan.service}[/bold]  stage {plan.stage}  region {plan.region}  account {plan.account_id}"
    )
    out.print(f"execution role {plan.role}")

    functions = Table(title="Functions", show_lines=True)
    for column in ("function", "handler", "memory / timeout", "events"):
        functions.add_column(column, overflow="fold")
    for function in plan.functions:
        events = (
            "\n".join(event.summary for event in function.events) or "(no events: invoke directly)"
        )
        functions.add_row(
            function.name,
            function.handler,
            f"{function.memory_mb} MB / {function.timeout_s:g} s",
            events,
        )
    out.print(functions)

    if plan.resources:
        resources = Table(title="Resources")
        for column in ("logical id", "type", "name"):
            resources.add_column(column, overflow="fold")
        for resource in plan.resources:
            resources.add_row(
                resource.logical_id,
                resource.type,
                resource.physical_name + ("" if resource.created else "  (not created locally)"),
            )
        out.print(resources)

    if plan.iam_statements:
        out.print("[bold]IAM statements[/bold] (enforced on every AWS call the functions make)")
        for statement in plan.iam_statements:
            actions = statement.get("Action") or statement.get("NotAction")
            target = statement.get("Resource") or statement.get("NotResource")
            out.print(f"  {statement.get('Effect')} {actions} on {target}", markup=False)

    if plan.variables:
        variables = Table(title="Variables resolved")
        for column in ("where", "variable", "value"):
            variables.add_column(column, overflow="fold")
        seen = set()
        for variable in plan.variables:
            key = (variable.path, variable.expression)
            if key in seen:
                continue
            seen.add(key)
            variables.add_row(variable.path, variable.expression, str(variable.value))
        out.print(variables)

    for note in plan.notes:
        out.print(f"[dim]note:[/dim] {note}")
    for warning in plan.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning.line()}", highlight=False)
