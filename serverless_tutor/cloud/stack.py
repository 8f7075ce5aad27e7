"""The CloudFormation part of a serverless.yml: resources, their names and attributes,
and the intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split)
that refer to them.

A Stack first predicts every physical name and attribute (enough for a dry run),
then `create()` makes the resources in the local account in dependency order and
records the attributes only known afterwards (a table's StreamArn).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from serverless_tutor.cloud.account import LocalAccount
from serverless_tutor.cloud.resource_types import NAME_PROPERTY
from serverless_tutor.cloud.service_spec import ServiceSpec
from serverless_tutor.problems import Problem

STREAM_LABEL_PLACEHOLDER = "<label set at deploy>"


class StackError(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.line())


def normalize_name(name: str) -> str:
    """The framework's logical-id form of a name: `order-topic` -> `OrderDashtopic`."""
    text = name.replace("-", "Dash").replace("_", "Underscore")
    text = re.sub(r"[^A-Za-z0-9]", "", text)
    return text[:1].upper() + text[1:]


def function_logical_id(function_key: str) -> str:
    return f"{normalize_name(function_key)}LambdaFunction"


class Stack:
    def __init__(self, spec: ServiceSpec, account_id: str, region: str | None = None):
        self.spec = spec
        self.account_id = account_id
        self.region = region or spec.region
        self.stack_name = spec.stack_name or f"{spec.service}-{spec.stage}"
        self.physical: dict[str, str] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        self.lambda_subscriptions: list[dict[str, Any]] = []  # delivered by the router, not moto
        self.warnings: list[tuple[str, str]] = []
        for resource in spec.resources.values():
            self._predict(resource.logical_id, resource.type, resource.properties)
        # Names built with intrinsics (!Join, !Sub) can be resolved once every plain name is known.
        for resource in spec.resources.values():
            name = resource.properties.get(NAME_PROPERTY.get(resource.type, ""))
            if isinstance(name, dict):
                resolved = self.resolve(
                    name, f"{spec.resources_path}.{resource.logical_id}.Properties"
                )
                self._predict(
                    resource.logical_id,
                    resource.type,
                    {**resource.properties, NAME_PROPERTY[resource.type]: resolved},
                )
        for key, function in spec.functions.items():
            arn = f"arn:aws:lambda:{self.region}:{account_id}:function:{function.name}"
            if spec.format == "sam":  # a SAM function's key is its logical id; SAM adds <Id>Role
                self.attributes[key] = {"Ref": function.name, "Arn": arn}
                role = function.role_name or self.role_name
                self.attributes.setdefault(
                    f"{key}Role",
                    {"Ref": role, "Arn": f"arn:aws:iam::{account_id}:role/{role}"},
                )
                continue
            self.attributes[function_logical_id(key)] = {"Ref": function.name, "Arn": arn}
        self.attributes["IamRoleLambdaExecution"] = {
            "Ref": self.role_name,
            "Arn": f"arn:aws:iam::{account_id}:role/{self.role_name}",
        }

    @property
    def role_name(self) -> str:
        return f"{self.spec.service}-{self.spec.stage}-{self.region}-lambdaRole"

    # -- names and attributes ----------------------------------------------------------------

    def _default_name(self, logical_id: str, kind: str) -> str:
        suffix = hashlib.sha1(f"{self.stack_name}/{logical_id}".encode()).hexdigest()[:12].upper()
        if kind == "AWS::S3::Bucket":
            return f"{self.stack_name}-{logical_id}-{suffix}".lower()[:63]
        return f"{self.stack_name}-{logical_id}-{suffix}"[:80]

    def _predict(self, logical_id: str, kind: str, properties: dict[str, Any]) -> None:
        name_property = NAME_PROPERTY.get(kind)
        name = properties.get(name_property) if name_property else None
        if name is None or isinstance(name, dict):
            name = self._default_name(logical_id, kind)
            if kind == "AWS::SQS::Queue" and properties.get("FifoQueue") in (True, "true"):
                name = name[:75] + ".fifo"
        self.physical[logical_id] = name
        region, account = self.region, self.account_id
        if kind == "AWS::DynamoDB::Table":
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
            attributes = {"Ref": name, "Arn": arn}
            if (properties.get("StreamSpecification") or {}).get("StreamViewType"):
                attributes["StreamArn"] = f"{arn}/stream/{STREAM_LABEL_PLACEHOLDER}"
        elif kind == "AWS::SNS::Topic":
            arn = f"arn:aws:sns:{region}:{account}:{name}"
            attributes = {"Ref": arn, "TopicArn": arn, "TopicName": name}
        elif kind == "AWS::SQS::Queue":
            url = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            attributes = {
                "Ref": url,
                "Arn": f"arn:aws:sqs:{region}:{account}:{name}",
                "QueueName": name,
                "QueueUrl": url,
            }
        elif kind == "AWS::S3::Bucket":
            attributes = {
                "Ref": name,
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
            }
        elif kind == "AWS::SES::EmailIdentity":
            attributes = {"Ref": name}
        elif kind == "AWS::IAM::Role":
            attributes = {
                "Ref": name,
                "Arn": f"arn:aws:iam::{account}:role/{name}",
                "RoleId": "AROA" + hashlib.sha1(name.encode()).hexdigest()[:17].upper(),
            }
        elif kind == "AWS::SNS::Subscription":
            attributes = {
                "Ref": f"arn:aws:sns:{region}:{account}:{logical_id}:<subscription id set at deploy>"
            }
        else:
            attributes = {"Ref": f"<{kind} {logical_id}: not created locally>"}
        self.attributes[logical_id] = attributes

    def add_event_topic(self, topic_name: str) -> str:
        """Topics named by `sns: <name>` events are created by the framework as SNSTopic<Name>."""
        arn = f"arn:aws:sns:{self.region}:{self.account_id}:{topic_name}"
        self.attributes.setdefault(
            f"SNSTopic{normalize_name(topic_name)}",
            {"Ref": arn, "TopicArn": arn, "TopicName": topic_name},
        )
        return arn

    def add_event_bucket(self, bucket: str) -> None:
        self.attributes.setdefault(
            f"S3Bucket{normalize_name(bucket)}", {"Ref": bucket, "Arn": f"arn:aws:s3:::{bucket}"}
        )

    # -- intrinsic functions -----------------------------------------------------------------

    def resolve(self, value: Any, path: str) -> Any:
        if isinstance(value, list):
            return [self.resolve(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self._ref(argument, path)
            if key == "Fn::GetAtt":
                return self._get_att(argument, path)
            if key == "Fn::Join":
                if not (
                    isinstance(argument, list)
                    and len(argument) == 2
                    and isinstance(argument[1], list)
                ):
                    raise self._error(path, "Fn::Join takes [delimiter, [values]]")
                parts = self.resolve(argument[1], path)
                return str(argument[0]).join(_text(p) for p in parts)
            if key == "Fn::Sub":
                return self._sub(argument, path)
            if key == "Fn::Select":
                index, items = argument
                items = self.resolve(items, path)
                return items[int(index)]
            if key == "Fn::Split":
                delimiter, text = argument
                return str(self.resolve(text, path)).split(delimiter)
            if key.startswith("Fn::"):
                raise self._error(
                    path,
                    f"{key} is not supported locally (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split are)",
                )
        return {k: self.resolve(v, f"{path}.{k}") for k, v in value.items()}

    def _ref(self, name: Any, path: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }
        if name in pseudo:
            return pseudo[name]
        if name not in self.attributes:
            raise self._error(path, f"Ref {name!r}: no resource or function with that logical id")
        return self.attributes[name]["Ref"]

    def _get_att(self, argument: Any, path: str) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            raise self._error(
                path, "Fn::GetAtt takes [LogicalId, Attribute] or LogicalId.Attribute"
            )
        logical_id, attribute = argument
        if logical_id not in self.attributes:
            raise self._error(
                path, f"Fn::GetAtt {logical_id}.{attribute}: no resource with that logical id"
            )
        attributes = self.attributes[logical_id]
        resource = self.spec.resources.get(logical_id)
        if resource is not None and not resource.supported and attribute != "Ref":
            # The resource is skipped (a warning says so); its attributes are placeholders.
            return f"<{resource.type} {logical_id}.{attribute}: not created locally>"
        if attribute not in attributes or attribute == "Ref":
            known = ", ".join(k for k in attributes if k != "Ref") or "none"
            raise self._error(
                path, f"Fn::GetAtt {logical_id}.{attribute}: not an attribute of it (has: {known})"
            )
        return attributes[attribute]

    def _sub(self, argument: Any, path: str) -> str:
        variables: dict[str, Any] = {}
        if isinstance(argument, list):
            text, variables = argument[0], self.resolve(argument[1], path)
        else:
            text = argument

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name])
            if "." in name:
                return _text(self._get_att(name.split(".", 1), path))
            return _text(self._ref(name, path))

        return re.sub(r"\$\{([^}]+)\}", replace, str(text))

    def _error(self, path: str, expected: str) -> StackError:
        return StackError(Problem(file=self.spec.path, field=path, expected=expected))

    # -- creation ----------------------------------------------------------------------------

    def creation_order(self) -> list[str]:
        """Logical ids so that each resource comes after those it refers to."""
        resources = self.spec.resources
        order: list[str] = []
        state: dict[str, str] = {}

        def visit(logical_id: str, chain: list[str]) -> None:
            if state.get(logical_id) == "done":
                return
            if state.get(logical_id) == "visiting":
                raise self._error(
                    f"{self.spec.resources_path}.{logical_id}",
                    "resources refer to each other in a loop: " + " -> ".join([*chain, logical_id]),
                )
            state[logical_id] = "visiting"
            resource = resources[logical_id]
            for dependency in sorted(_references(resource.properties) | set(resource.depends_on)):
                if dependency in resources:
                    visit(dependency, [*chain, logical_id])
            state[logical_id] = "done"
            order.append(logical_id)

        for logical_id in resources:
            visit(logical_id, [])
        return order

    def create(self, account: LocalAccount) -> list[str]:
        """Create every supported resource; returns the logical ids created."""
        created = []
        for logical_id in self.creation_order():
            resource = self.spec.resources[logical_id]
            if not resource.supported:
                continue
            properties = self.resolve(
                resource.properties, f"{self.spec.resources_path}.{logical_id}.Properties"
            )
            self._create_one(account, logical_id, resource.type, properties)
            created.append(logical_id)
        return created

    def _create_one(
        self, account: LocalAccount, logical_id: str, kind: str, properties: dict[str, Any]
    ) -> None:
        name = self.physical[logical_id]
        if kind == "AWS::DynamoDB::Table":
            self._create_table(account, logical_id, name, properties)
        elif kind == "AWS::SNS::Topic":
            attributes = {}
            if properties.get("DisplayName"):
                attributes["DisplayName"] = str(properties["DisplayName"])
            if properties.get("FifoTopic") in (True, "true"):
                attributes["FifoTopic"] = "true"
            sns = account.client("sns")
            arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
            for subscription in properties.get("Subscription") or []:
                self._subscribe(account, logical_id, {"TopicArn": arn, **subscription})
        elif kind == "AWS::SNS::Subscription":
            arn = self._subscribe(account, logical_id, properties)
            self.attributes[logical_id]["Ref"] = arn
        elif kind == "AWS::SQS::Queue":
            attributes = {}
            for key in (
                "VisibilityTimeout",
                "MessageRetentionPeriod",
                "DelaySeconds",
                "ReceiveMessageWaitTimeSeconds",
                "MaximumMessageSize",
            ):
                if key in properties:
                    attributes[key] = str(properties[key])
            if "RedrivePolicy" in properties:
                policy = properties["RedrivePolicy"]
                attributes["RedrivePolicy"] = (
                    policy if isinstance(policy, str) else json.dumps(policy)
                )
            if properties.get("FifoQueue") in (True, "true"):
                attributes["FifoQueue"] = "true"
            if properties.get("ContentBasedDeduplication") in (True, "true"):
                attributes["ContentBasedDeduplication"] = "true"
            account.client("sqs").create_queue(QueueName=name, Attributes=attributes)
        elif kind == "AWS::S3::Bucket":
            s3 = account.client("s3")
            kwargs: dict[str, Any] = {"Bucket": name}
            if self.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
            s3.create_bucket(**kwargs)
            status = (properties.get("VersioningConfiguration") or {}).get("Status")
            if status:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
        elif kind == "AWS::IAM::Role":
            document = properties.get("AssumeRolePolicyDocument") or {
                "Version": "2012-10-17",
                "Statement": [],
            }
            account.client("iam").create_role(
                RoleName=name,
                AssumeRolePolicyDocument=json.dumps(document),
            )
        elif kind == "AWS::SQS::QueuePolicy":
            sqs = account.client("sqs")
            for url in properties.get("Queues") or []:
                sqs.set_queue_attributes(
                    QueueUrl=str(url),
                    Attributes={"Policy": json.dumps(properties["PolicyDocument"])},
                )
        elif kind == "AWS::SNS::TopicPolicy":
            sns = account.client("sns")
            for arn in properties.get("Topics") or []:
                sns.set_topic_attributes(
                    TopicArn=str(arn),
                    AttributeName="Policy",
                    AttributeValue=json.dumps(properties["PolicyDocument"]),
                )
        elif kind == "AWS::SES::EmailIdentity":
            ses = account.client("ses")
            if "@" in name:
                ses.verify_email_identity(EmailAddress=name)
            else:
                ses.verify_domain_identity(Domain=name)

    def _create_table(
        self, account: LocalAccount, logical_id: str, name: str, properties: dict[str, Any]
    ) -> None:
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
        }
        billing = properties.get("BillingMode")
        if billing == "PAY_PER_REQUEST" or (
            billing is None and "ProvisionedThroughput" not in properties
        ):
            kwargs["BillingMode"] = "PAY_PER_REQUEST"
        else:
            kwargs["BillingMode"] = "PROVISIONED"
            kwargs["ProvisionedThroughput"] = {
                k: int(v)
                for k, v in properties.get(
                    "ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
                ).items()
            }
        view = (properties.get("StreamSpecification") or {}).get("StreamViewType")
        if view:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if properties.get(key):
                kwargs[key] = properties[key]
        if properties.get("Tags"):
            kwargs["Tags"] = properties["Tags"]
        dynamodb = account.client("dynamodb")
        description = dynamodb.create_table(**kwargs)["TableDescription"]
        if description.get("LatestStreamArn"):
            self.attributes[logical_id]["StreamArn"] = description["LatestStreamArn"]
        ttl = properties.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled") in (True, "true"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )

    def _subscribe(self, account: LocalAccount, logical_id: str, properties: dict[str, Any]) -> str:
        protocol = str(properties.get("Protocol", "")).lower()
        topic_arn = properties["TopicArn"]
        if protocol == "lambda":
            # moto cannot run Lambda code; the router delivers these (see deploy).
            subscription = f"{topic_arn}:{hashlib.sha1(str(properties).encode()).hexdigest()[:8]}"
            self.lambda_subscriptions.append({**properties, "SubscriptionArn": subscription})
            return subscription
        attributes = {}
        for key in ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery"):
            if key in properties:
                value = properties[key]
                attributes[key] = json.dumps(value) if isinstance(value, dict) else _text(value)
        response = account.client("sns").subscribe(
            TopicArn=topic_arn,
            Protocol=protocol,
            Endpoint=str(properties.get("Endpoint", "")),
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )
        return str(response["SubscriptionArn"])


def _references(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _references(item)
    elif isinstance(value, dict):
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" and isinstance(argument, str):
                return {argument}
            if key == "Fn::GetAtt":
                target = argument.split(".", 1)[0] if isinstance(argument, str) else argument[0]
                return {target}
            if key == "Fn::Sub":
                text = argument[0] if isinstance(argument, list) else argument
                found |= {m.split(".", 1)[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", str(text))}
                if isinstance(argument, list):
                    found |= _references(argument[1])
                return found
        for item in value.values():
            found |= _references(item)
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
