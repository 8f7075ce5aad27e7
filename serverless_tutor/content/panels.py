"""The live panels a lesson may list in its front matter.

This is the engine-side registry (ids and one-line descriptions) so content can be
validated without importing the UI. `serverless_tutor.tui.panels` maps each id to
its widget; a test keeps the two in step. Add an id here only when its panel exists.
"""

PANELS: dict[str, str] = {
    "interview-drill": "Interview drill: the chapter's interview questions one at a time; type an answer, reveal the model answer, tick the rubric points you made and see your self-score.",
    "cost-calculator": "Lambda cost calculator: itemized bill with formulas, cost and duration per memory size, break-even against a server, the chapter's examples.",
    "invoke-playground": "Invoke playground: run bundled demo handlers (API Gateway, S3, SQS, SNS, DynamoDB Streams, schedules, a crash, a timeout) once or three at once, let ten minutes pass, and watch cold and warm environments, logs with START/END/REPORT and the error shapes.",
    "patterns-lab": "Patterns lab: fan-out (one SNS topic, three subscribers, a filter policy, a failing subscriber retried into its DLQ) and pipes and filters (S3 upload to SQS, transform, SQS, loader into DynamoDB, bad rows to a reject queue), live on the local account with every invocation and AWS call; toggle a fault (throttle a write, duplicate a delivery, crash after a write) and the code (fixed or as written) and see whether the end state is right for one order.",
    "order-pipeline": "Event-flow visualizer: place an order in the lesson's order-service and watch it go from API Gateway through SNS filter policies to each function and SES, step by step with every AWS call; replay a message, oversell, fail the payment; toggle a fault (throttle a write, duplicate a delivery, crash after a write) and the code (fixed or as written) and see whether the end state is right for one order.",
    "baas-signup": "BaaS sign-up: run lesson 3's sign-up function locally with a userId and email; see the status (201, 409 for a repeat, 400 for a missing field), each managed-service call it made (DynamoDB PutItem, S3 PutObject, SES SendEmail) with its latency, and the stored item, avatar object and SES outbox.",
    "api-console": "API console: send GET, POST, PUT and DELETE requests to lesson 7's users REST API running locally and see the status, body, which function ran, cold or warm with its REPORT figures, and its DynamoDB calls.",
    "server-vs-serverless": "What does idle cost? A month of Lambda (itemized, free tier on or off) next to a flat-priced always-on server for a chosen traffic level and shape, with the break-even volume and a log-scale chart from 1k to 1B requests.",
    "fit-check": "Is serverless a fit? Describe a workload (durations, traffic, latency budget, state, connections, GPUs, payload, ops capacity) or pick one of the chapter's use cases; get a verdict with reasons, each naming the limit it rests on and its lesson, the monthly bill and the cold-start share.",
    "cold-start-lifecycle": "Animated cold-start lifecycle: environments walk through download code, init runtime, init function, execute, then idle until reused or reclaimed; keep-alive, provisioned concurrency, warm-up pings, init styles and a sweep experiment.",
}
