"""The execution role a graded handler gets: least privilege on the exercise's declared resources.

An exercise names its resources (tables, buckets, queues, topics, SES senders);
the handler may make the data calls an honest solution needs on exactly those,
and nothing else: no other table, no admin calls (CreateTable, DeleteBucket,
Subscribe, SetQueueAttributes), no other service. The local account enforces it
like IAM does, so a refused call reaches the handler as AccessDenied.
"""

from __future__ import annotations

from serverless_tutor.cloud import iam
from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.content.exercises import Resources

TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:TransactGetItems",
    "dynamodb:TransactWriteItems",
    "dynamodb:DescribeTable",
]
BUCKET_ACTIONS = ["s3:ListBucket"]
OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
]
QUEUE_ACTIONS = [
    "sqs:SendMessage",
    "sqs:SendMessageBatch",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:DeleteMessageBatch",
    "sqs:ChangeMessageVisibility",
    "sqs:ChangeMessageVisibilityBatch",
    "sqs:GetQueueUrl",
    "sqs:GetQueueAttributes",
]
TOPIC_ACTIONS = ["sns:Publish", "sns:PublishBatch", "sns:GetTopicAttributes"]
SENDER_ACTIONS = ["ses:SendEmail", "ses:SendRawEmail"]


def _allow(actions: list[str], resources: list[str]) -> iam.Statement:
    return iam.Statement.model_validate(
        {"Effect": "Allow", "Action": actions, "Resource": resources}
    )


def exercise_policy(resources: Resources, account: LocalAccount) -> list[iam.Statement]:
    """The statements of the role a handler runs with for this exercise, on this account."""
    # Calls AWS never denies: who am I, and botocore's DynamoDB endpoint discovery.
    statements = [_allow(["sts:GetCallerIdentity", "dynamodb:DescribeEndpoints"], ["*"])]
    if resources.tables:
        arns = [account.arn("dynamodb", f"table/{table.name}") for table in resources.tables]
        statements.append(_allow(TABLE_ACTIONS, arns + [f"{arn}/index/*" for arn in arns]))
    if resources.buckets:
        names = [bucket.name for bucket in resources.buckets]
        statements.append(_allow(BUCKET_ACTIONS, [f"arn:aws:s3:::{name}" for name in names]))
        statements.append(_allow(OBJECT_ACTIONS, [f"arn:aws:s3:::{name}/*" for name in names]))
    if resources.queues:
        statements.append(
            _allow(QUEUE_ACTIONS, [account.arn("sqs", queue.name) for queue in resources.queues])
        )
    if resources.topics:
        statements.append(
            _allow(TOPIC_ACTIONS, [account.arn("sns", topic) for topic in resources.topics])
        )
    if resources.ses_senders:
        statements.append(
            _allow(
                SENDER_ACTIONS,
                [account.arn("ses", f"identity/{sender}") for sender in resources.ses_senders],
            )
        )
    return statements
