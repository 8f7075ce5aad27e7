"""Reference solution for batch-writer."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["INVENTORY_TABLE"])


def lambda_handler(event, context):
    written = 0
    # batch_writer() sends BatchWriteItem calls of up to 25 puts and resends unprocessed items.
    with table.batch_writer() as batch:
        for record in event["Records"]:
            message = json.loads(record["body"])
            batch.put_item(Item={"sku": message["sku"], "quantity": message["quantity"]})
            written += 1
    return {"written": written}
