"""Reference solution for init-outside-handler."""

import os

import boto3

# Module level: runs once per execution environment, in the INIT phase.
table = boto3.resource("dynamodb").Table(os.environ["CONFIG_TABLE"])


def lambda_handler(event, context):
    return table.get_item(Key={"id": "settings"})["Item"]
