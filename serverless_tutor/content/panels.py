"""The live panels a lesson may list in its front matter.

This is the engine-side registry (ids and one-line descriptions) so content can be
validated without importing the UI. `serverless_tutor.tui.panels` maps each id to
its widget; a test keeps the two in step. Add an id here only when its panel exists.
"""

PANELS: dict[str, str] = {
    "cost-calculator": "Lambda cost calculator: itemized bill with formulas, cost and duration per memory size, break-even against a server, the chapter's examples.",
    "invoke-playground": "Invoke playground: run bundled demo handlers (API Gateway, S3, SQS, SNS, DynamoDB Streams, schedules, a crash, a timeout) once or three at once, let ten minutes pass, and watch cold and warm environments, logs with START/END/REPORT and the error shapes.",
    "order-pipeline": "Event-flow visualizer: place an order in the lesson's order-service and watch it go from API Gateway through SNS filter policies to each function and SES, step by step with every AWS call; replay a message, oversell, fail the payment.",
    "cold-start-lifecycle": "Animated cold-start lifecycle: environments walk through download code, init runtime, init function, execute, then idle until reused or reclaimed; keep-alive, provisioned concurrency, warm-up pings, init styles and a sweep experiment.",
}
