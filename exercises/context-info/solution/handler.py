"""Reference solution for context-info."""


def lambda_handler(event, context):
    print(f"Request ID: {context.aws_request_id}")
    return {
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "memoryMb": int(context.memory_limit_in_mb),  # a string in the Python runtime
        "logGroup": context.log_group_name,
        "remainingMs": context.get_remaining_time_in_millis(),
    }
