"""The CloudFormation resource types a serverless.yml may declare for the local account.

For each: the properties it understands, the ones it requires, and the property
that names it. The loader (service.py) checks resources against these tables; the
stack (stack.py) creates them.
"""

from __future__ import annotations

RESOURCE_PROPERTIES: dict[str, set[str]] = {
    "AWS::DynamoDB::Table": {
        "TableName",
        "AttributeDefinitions",
        "KeySchema",
        "BillingMode",
        "ProvisionedThroughput",
        "StreamSpecification",
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "TimeToLiveSpecification",
        "Tags",
    },
    "AWS::SNS::Topic": {
        "TopicName",
        "DisplayName",
        "Subscription",
        "FifoTopic",
        "ContentBasedDeduplication",
        "Tags",
    },
    "AWS::SNS::Subscription": {
        "TopicArn",
        "Protocol",
        "Endpoint",
        "FilterPolicy",
        "FilterPolicyScope",
        "RawMessageDelivery",
    },
    "AWS::SQS::Queue": {
        "QueueName",
        "VisibilityTimeout",
        "MessageRetentionPeriod",
        "DelaySeconds",
        "ReceiveMessageWaitTimeSeconds",
        "MaximumMessageSize",
        "RedrivePolicy",
        "FifoQueue",
        "ContentBasedDeduplication",
        "Tags",
    },
    "AWS::S3::Bucket": {"BucketName", "VersioningConfiguration", "Tags"},
    "AWS::SES::EmailIdentity": {"EmailIdentity"},
}
REQUIRED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::DynamoDB::Table": ("KeySchema", "AttributeDefinitions"),
    "AWS::SNS::Subscription": ("TopicArn", "Protocol"),
    "AWS::SES::EmailIdentity": ("EmailIdentity",),
}
NAME_PROPERTY: dict[str, str] = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SES::EmailIdentity": "EmailIdentity",
}
SUPPORTED_RESOURCE_TYPES = frozenset(RESOURCE_PROPERTIES)
