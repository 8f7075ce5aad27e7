"""Reference solution for s3-uppercase."""

from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")
OUTPUT_PREFIX = "processed/"


def lambda_handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith(OUTPUT_PREFIX):
            print(f"skipping {key}: it is one of our own outputs")
            continue
        text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        s3.put_object(Bucket=bucket, Key=OUTPUT_PREFIX + key, Body=text.upper().encode("utf-8"))
