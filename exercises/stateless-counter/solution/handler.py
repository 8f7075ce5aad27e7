"""Reference solution for stateless-counter."""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["COUNTER_TABLE"])


def lambda_handler(event, context):
    result = table.update_item(
        Key={"id": "global"},
        UpdateExpression="ADD #c :one",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    count = int(result["Attributes"]["count"])
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"count": count}),
    }
