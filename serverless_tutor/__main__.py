from serverless_tutor.cli import run

raise SystemExit(run())
