"""Exercise s3-uppercase: upper-case each new object into processed/.

Grade it with:  serverless-tutor check s3-uppercase
"""

import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    record = event["Records"][0]  # TODO: every record, not just the first
    bucket = record["s3"]["bucket"]["name"]
    key = record["s3"]["object"]["key"]  # TODO: the key arrives URL-encoded

    # TODO: skip keys that are already under processed/

    text = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    s3.put_object(Bucket=bucket, Key=f"processed/{key}", Body=text.upper().encode("utf-8"))
