"""The outbox: deliveries the local account would make to the outside world, recorded instead.

moto's SNS backend delivers a published message to an `http`/`https` subscriber
with `requests.post` (moto/sns/models.py, Subscription.publish), from the
parent process, to any host a handler subscribed: the sandbox's empty network
namespace does not apply there. Here every delivery to a protocol that leaves
the account (http, https, email, email-json, sms, application, firehose, and
lambda, which the event router delivers itself) is recorded in the outbox of the
subscriber's account; only `sqs` deliveries, which stay inside the account, run
as moto runs them. Subscribing stays a valid AWS call: nothing is refused, the
delivery just lands here, where tests and panels can read it.

As a second line, `moto.sns.models.requests` is replaced by a stand-in that
refuses every request, so a moto code path we did not wrap cannot connect either.

Both are applied the moment `moto.sns.models` is imported, whoever imports it
(the SNS API, or moto's SES or S3 notifications reaching for SNS), and not before:
a check that never touches SNS does not pay for importing it.
"""

from __future__ import annotations

import json
import sys
import threading
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from pydantic import BaseModel

from serverless_tutor.runtime.after_import import AfterImport

_LOCK = threading.Lock()
_MESSAGES: dict[str, list[OutboxMessage]] = {}
_INSTALLED = False
_SNS_MODELS = "moto.sns.models"
_WRAPPED = "_serverless_tutor_outbox_wrapped"  # set on the module once its delivery is wrapped

# Deliveries that stay inside the account run as moto runs them.
_INSIDE_PROTOCOLS = frozenset({"sqs"})


class OutboxMessage(BaseModel):
    """One delivery the account recorded instead of making."""

    account_id: str
    protocol: str
    endpoint: str
    topic_arn: str | None = None
    subscription_arn: str | None = None
    subject: str | None = None
    message: str
    body: str  # what AWS would have sent: the JSON notification, or the raw message
    time: datetime


class DeliveryRefused(ConnectionRefusedError):
    """A moto code path tried to open a network connection; the local account never does."""


class _NoNetwork:
    """Stands in for the `requests` module inside moto's SNS backend."""

    def __getattr__(self, name: str) -> Any:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise DeliveryRefused(
                f"the local account opens no network connections (requests.{name} refused)"
            )

        return refuse


def record(message: OutboxMessage) -> None:
    with _LOCK:
        _MESSAGES.setdefault(message.account_id, []).append(message)


def messages(account_id: str) -> list[OutboxMessage]:
    with _LOCK:
        return list(_MESSAGES.get(account_id, []))


def clear(account_id: str) -> None:
    with _LOCK:
        _MESSAGES.pop(account_id, None)


def install() -> None:
    """Wrap moto's SNS delivery: now if moto's SNS models are loaded, else the moment they
    are imported. Idempotent and cheap: the account calls it before serving each call, so
    SNS models loaded past the import hook (another finder ahead of it) are wrapped too."""
    global _INSTALLED
    with _LOCK:
        loaded = sys.modules.get(_SNS_MODELS)
        if loaded is not None and not getattr(loaded, _WRAPPED, False) and not _importing(loaded):
            _wrap(loaded)
        if not _INSTALLED:
            if loaded is None:
                sys.meta_path.insert(0, AfterImport(_SNS_MODELS, _wrap))
            _INSTALLED = True


def _importing(module: ModuleType) -> bool:
    """Is the module still running its body (another thread importing it)? Its loader wraps it then."""
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _wrap(sns_models: Any) -> None:
    original = sns_models.Subscription.publish

    def publish(
        self: Any,
        message: str,
        message_id: str,
        subject: str | None = None,
        message_attributes: dict[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> None:
        if self.protocol in _INSIDE_PROTOCOLS:
            original(
                self,
                message,
                message_id,
                subject=subject,
                message_attributes=message_attributes,
                group_id=group_id,
                deduplication_id=deduplication_id,
                message_structure=message_structure,
            )
            return
        matcher = self._filter_policy_matcher
        if matcher is not None and not matcher.matches(message_attributes, message):
            return
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        raw = self.attributes.get("RawMessageDelivery") in (True, "true")
        body = (
            message
            if raw or self.protocol in ("sms", "email")
            else json.dumps(self.get_post_data(message, message_id, subject), sort_keys=True)
        )
        record(
            OutboxMessage(
                account_id=self.account_id,
                protocol=self.protocol,
                endpoint=str(self.endpoint),
                topic_arn=self.topic.arn,
                subscription_arn=self.arn,
                subject=subject,
                message=message,
                body=body,
                time=datetime.now(UTC),
            )
        )

    sns_models.Subscription.publish = publish
    sns_models.requests = _NoNetwork()
    setattr(sns_models, _WRAPPED, True)
