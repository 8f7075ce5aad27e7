"""offline's workaround for moto's transactions: same outcome, no copy of whole tables."""

from __future__ import annotations

import pytest
from moto.dynamodb.models import dynamodb_backends

from serverless_tutor.cloud import moto_transactions
from serverless_tutor.cloud.account import LocalAccount


@pytest.fixture
def dynamodb():
    moto_transactions.install()
    account = LocalAccount()
    client = account.client("dynamodb", internal=True)
    for table, key in (("orders", "orderId"), ("stock", "productId")):
        client.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
    client.put_item(TableName="orders", Item={"orderId": {"S": "o1"}, "status": {"S": "PAID"}})
    client.put_item(TableName="orders", Item={"orderId": {"S": "gone"}, "status": {"S": "OLD"}})
    client.put_item(TableName="stock", Item={"productId": {"S": "pen"}, "quantity": {"N": "1"}})
    backend = dynamodb_backends[account.account_id][account.region]
    return client, backend


def reserve(order: str, quantity: int, *, new_order: str = "o2") -> list[dict]:
    return [
        {
            "Update": {
                "TableName": "orders",
                "Key": {"orderId": {"S": order}},
                "UpdateExpression": "SET #s = :new",
                "ConditionExpression": "#s = :paid",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":new": {"S": "RESERVED"}, ":paid": {"S": "PAID"}},
            }
        },
        {"Put": {"TableName": "orders", "Item": {"orderId": {"S": new_order}}}},
        {"Delete": {"TableName": "orders", "Key": {"orderId": {"S": "gone"}}}},
        {
            "Update": {
                "TableName": "stock",
                "Key": {"productId": {"S": "pen"}},
                "UpdateExpression": "SET quantity = quantity - :q",
                "ConditionExpression": "quantity >= :q",
                "ExpressionAttributeValues": {":q": {"N": str(quantity)}},
            }
        },
    ]


def snapshot(client) -> dict:
    return {
        table: sorted(str(item) for item in client.scan(TableName=table)["Items"])
        for table in ("orders", "stock")
    }


def test_a_cancelled_transaction_changes_nothing_and_copies_no_table(dynamodb):
    client, backend = dynamodb
    tables = dict(backend.tables)
    streams = {name: len(table.stream_shard.items) for name, table in tables.items()}
    before = snapshot(client)
    with pytest.raises(client.exceptions.TransactionCanceledException) as cancelled:
        client.transact_write_items(TransactItems=reserve("o1", 2))  # only 1 pen in stock
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert snapshot(client) == before  # the update, the put and the delete were put back
    assert all(backend.tables[name] is table for name, table in tables.items())  # not swapped
    assert {name: len(t.stream_shard.items) for name, t in tables.items()} == streams


def test_a_transaction_that_succeeds_writes_every_item(dynamodb):
    client, _ = dynamodb
    client.transact_write_items(TransactItems=reserve("o1", 1))
    orders = {i["orderId"]["S"]: i for i in client.scan(TableName="orders")["Items"]}
    assert orders["o1"]["status"]["S"] == "RESERVED" and "o2" in orders and "gone" not in orders
    stock = client.get_item(TableName="stock", Key={"productId": {"S": "pen"}})["Item"]
    assert stock["quantity"]["N"] == "0"
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=reserve("o1", 1, new_order="o3"))  # a repeat
    assert "o3" not in {i["orderId"]["S"] for i in client.scan(TableName="orders")["Items"]}
