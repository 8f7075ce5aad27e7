"""Exercise context-info: report facts from the context object.

Grade it with:  serverless-tutor check context-info
"""


def lambda_handler(event, context):
    print(f"Request ID: {context.request_id}")
    return {
        "requestId": context.request_id,
        "functionName": context.function_name,
        # TODO: memoryMb (a number), logGroup, remainingMs
    }
