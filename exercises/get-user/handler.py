"""Exercise get-user: GET /users/{id}.

Grade it with:  serverless-tutor check get-user
"""

import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])


def lambda_handler(event, context):
    user_id = event["pathParameters"]["id"]
    result = table.get_item(Key={"userId": user_id})
    # TODO: 404 when there is no "Item"; 400 when there is no id; the JSON header.
    return {"statusCode": 200, "body": json.dumps(result["Item"])}
