"""Lesson 3: sign a user up with three managed services (DynamoDB, S3, SES) and no servers of our own.

Clients are created at module level, once per execution environment (INIT), and
every name comes from the environment that serverless.yml sets.
"""

import json
import os
import time

import boto3
from botocore.exceptions import ClientError

users = boto3.resource("dynamodb").Table(os.environ["USERS_TABLE"])
s3 = boto3.client("s3")
ses = boto3.client("ses")

BUCKET = os.environ["AVATAR_BUCKET"]
SENDER = os.environ["SENDER_EMAIL"]  # must be verified in SES


def lambda_handler(event, context):
    try:
        user = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        user = None
    if not isinstance(user, dict):
        user = {}
    user_id, email = user.get("userId"), user.get("email")
    if not user_id or not email:
        error = {"error": "userId and email are required"}
        return {"statusCode": 400, "body": json.dumps(error)}

    # 1. Database: write only if this user does not exist yet, so a retry cannot overwrite it.
    try:
        users.put_item(
            Item={"userId": user_id, "email": email, "createdAt": int(time.time() * 1000)},
            ConditionExpression="attribute_not_exists(userId)",
        )
    except ClientError as err:
        if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        return {"statusCode": 409, "body": json.dumps({"error": "user exists"})}

    # 2. Storage: a placeholder avatar under the user's prefix.
    s3.put_object(
        Bucket=BUCKET,
        Key=f"{user_id}/avatar.svg",
        Body=b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        ContentType="image/svg+xml",
    )

    # 3. Email.
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": [email]},
        Message={
            "Subject": {"Data": "Welcome!"},
            "Body": {"Text": {"Data": "Thanks for joining."}},
        },
    )
    return {"statusCode": 201, "body": json.dumps({"userId": user_id})}
