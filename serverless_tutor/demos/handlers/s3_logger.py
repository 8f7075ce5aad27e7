"""Log each uploaded object named in an S3 notification."""

import urllib.parse


def lambda_handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        raw_key = record["s3"]["object"]["key"]
        key = urllib.parse.unquote_plus(raw_key)  # keys arrive URL-encoded: "photo+1.jpg"
        size = record["s3"]["object"].get("size", 0)
        print(f"{record['eventName']}: s3://{bucket}/{key} ({size} bytes, raw key {raw_key!r})")
    # S3 invokes asynchronously: nobody receives this return value.
    return None
