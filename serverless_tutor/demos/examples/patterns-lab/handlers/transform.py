"""The filter stage: read each uploaded CSV, pass clean rows on, send bad rows to the reject queue."""

import csv
import io
import json
import os
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")


def problem(row):
    """Why a row cannot be loaded, or None when it is fine."""
    if not (row.get("orderId") or "").strip():
        return "orderId is empty"
    try:
        quantity = int(row.get("quantity") or "")
    except ValueError:
        return f"quantity {row.get('quantity')!r} is not a whole number"
    if quantity <= 0:
        return f"quantity {quantity} is not positive"
    try:
        Decimal(row.get("price") or "")
    except InvalidOperation:
        return f"price {row.get('price')!r} is not a number"
    return None


def handler(event, context):
    passed = rejected = 0
    for message in event["Records"]:
        body = json.loads(message["body"])
        if body.get("Event") == "s3:TestEvent":  # S3 sends one when the notification is set up
            continue
        for record in body.get("Records", []):
            bucket = record["s3"]["bucket"]["name"]
            key = unquote_plus(record["s3"]["object"]["key"])
            text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
            for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
                reason = problem(row)
                if reason is None:
                    clean = {
                        "orderId": row["orderId"].strip(),
                        "quantity": int(row["quantity"]),
                        "price": row["price"],
                    }
                    sqs.send_message(
                        QueueUrl=os.environ["CLEAN_QUEUE_URL"], MessageBody=json.dumps(clean)
                    )
                    passed += 1
                else:
                    reject = {"file": key, "line": line, "row": row, "reason": reason}
                    sqs.send_message(
                        QueueUrl=os.environ["REJECTS_QUEUE_URL"], MessageBody=json.dumps(reject)
                    )
                    rejected += 1
    print(f"transform: {passed} passed, {rejected} rejected")
    return {"passed": passed, "rejected": rejected}
