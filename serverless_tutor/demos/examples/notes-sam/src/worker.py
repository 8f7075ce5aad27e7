"""SQS consumer of notes-sam: marks each queued note indexed; reports the ones it could not find."""

import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["NOTES_TABLE"])


def handler(event, context):
    failures = []
    for record in event["Records"]:
        note_id = record["body"]
        try:
            table.update_item(
                Key={"noteId": note_id},
                UpdateExpression="SET #indexed = :yes",
                ConditionExpression="attribute_exists(noteId)",
                ExpressionAttributeNames={"#indexed": "indexed"},  # INDEXED is a reserved word
                ExpressionAttributeValues={":yes": True},
            )
        except table.meta.client.exceptions.ConditionalCheckFailedException:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
