"""`serverless-tutor deploy [FILE] [--dry-run] [--stage S] [--parameter-overrides K=V ...] [--json]`.

FILE is a serverless.yml or an AWS SAM template (template.yaml); without one, the
first of serverless.yml, serverless.yaml, template.yaml, template.yml in the current
folder is used.

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
from serverless_tutor.paths import bundled_example_names, examples_dir

if TYPE_CHECKING:
    from serverless_tutor.cloud.deploy import DeployPlan


def _example_names() -> list[str]:
    """Bundled examples, serverless.yml and SAM ones (paths only: the parser is built on every run)."""
    sam = [p.parent.name for p in examples_dir().glob("*/template.yaml")]
    return sorted([*bundled_example_names(), *sam])


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deploy",
        help="resolve a serverless.yml or SAM template and show (or check) its deployment plan",
    )
    parser.add_argument(
        "config",
        nargs="?",
        default=None,
        help="path to a serverless.yml or SAM template.yaml (default: serverless.yml, serverless.yaml,"
        " template.yaml or template.yml here), or a bundled example's name: "
        + ", ".join(_example_names()),
    )
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        metavar="KEY=VALUE",
        help="SAM template parameters, as `sam deploy --parameter-overrides` takes them",
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
    from serverless_tutor.cloud.sam import parse_parameter_overrides
    from serverless_tutor.cloud.stack_files import (
        STACK_FILE_NAMES,
        ServiceConfigError,
        load_stack,
        locate_stack,
    )

    path = locate_stack(args.config, Path.cwd())
    if path is None:
        if args.config is None:
            return usage_error(
                f"no {', '.join(STACK_FILE_NAMES)} in this folder (give the path to a stack file)"
            )
        return usage_error(
            f"{args.config}: no such file (give the path to a serverless.yml or SAM template.yaml)"
        )
    overrides: dict[str, str] = {}
    try:
        for text in args.parameter_overrides or []:
            overrides.update(parse_parameter_overrides(text))
    except ValueError as error:
        return usage_error(f"--parameter-overrides: {error}")
    try:
        spec = load_stack(path, stage=args.stage, region=args.region, parameter_overrides=overrides)
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
    if any(function.role is None for function in plan.functions) or not plan.functions:
        out.print(f"execution role {plan.role}")
    else:
        out.print("execution roles: one per function (below)")

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

    for function in plan.functions:
        if not function.iam_statements:
            continue
        out.print(
            f"[bold]IAM statements of {function.key}[/bold] (role {function.role}; enforced on its AWS calls)",
            highlight=False,
        )
        for statement in function.iam_statements:
            actions = statement.get("Action") or statement.get("NotAction")
            target = statement.get("Resource") or statement.get("NotResource")
            out.print(f"  {statement.get('Effect')} {actions} on {target}", markup=False)

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
