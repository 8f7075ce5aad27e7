"""Process an SQS batch and report only the failed messages (partial batch response)."""

import json


def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            order = json.loads(record["body"])
            print(f"order {order['orderId']}: {order['item']}")
        except (ValueError, KeyError) as problem:
            print(f"message {record['messageId']} failed: {problem!r}")
            failures.append({"itemIdentifier": record["messageId"]})
    # Needs ReportBatchItemFailures on the event source mapping: only these come back.
    return {"batchItemFailures": failures}
