def lambda_handler(event, context):
    return {"words": len(event["text"].split())}
