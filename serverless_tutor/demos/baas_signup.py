"""The BaaS sign-up demo (lesson 3): one function, three managed services it did not have to build.

One BaasSignup deploys serverless_tutor/demos/examples/baas-signup into its own
LocalAccount on an in-process LambdaRuntime (trusted, bundled code) the first time
it is used. Each sign_up() posts {"userId", "email"} to POST /dev/signup through
the local API Gateway, as `serverless-tutor offline baas-signup` serves it, and
returns a SignupOutcome: the HTTP answer, cold or warm, the AWS calls the function
made (one per managed service, from the account trace), and the end state of the
three services for that user: the DynamoDB item, the avatar object in S3 and the
welcome emails in the SES outbox.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from serverless_tutor.demos.deployed_example import (
    AwsCall,
    DeployedExample,
    SerialDemo,
    error_text,
    short_resource,
)
from serverless_tutor.paths import examples_dir

SERVICE_DIR = examples_dir() / "baas-signup"
SIGNUP_PATH = "/dev/signup"
FUNCTION_KEY = "signup"
MAX_FIELD_CHARS = 200
# How the lesson names the services; the trace uses botocore's service names.
SERVICE_NAMES = {"dynamodb": "DynamoDB", "s3": "S3", "ses": "SES", "cognito-idp": "Cognito"}


class BaasSignupError(ValueError):
    """The sign-up cannot be sent (a field is too long), or the demo has been shut down."""


class ManagedCall(BaseModel):
    """One call the function made to a managed service: `DynamoDB PutItem (baas-signup-users-dev)`."""

    service: str  # the lesson's name: DynamoDB, S3, SES
    resource: str | None = None  # the table, the bucket, or the SES identity it used
    call: AwsCall

    @property
    def label(self) -> str:
        where = f" ({self.resource})" if self.resource else ""
        return f"{self.service} {self.call.operation}{where}"


class StoredObject(BaseModel):
    bucket: str
    key: str
    size: int
    content_type: str | None = None


class SentEmail(BaseModel):
    source: str | None = None
    to: list[str] = Field(default_factory=list)
    subject: str | None = None


class SignupState(BaseModel):
    """What the three services hold for this user after the call."""

    profile: dict[str, Any] | None = None  # the DynamoDB item, plain JSON values
    avatar: StoredObject | None = None
    emails: list[SentEmail] = Field(default_factory=list)  # welcome emails to this address
    users_in_table: int = 0
    emails_sent_total: int = 0


class SignupOutcome(BaseModel):
    user_id: str
    email: str
    status: int
    body: str = ""
    body_json: Any | None = None
    cold: bool | None = None
    duration_ms: float | None = None
    error: str | None = None  # errorType: errorMessage, when the handler raised
    calls: list[ManagedCall] = Field(default_factory=list)
    state: SignupState = Field(default_factory=SignupState)


class BaasSignup(SerialDemo):
    """Deploys baas-signup on first use; sign_up() returns a SignupOutcome. Thread-safe, one at a time."""

    closed_error = BaasSignupError
    closed_message = "the sign-up demo has been shut down"

    def __init__(self, *, backend: Literal["inprocess", "sandbox"] = "inprocess"):
        super().__init__()
        self.backend = backend
        self._service: DeployedExample | None = None

    @property
    def deployed(self) -> bool:
        return self._service is not None

    def sign_up(self, user_id: str, email: str) -> SignupOutcome:
        """Empty fields are sent as they are: the function itself answers 400, as the lesson's code does."""
        user_id, email = user_id.strip(), email.strip()
        for field, value in (("userId", user_id), ("email", email)):
            if len(value) > MAX_FIELD_CHARS:
                raise BaasSignupError(
                    f"{field}: {len(value)} characters; expected at most {MAX_FIELD_CHARS}"
                )
        return self._exclusively(self._sign_up, user_id, email)

    # -- internals --------------------------------------------------------------------------------

    def _deploy(self) -> DeployedExample:
        from botocore.exceptions import ClientError

        try:
            return DeployedExample(SERVICE_DIR, self.backend)
        except ClientError as error:
            if error.response["Error"]["Code"] != "BucketAlreadyExists":
                raise
            # S3 bucket names are global (in moto as in AWS): a second live demo cannot create the same bucket.
            raise BaasSignupError(
                "another sign-up demo in this process already holds the avatar bucket; "
                "close it before starting a new one"
            ) from error

    def _sign_up(self, user_id: str, email: str) -> SignupOutcome:
        from serverless_tutor.cloud.apigateway import HttpRequest

        if self._service is None:
            self._service = self._deploy()
        service = self._service
        body = {key: value for key, value in (("userId", user_id), ("email", email)) if value}
        response, result, entries = service.call_api(
            HttpRequest(
                method="POST",
                path=SIGNUP_PATH,
                headers=[("Content-Type", "application/json")],
                body=json.dumps(body).encode("utf-8"),
            )
        )
        text = response.body.decode("utf-8", errors="replace")
        calls = [
            ManagedCall(
                service=SERVICE_NAMES.get(entry.service, entry.service),
                resource=entry.params.get("Bucket")
                if entry.service == "s3"
                else short_resource(entry),
                call=AwsCall.from_trace(entry),
            )
            for entry in entries
        ]
        return SignupOutcome(
            user_id=user_id,
            email=email,
            status=response.status,
            body=text,
            body_json=_json_or_none(text),
            cold=response.cold,
            duration_ms=result.report.duration_ms if result else None,
            error=error_text(result) if result else None,
            calls=calls,
            state=_state(service, user_id, email),
        )

    def _discard(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.close()


def _state(service: DeployedExample, user_id: str, email: str) -> SignupState:
    from boto3.dynamodb.types import TypeDeserializer

    environment = service.deployment.configs[FUNCTION_KEY].environment
    table, bucket = environment["USERS_TABLE"], environment["AVATAR_BUCKET"]
    dynamodb = service.account.client("dynamodb", internal=True)
    s3 = service.account.client("s3", internal=True)
    state = SignupState(users_in_table=dynamodb.scan(TableName=table, Select="COUNT")["Count"])
    if user_id:
        item = dynamodb.get_item(TableName=table, Key={"userId": {"S": user_id}}).get("Item")
        if item:
            deserializer = TypeDeserializer()
            state.profile = {
                key: _plain(deserializer.deserialize(value)) for key, value in sorted(item.items())
            }
        key = f"{user_id}/avatar.svg"
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=key).get("Contents") or []
        if any(entry["Key"] == key for entry in listed):
            head = s3.head_object(Bucket=bucket, Key=key)
            state.avatar = StoredObject(
                bucket=bucket,
                key=key,
                size=head["ContentLength"],
                content_type=head.get("ContentType"),
            )
    outbox = service.account.sent_emails()
    state.emails_sent_total = len(outbox)
    for sent in outbox:
        to = list((sent.get("destinations") or {}).get("ToAddresses") or [])
        if email and email in to:
            state.emails.append(
                SentEmail(source=sent.get("source"), to=to, subject=sent.get("subject"))
            )
    return state


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; show whole numbers as int."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _json_or_none(text: str) -> Any | None:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
