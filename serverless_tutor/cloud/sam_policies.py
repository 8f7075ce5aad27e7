"""SAM policy templates (`DynamoDBCrudPolicy: {TableName: !Ref Table}`) as IAM statements.

The actions are those of SAM's own policy_templates.json (samtranslator). Each
template's parameter is put into the ARN with `Fn::Sub`, so the stack resolves it
like any other intrinsic. Managed policies named in `Policies:` are mapped for the
AWS-managed ones a tutorial uses; any other name is reported by the caller.
"""

from __future__ import annotations

from typing import Any

_TABLE = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}"
_QUEUE = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}"
_TOPIC = "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${topicName}"
_BUCKET = "arn:${AWS::Partition}:s3:::${bucketName}"
_FUNCTION = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}"
_EVENT_BUS = (
    "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${eventBusName}"
)

_DYNAMODB_READ = [
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
]
_DYNAMODB_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]
_S3_READ = [
    "s3:GetObject",
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:GetObjectVersion",
    "s3:GetLifecycleConfiguration",
]
_S3_WRITE = ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"]

# template name -> (its parameter, the variable in the ARNs, [(actions, [ARN patterns])])
POLICY_TEMPLATES: dict[str, tuple[str, str, list[tuple[list[str], list[str]]]]] = {
    "DynamoDBCrudPolicy": (
        "TableName",
        "tableName",
        [
            (
                [
                    *_DYNAMODB_READ[:4],
                    "dynamodb:DeleteItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:BatchWriteItem",
                    "dynamodb:DescribeTable",
                    "dynamodb:ConditionCheckItem",
                ],
                [_TABLE, _TABLE + "/index/*"],
            )
        ],
    ),
    "DynamoDBReadPolicy": (
        "TableName",
        "tableName",
        [(_DYNAMODB_READ, [_TABLE, _TABLE + "/index/*"])],
    ),
    "DynamoDBWritePolicy": (
        "TableName",
        "tableName",
        [(_DYNAMODB_WRITE, [_TABLE, _TABLE + "/index/*"])],
    ),
    "DynamoDBStreamReadPolicy": (
        "TableName",
        "tableName",
        [
            (
                ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                [_TABLE + "/stream/*"],
            ),
            (["dynamodb:ListStreams"], [_TABLE + "/stream/*"]),
        ],
    ),
    "SQSPollerPolicy": (
        "QueueName",
        "queueName",
        [
            (
                [
                    "sqs:ChangeMessageVisibility",
                    "sqs:ChangeMessageVisibilityBatch",
                    "sqs:DeleteMessage",
                    "sqs:DeleteMessageBatch",
                    "sqs:GetQueueAttributes",
                    "sqs:ReceiveMessage",
                ],
                [_QUEUE],
            )
        ],
    ),
    "SQSSendMessagePolicy": ("QueueName", "queueName", [(["sqs:SendMessage*"], [_QUEUE])]),
    "SNSPublishMessagePolicy": ("TopicName", "topicName", [(["sns:Publish"], [_TOPIC])]),
    "S3ReadPolicy": ("BucketName", "bucketName", [(_S3_READ, [_BUCKET, _BUCKET + "/*"])]),
    "S3WritePolicy": ("BucketName", "bucketName", [(_S3_WRITE, [_BUCKET, _BUCKET + "/*"])]),
    "S3CrudPolicy": (
        "BucketName",
        "bucketName",
        [([*_S3_READ, *_S3_WRITE, "s3:DeleteObject"], [_BUCKET, _BUCKET + "/*"])],
    ),
    "LambdaInvokePolicy": (
        "FunctionName",
        "functionName",
        [(["lambda:InvokeFunction"], [_FUNCTION + "*"])],
    ),
    "EventBridgePutEventsPolicy": (
        "EventBusName",
        "eventBusName",
        [(["events:PutEvents"], [_EVENT_BUS])],
    ),
}

# AWS-managed policies by name (or ARN tail) -> statements.
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "AWSLambdaBasicExecutionRole": [],  # logs only: CloudWatch Logs is the terminal here
    "AWSLambdaExecute": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": "arn:aws:s3:::*",
        }
    ],
    "AmazonDynamoDBFullAccess": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
    "AmazonDynamoDBReadOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:BatchGet*",
                "dynamodb:Describe*",
                "dynamodb:Get*",
                "dynamodb:List*",
                "dynamodb:Query",
                "dynamodb:Scan",
            ],
            "Resource": "*",
        }
    ],
    "AmazonS3FullAccess": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    "AmazonS3ReadOnlyAccess": [
        {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}
    ],
    "AmazonSQSFullAccess": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}],
    "AmazonSNSFullAccess": [{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}],
    "AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": "*",
        }
    ],
    "AWSLambdaDynamoDBExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            "Resource": "*",
        }
    ],
}


def template_statements(name: str, argument: Any) -> list[dict[str, Any]] | None:
    """The statements of policy template `name` with its parameter; None if it is not known.

    Raises ValueError (with what was expected) when the parameter is missing.
    """
    template = POLICY_TEMPLATES.get(name)
    if template is None:
        return None
    parameter, variable, parts = template
    if not isinstance(argument, dict) or parameter not in argument:
        raise ValueError(f"{{{parameter}: ...}} (the {name} template's parameter)")
    value = argument[parameter]
    return [
        {
            "Effect": "Allow",
            "Action": actions,
            "Resource": [{"Fn::Sub": [arn, {variable: value}]} for arn in arns],
        }
        for actions, arns in parts
    ]


def managed_policy_statements(name_or_arn: str) -> list[dict[str, Any]] | None:
    """Statements of an AWS-managed policy given by name or ARN; None if not one of the known ones."""
    return MANAGED_POLICIES.get(name_or_arn.rsplit("/", 1)[-1])
