"""The one set of fake AWS credentials the tutor uses, so botocore signs requests.

They open nothing: every call is served by the in-memory local account. The
handler sees them in its environment as Lambda's temporary role credentials.
"""

from __future__ import annotations

ACCESS_KEY_ID = "ASIAQTUTORLOCALFAKE01"
SECRET_ACCESS_KEY = "local/tutor/fake/secret/key/not/a/real/one00"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEFAKE-local-serverless-tutor-session-token"

# As a function's environment variables (what Lambda sets for the execution role).
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
    "AWS_SESSION_TOKEN": SESSION_TOKEN,
}

# As keyword arguments for boto3.client(...) / boto3.session.Session(...).
CLIENT_KWARGS = {
    "aws_access_key_id": ACCESS_KEY_ID,
    "aws_secret_access_key": SECRET_ACCESS_KEY,
    "aws_session_token": SESSION_TOKEN,
}
