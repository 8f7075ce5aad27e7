"""Lambda's limits and platform constants, written once (sources: docs/facts.md).

A leaf module: it imports nothing from the tutor, so the runtime (the ground
floor), the cloud, the engines and the UI can all use it.
"""

from __future__ import annotations

# Memory: 128 MB to 10,240 MB in 1 MB steps; CPU grows with memory.
MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 10_240
DEFAULT_MEMORY_MB = 128
ONE_VCPU_MEMORY_MB = 1_769  # about one full vCPU at this size
CHAPTER_MAX_MEMORY_MB = 3_008  # the pre-2020 ceiling the chapter still quotes

# Timeout: default 3 s, at most 900 s (15 minutes). The on-demand INIT phase is capped at 10 s.
MIN_TIMEOUT_S = 1
DEFAULT_TIMEOUT_S = 3
MAX_TIMEOUT_S = 900
INIT_LIMIT_S = 10.0

# /tmp (ephemeral storage): 512 MB by default, up to 10,240 MB.
MIN_EPHEMERAL_MB = 512
DEFAULT_EPHEMERAL_MB = 512
MAX_EPHEMERAL_MB = 10_240

# Payloads: 6 MB synchronous (request and response), 1 MB asynchronous.
SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024
ASYNC_PAYLOAD_BYTES = 1024 * 1024
API_GATEWAY_PAYLOAD_BYTES = 10 * 1024 * 1024

# Processes and threads per execution environment, and concurrency per account.
MAX_THREADS_PER_ENVIRONMENT = 1_024
DEFAULT_ACCOUNT_CONCURRENCY = 1_000

# Asynchronous invocations: retried up to 2 more times, kept up to 6 hours.
ASYNC_MAX_RETRIES = 2
ASYNC_MAX_EVENT_AGE_S = 6 * 60 * 60

# Billing: 1 ms granularity; a month in AWS's price list is 730 hours.
BILLING_GRANULARITY_MS = 1
HOURS_PER_MONTH = 730
