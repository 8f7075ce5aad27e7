"""The CloudFormation resource types a stack (serverless.yml or SAM template) may declare for the local account.

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
    # An IAM role's statements are what a function using it (SAM `Role:`) may do.
    "AWS::IAM::Role": {
        "RoleName",
        "AssumeRolePolicyDocument",
        "Policies",
        "ManagedPolicyArns",
        "Path",
        "Description",
        "MaxSessionDuration",
        "Tags",
    },
    "AWS::SQS::QueuePolicy": {"Queues", "PolicyDocument"},
    "AWS::SNS::TopicPolicy": {"Topics", "PolicyDocument"},
}
REQUIRED_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::DynamoDB::Table": ("KeySchema", "AttributeDefinitions"),
    "AWS::SNS::Subscription": ("TopicArn", "Protocol"),
    "AWS::SES::EmailIdentity": ("EmailIdentity",),
    "AWS::SQS::QueuePolicy": ("Queues", "PolicyDocument"),
    "AWS::SNS::TopicPolicy": ("Topics", "PolicyDocument"),
}
NAME_PROPERTY: dict[str, str] = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SES::EmailIdentity": "EmailIdentity",
    "AWS::IAM::Role": "RoleName",
}
SUPPORTED_RESOURCE_TYPES = frozenset(RESOURCE_PROPERTIES)
