"""A scheduled job (EventBridge rule): works from the event's time, not the clock."""

from datetime import datetime, timedelta


def lambda_handler(event, context):
    if event.get("detail-type") != "Scheduled Event":
        raise ValueError(f"not a scheduled event: {event.get('source')}")
    fired_at = datetime.fromisoformat(event["time"])
    cutoff = fired_at - timedelta(days=30)
    print(f"{event['resources'][0]}: purging records older than {cutoff.isoformat()}")
    return {"cutoff": cutoff.isoformat()}
