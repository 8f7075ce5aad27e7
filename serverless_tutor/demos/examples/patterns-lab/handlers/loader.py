"""The sink: write each clean row to the orders table."""

import json
import os

import boto3

dynamodb = boto3.client("dynamodb")


def handler(event, context):
    for message in event["Records"]:
        row = json.loads(message["body"])
        dynamodb.put_item(
            TableName=os.environ["ORDERS_TABLE"],
            Item={
                "orderId": {"S": row["orderId"]},
                "quantity": {"N": str(row["quantity"])},
                "price": {"N": row["price"]},
            },
        )
    print(f"loader: wrote {len(event['Records'])} rows")
    return {"loaded": len(event["Records"])}
