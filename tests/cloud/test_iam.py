"""Least privilege: evaluation of iamRoleStatements and enforcement on forwarded calls."""

import pytest

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.iam import Permission, Statement, evaluate, required_permissions

TABLE = {
    "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def statements(*raw):
    return [Statement.model_validate(s) for s in raw]


def test_wildcards_and_explicit_deny():
    policy = statements(
        {
            "Effect": "Allow",
            "Action": "dynamodb:*",
            "Resource": "arn:aws:dynamodb:us-east-1:*:table/orders-*",
        },
        {"Effect": "Deny", "Action": ["dynamodb:Delete*"], "Resource": "*"},
    )
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dev"
    assert evaluate(policy, [Permission(action="dynamodb:PutItem", resource=table)]).allowed
    assert evaluate(
        policy, [Permission(action="DynamoDB:putitem", resource=table)]
    ).allowed  # actions ignore case
    denied = evaluate(policy, [Permission(action="dynamodb:DeleteItem", resource=table)])
    assert (denied.allowed, denied.denied_by) == (False, "explicit")
    other = evaluate(
        policy,
        [Permission(action="dynamodb:GetItem", resource=table.replace("orders-dev", "users"))],
    )
    assert (other.allowed, other.denied_by) == (False, "implicit")


def test_required_permissions_name_actions_and_resources():
    region, account = "us-east-1", "123456789012"
    assert required_permissions(
        "s3", "PutObject", {"Bucket": "b", "Key": "a/b.jpg"}, region, account
    ) == [Permission(action="s3:PutObject", resource="arn:aws:s3:::b/a/b.jpg")]
    assert required_permissions("s3", "ListObjectsV2", {"Bucket": "b"}, region, account) == [
        Permission(action="s3:ListBucket", resource="arn:aws:s3:::b")
    ]
    transact = required_permissions(
        "dynamodb",
        "TransactWriteItems",
        {"TransactItems": [{"Put": {"TableName": "a"}}, {"Update": {"TableName": "b"}}]},
        region,
        account,
    )
    assert [p.action for p in transact] == ["dynamodb:PutItem", "dynamodb:UpdateItem"]
    queue = required_permissions(
        "sqs",
        "SendMessage",
        {"QueueUrl": f"https://sqs.us-east-1.amazonaws.com/{account}/jobs"},
        region,
        account,
    )
    assert queue == [
        Permission(action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{account}:jobs")
    ]


def test_denied_call_fails_in_the_caller_and_shows_in_the_trace(forwarding_client):
    account = LocalAccount()
    account.client("dynamodb").create_table(TableName="orders", **TABLE)
    account.set_permissions(
        "reader",
        statements(
            {
                "Effect": "Allow",
                "Action": "dynamodb:GetItem",
                "Resource": f"arn:aws:dynamodb:us-east-1:{account.account_id}:table/orders",
            }
        ),
        role_name="shop-dev-role",
    )
    ddb = forwarding_client(account, "dynamodb", "reader")
    ddb.get_item(TableName="orders", Key={"k": {"S": "1"}})
    with pytest.raises(ddb.exceptions.ClientError) as caught:
        ddb.put_item(TableName="orders", Item={"k": {"S": "1"}})
    error = caught.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert (
        "assumed-role/shop-dev-role/reader is not authorized to perform: dynamodb:PutItem"
        in error["Message"]
    )
    entry = account.trace.entries[-1]
    assert (entry.operation, entry.outcome, entry.error_code) == (
        "PutItem",
        "denied",
        "AccessDeniedException",
    )
    # nothing was written
    assert "Item" not in account.client("dynamodb").get_item(
        TableName="orders", Key={"k": {"S": "1"}}
    )


def test_enforcement_can_be_turned_off(forwarding_client):
    account = LocalAccount(enforce_iam=False)
    account.client("sns").create_topic(Name="events")
    account.set_permissions("nobody", [])
    sns = forwarding_client(account, "sns", "nobody")
    sns.publish(TopicArn=f"arn:aws:sns:us-east-1:{account.account_id}:events", Message="hi")
    assert account.trace.entries[-1].outcome == "ok"
    account.enforce_iam = True
    with pytest.raises(sns.exceptions.AuthorizationErrorException):
        sns.publish(TopicArn=f"arn:aws:sns:us-east-1:{account.account_id}:events", Message="hi")
