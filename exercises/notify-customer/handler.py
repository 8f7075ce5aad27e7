"""Exercise notify-customer: email the customer when their order ships.

Grade it with:  serverless-tutor check notify-customer
"""

import json
import os

import boto3

dynamodb = boto3.resource("dynamodb")
ses = boto3.client("ses")


def lambda_handler(event, context):
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        # TODO: only OrderShipped; the message has no customerId: look it up.
        customer = dynamodb.Table(os.environ["CUSTOMERS_TABLE"]).get_item(
            Key={"customerId": message["customerId"]}
        )["Item"]
        ses.send_email(
            Source=os.environ["SENDER"],
            Destination={"ToAddresses": [customer["email"]]},
            Message={
                "Subject": {"Data": "Your order has shipped"},
                "Body": {"Text": {"Data": f"Hello {customer['name']}, your order is on its way."}},
            },
        )
