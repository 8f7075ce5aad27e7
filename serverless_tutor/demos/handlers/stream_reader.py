"""React to new items in a DynamoDB table through its stream."""

from boto3.dynamodb.types import TypeDeserializer

to_python = TypeDeserializer().deserialize


def lambda_handler(event, context):
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue  # this function only cares about new items
        image = record["dynamodb"]["NewImage"]  # typed JSON: {"S": "42"}
        item = {name: to_python(value) for name, value in image.items()}
        print(f"new item {item}")
    return None
