"""The event router, one module per event source (as moto keeps one package per service).

moto stores and moves data between services but cannot run Lambda code, so every
arrow that ends at a function is drawn here:

- router.py: `EventRouter`, the dispatcher: registration, reacting to account calls,
  polling, draining and the background poller;
- sns.py, s3.py, schedules.py: push sources, invoked asynchronously;
- async_invoke.py: Lambda's `Event` invocations: delivery threads, retries, then the
  on-failure destination or dead-letter queue;
- sqs.py, streams.py: poll sources (event source mappings), invoked synchronously,
  with batches.py for their partial batch responses;
- functions.py: the functions the router may invoke; deliveries.py: the log of what
  it did; clock.py: its idea of now (real or stepped); source.py: the context every
  source shares (account, functions, clock, log) and their base class.

HTTP (API Gateway), also synchronous, is served by cloud/apigateway.py.
"""
