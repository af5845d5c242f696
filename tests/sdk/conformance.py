#!/usr/bin/env python3
"""Drives the dms-console emulator with Huawei's official Python SDK (huaweicloudsdkrocketmq).

Every SDK operation that maps to an endpoint of the API reference is called in a realistic
order (AZs and products, create an instance and wait until it runs, then its configuration,
tags, brokers and nodes, topics, groups, ACL users, metadata migration, the message plane,
restart, resize, deletes), and the returned models are checked field by field. A few error
cases must come back as the SDK's ClientRequestException / ServerResponseException with the
right status_code and error_code. Everything runs twice: signed with AK/SK, and with an IAM
token obtained from the emulator's POST /v3/auth/tokens and sent as X-Auth-Token.

Message-plane operations are guarded: while their route answers 404 DMS.00404001 ("The
requested URL does not exist") they count as "not served yet", not as passed.

Usage:
    conformance.py --endpoint http://127.0.0.1:PORT --ak AK --sk SK --project-id PID \
        --iam-user DOMAIN/USER:PASSWORD [--project-name NAME] [--fault-admin] [--verbose]

The last line printed is the summary, `conformance: N passed, M failed, K not served yet`;
the exit status is 0 only when nothing failed.
"""

import argparse
import json
import sys
import time
import traceback
import urllib.error
import urllib.request
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials, Credentials
from huaweicloudsdkcore.client import ClientBuilder
from huaweicloudsdkcore.exceptions.exceptions import (
    ClientRequestException,
    ServerResponseException,
)
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkcore.signer.signer import Signer
from huaweicloudsdkrocketmq.v2 import *  # noqa: F401,F403 (the SDK's request and model classes)
import huaweicloudsdkrocketmq.v2
from huaweicloudsdkrocketmq.v2 import RocketMQAsyncClient, RocketMQClient

# The emulator's three AZs (the API reference's example ids); the third is the default.
AZ_IDS = [
    "8c90c2a4e2594c0782faa6b205afeca7",
    "d539378ec1314c85b76fefa3f7071458",
    "9f1c5806706d4c1fb0eb72f0a9b18c77",
]
DEFAULT_AZ = AZ_IDS[2]
ULTRA = "dms.physical.storage.ultra.v2"
NO_ROUTE = "DMS.00404001"
# Quotes, a backslash and non-ASCII text travel JSON-escaped (the SDK escapes non-ASCII).
RENAMED_DESCRIPTION = 'renamed by the "SDK" \\ 测试实例'


class NotServed(Exception):
    """The route answered 404 DMS.00404001: the operation is not served (yet)."""


class Failure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def equal(actual, expected, what):
    if actual != expected:
        raise Failure("%s: expected %r, got %r" % (what, expected, actual))


def wire(response):
    """The raw JSON body of an SDK response (None when there is none)."""
    raw = getattr(response, "raw_content", None)
    if not raw:
        return None
    return json.loads(raw.decode("utf-8"))


class TokenCredentials(Credentials):
    """Project-scoped IAM token authentication: sends X-Auth-Token and does not sign.

    The SDK's own credential classes only sign with AK/SK (or fetch temporary AK/SK from
    metadata or STS); a token is used by adding the header, as the API reference describes.
    """

    def __init__(self, token, project_id):
        super().__init__()
        self.token = token
        self.project_id = project_id

    def get_update_path_params(self):
        return {"project_id": self.project_id}

    def process_auth_params(self, http_client, region_id):
        return self

    def process_auth_request(self, request, http_client):
        return http_client.executor.submit(self.sign_request, request)

    def sign_request(self, request):
        request.header_params["X-Auth-Token"] = self.token
        Signer.process_request_uri(request)
        return request


def http_config():
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    config.timeout = (10, 60)
    return config


def aksk_client(endpoint, ak, sk, project_id):
    return aksk_client_with(endpoint, BasicCredentials(ak, sk, project_id))


def aksk_client_with(endpoint, credentials):
    return (
        RocketMQClient.new_builder()
        .with_http_config(http_config())
        .with_credentials(credentials)
        .with_endpoint(endpoint)
        .build()
    )


def discovering_client(endpoint, ak, sk, region_id):
    """AK/SK credentials without a project id, and a region: the SDK asks IAM
    (GET /v3/projects?name={region}, here the emulator itself) for the project id."""
    credentials = BasicCredentials(ak, sk).with_iam_endpoint(endpoint)
    client = (
        RocketMQClient.new_builder()
        .with_http_config(http_config())
        .with_credentials(credentials)
        .with_region(Region(region_id, endpoint))
        .build()
    )
    return client, credentials


def token_client(endpoint, token, project_id):
    return (
        ClientBuilder(RocketMQClient, TokenCredentials.__name__)
        .with_http_config(http_config())
        .with_credentials(TokenCredentials(token, project_id))
        .with_endpoint(endpoint)
        .build()
    )


def obtain_token(endpoint, domain, user, password, project_name):
    """POST /v3/auth/tokens with the password method and a project scope; the token comes
    back in X-Subject-Token with status 201."""
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": user, "password": password, "domain": {"name": domain}}
                },
            },
            "scope": {"project": {"name": project_name}},
        }
    }
    request = urllib.request.Request(
        endpoint.rstrip("/") + "/v3/auth/tokens",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json;charset=utf8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        if answer.status != 201:
            raise Failure("POST /v3/auth/tokens answered %d, expected 201" % answer.status)
        token = answer.headers.get("X-Subject-Token")
        document = json.loads(answer.read().decode("utf-8"))
    if not token:
        raise Failure("POST /v3/auth/tokens gave no X-Subject-Token header")
    return token, document


class Report:
    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = []
        self.failed = []
        self.not_served = []

    def run(self, label, step, plane=False):
        """Runs one check; returns its result, or None when it did not pass."""
        try:
            result = step()
        except NotServed:
            if plane:
                self.not_served.append(label)
                print("NOT SERVED YET  %s" % label, flush=True)
            else:
                self.failed.append(label)
                print("FAIL  %s: the route answered 404 %s" % (label, NO_ROUTE), flush=True)
            return None
        except (Failure, ClientRequestException, ServerResponseException) as error:
            self.failed.append(label)
            print("FAIL  %s: %s" % (label, describe(error)), flush=True)
            return None
        except Exception as error:  # noqa: BLE001 (any SDK or decoding error is a failure)
            self.failed.append(label)
            print("FAIL  %s: %s: %s" % (label, type(error).__name__, error), flush=True)
            if self.verbose:
                traceback.print_exc()
            return None
        self.passed.append(label)
        if self.verbose:
            print("ok    %s" % label, flush=True)
        return result if result is not None else True


def describe(error):
    if isinstance(error, (ClientRequestException, ServerResponseException)):
        return "%s status=%s error_code=%s error_msg=%s" % (
            type(error).__name__,
            error.status_code,
            error.error_code,
            error.error_msg,
        )
    return str(error)


# SDK operations with no endpoint in the API reference (diagnosis, background and scheduled
# tasks, recycle bin, SSL switch, DNS, automatic volume expansion): not emulated, not called.
OUT_OF_SCOPE = {
    "batch_delete_diagnosis_records",
    "batch_delete_diagnosis_records_for_rocket_mq",
    "create_diagnosis_task",
    "create_diagnosis_task_for_rocket_mq",
    "list_diagnosis_reports",
    "list_diagnosis_reports_for_rocket_mq",
    "show_diagnosis_report",
    "show_diagnosis_report_for_rocket_mq",
    "show_diagnosis_stack",
    "show_diagnosis_stack_for_rocket_mq",
    "delete_background_task",
    "list_background_tasks",
    "show_background_task",
    "show_background_task_progress",
    "delete_scheduled_task",
    "list_scheduled_tasks",
    "update_scheduled_task",
    "modify_recycle_policy",
    "restore_recycle_instance",
    "show_recycle_instances",
    "modify_instance_ssl_config",
    "enable_dns",
    "show_volume_expand_config",
    "update_volume_expansion_config",
}

# The SDK operations called so far.
CALLED = set()


def sdk_operations():
    """Every operation of RocketMQClient (the methods that have an `_<op>_http_info`)."""
    return {
        name[1 : -len("_http_info")]
        for name in dir(RocketMQClient)
        if name.startswith("_") and name.endswith("_http_info") and not name.startswith("__")
    }


# Wire fields that the SDK's response models do not declare, per operation (informational:
# the reference documents fields the SDK lacks, and clients must ignore unknown fields).
UNDECLARED = {}


def undeclared(model, raw, path, found):
    """Collects the keys of `raw` that `model` (an SDK model object) does not declare."""
    if not hasattr(model, "attribute_map") or not isinstance(raw, dict):
        return
    known = set(model.attribute_map.values())
    for key in raw:
        if key not in known:
            found.add(path + key)
    for attribute, key in model.attribute_map.items():
        value = getattr(model, attribute, None)
        if isinstance(value, list) and isinstance(raw.get(key), list):
            for item, raw_item in zip(value, raw[key]):
                undeclared(item, raw_item, path + key + "[].", found)
        else:
            undeclared(value, raw.get(key), path + key + ".", found)


PRIMITIVES = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "object": lambda v: True,
}


def mistyped(type_name, raw, path, found):
    """Collects wire values whose JSON type is not the SDK model's type. The SDK converts
    silently (`str(3)`, `int("3")`, and `bool("false")`, which is True), so a mistyped field
    is a real difference even when the call "works"."""
    if raw is None:
        return
    if type_name in PRIMITIVES:
        if not PRIMITIVES[type_name](raw):
            found.append("%s is %s, the SDK expects %s" % (path or "the body", json.dumps(raw)[:40], type_name))
        return
    if type_name.startswith("list["):
        if not isinstance(raw, list):
            found.append("%s is not a list" % path)
            return
        for index, item in enumerate(raw):
            mistyped(type_name[5:-1], item, "%s[%d]" % (path, index), found)
        return
    if type_name.startswith("dict("):
        if not isinstance(raw, dict):
            found.append("%s is not an object" % path)
        return
    model = getattr(huaweicloudsdkrocketmq.v2, type_name, None)
    if model is None:
        return
    if not isinstance(raw, dict):
        found.append("%s is not an object" % (path or "the body"))
        return
    for attribute, attribute_type in model.openapi_types.items():
        key = model.attribute_map[attribute]
        mistyped(attribute_type, raw.get(key), (path + "." if path else "") + key, found)


def call(client, operation, request):
    """Calls `client.operation(request)`; 404 DMS.00404001 becomes NotServed."""
    CALLED.add(operation)
    try:
        response = getattr(client, operation)(request)
    except ClientRequestException as error:
        if error.status_code == 404 and error.error_code == NO_ROUTE:
            raise NotServed() from error
        raise
    try:
        body = wire(response)
    except ValueError:
        raise Failure("%s: the body is not JSON: %r" % (operation, response.raw_content[:200]))
    found = set()
    undeclared(response, body, "", found)
    if found:
        UNDECLARED.setdefault(operation, set()).update(found)
    wrong = []
    mistyped(type(response).__name__, body, "", wrong)
    if wrong:
        raise Failure("%s: wire types differ from the SDK model: %s" % (operation, "; ".join(wrong)))
    return response


def expect_error(client, operation, request, status, code, server=False):
    """The call must fail with this status and error code, as the right exception class."""
    CALLED.add(operation)
    try:
        getattr(client, operation)(request)
    except ClientRequestException as error:
        check(not server, "expected ServerResponseException, got %s" % describe(error))
        equal(error.status_code, status, "status_code")
        equal(error.error_code, code, "error_code")
        check(error.error_msg, "error_msg is empty")
        check(error.request_id, "the error carries no request id")
        return error
    except ServerResponseException as error:
        check(server, "expected ClientRequestException, got %s" % describe(error))
        equal(error.status_code, status, "status_code")
        equal(error.error_code, code, "error_code")
        check(error.request_id, "the error carries no request id")
        return error
    raise Failure("%s succeeded; expected %d %s" % (operation, status, code))


def call_or_refusal(client, operation, request):
    """For operations whose outcome depends on message-plane state this script cannot set up
    (a consumer's offsets, a dead-letter queue's content): the answer is either the documented
    success model or a documented DMS refusal (400/404 with a DMS.* code, parsed by the SDK
    into a ClientRequestException). Returns the response, or None for a refusal."""
    try:
        return call(client, operation, request)
    except ClientRequestException as error:
        if error.status_code in (400, 404) and str(error.error_code).startswith("DMS.") and error.error_msg:
            return None
        raise


def wait_for(what, probe, timeout=30.0, interval=0.25):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        done, last = probe()
        if done:
            return last
        time.sleep(interval)
    raise Failure("timed out waiting for %s (last: %r)" % (what, last))


class Scenario:
    """One full pass over the API with one client (AK/SK or token)."""

    def __init__(self, mode, client, report, args, engine):
        self.mode = mode
        # `{engine}` path values: `reliability` in one pass, its alias `rocketmq` in the other.
        self.engine = engine
        self.c = client
        self.report = report
        self.args = args
        suffix = uuid.uuid4().hex[:6]
        self.name = "conf-%s-%s" % (mode, suffix)
        self.renamed = "conf-%s-%s-renamed" % (mode, suffix)
        self.instance_id = None
        self.instance_v5 = None
        self.spare_id = None
        self.topic = "topic-%s" % suffix
        self.topic2 = "topic-%s-b" % suffix
        self.topic_odd = "%s|odd%%name" % self.topic
        self.group = "group-%s" % suffix
        self.group2 = "group-%s-b" % suffix
        self.user = "user_%s" % suffix
        self.message_id = None

    def step(self, operation, fn, plane=False):
        return self.report.run("%s %s" % (self.mode, operation), fn, plane)

    # ----------------------------------------------------------------- instances -----

    def run(self):
        s = self.step
        s("list_available_zones", self.list_available_zones)
        s("list_engine_products", self.list_engine_products)
        s("show_rocket_mq_product_cores", self.show_rocket_mq_product_cores)
        s("list_config_features", self.list_config_features)
        if not s("create_instance_by_engine", self.create_instance_by_engine):
            print("      (%s: no instance, the remaining checks cannot run)" % self.mode)
            return
        s("show_instance (CREATING then RUNNING)", self.show_instance_until_running)
        s("list_instances", self.list_instances)
        s("show_rocket_mq_product_cores (instance_id)", self.product_cores_of_instance)
        s("update_instance", self.update_instance)
        s("list_brokers", self.list_brokers)
        s("show_instance_nodes", self.show_instance_nodes)
        s("show_rocket_mq_configs", self.show_rocket_mq_configs)
        s("update_rocket_mq_configs", self.update_rocket_mq_configs)
        s("batch_create_or_delete_rocketmq_tag (create)", self.create_tags)
        s("show_rocketmq_tags", self.show_rocketmq_tags)
        s("show_rocketmq_project_tags", self.show_rocketmq_project_tags)
        s("batch_create_or_delete_rocketmq_tag (delete)", self.delete_tags)
        s("show_quotas", self.show_quotas)
        s("show_ces_hierarchy", self.show_ces_hierarchy)
        # Topics.
        s("create_topic_or_batch_delete_topic (create)", self.create_topics)
        s("list_rocket_instance_topics", self.list_topics)
        s("show_one_topic", self.show_one_topic)
        s("update_topic", self.update_topic)
        # Groups.
        s("create_consumer_group_or_batch_delete_consumer_group (create)", self.create_groups)
        s("list_instance_consumer_groups", self.list_groups)
        s("show_group", self.show_group)
        s("update_consumer_group", self.update_consumer_group)
        s("batch_update_consumer_group", self.batch_update_consumer_group)
        # ACL users and access policies.
        s("create_user", self.create_user)
        s("list_user", self.list_user)
        s("show_user", self.show_user)
        s("update_user", self.update_user)
        s("list_topic_access_policy", self.list_topic_access_policy)
        s("list_consume_group_access_policy", self.list_consume_group_access_policy)
        s(
            "list_consume_group_access_policy_for_rocket_mq",
            self.list_consume_group_access_policy_for_rocket_mq,
        )
        # Metadata migration.
        s("create_rocket_mq_migration_task", self.migration)
        # The message plane.
        self.plane()
        # Error answers.
        self.errors()
        # Deletes of topics, groups and users.
        s("delete_user", self.delete_user)
        s("create_topic_or_batch_delete_topic (action=delete)", self.batch_delete_topics)
        s("delete_topic", self.delete_topic)
        s(
            "create_consumer_group_or_batch_delete_consumer_group (action=delete)",
            self.batch_delete_groups,
        )
        s("delete_consumer_group", self.delete_consumer_group)
        # Life cycle: restart, resize, more creates, deletes.
        s("restart_instance", self.restart_instance)
        s("show_engine_instance_extend_product_info", self.extend_products)
        s(
            "show_engine_instance_extend_product_info_for_rocket_mq",
            self.extend_products_for_rocket_mq,
        )
        s("show_rocket_mq_scale_pre_check_info", self.scale_pre_check)
        s("resize_instance (storage)", self.resize_storage)
        s("resize_instance_for_rocket_mq (horizontal)", self.resize_horizontal)
        s("create_post_paid_instance", self.create_post_paid_instance)
        s("create_post_paid_instance_for_rocket_mq (5.x)", self.create_post_paid_for_rocket_mq)
        s("create_topic_or_batch_delete_topic (5.x message_type)", self.v5_topic)
        s("create_consumer_group_or_batch_delete_consumer_group (5.x consume_orderly)", self.v5_group)
        s("batch_delete_instances (all_failure)", self.batch_delete_all_failure)
        s("batch_delete_instances", self.batch_delete_instances)
        s("delete_instance", self.delete_instance)

    def list_available_zones(self):
        r = call(self.c, "list_available_zones", ListAvailableZonesRequest())
        check(r.region_id, "region_id is empty")
        ids = [z.id for z in r.available_zones]
        equal(sorted(ids), sorted(AZ_IDS), "available zone ids")
        defaults = [z.id for z in r.available_zones if z.default_az]
        equal(defaults, [DEFAULT_AZ], "default AZ")
        for zone in r.available_zones:
            check(zone.sold_out is False, "soldOut (SDK sold_out) must be false, got %r" % zone.sold_out)
            check(zone.name, "AZ name is empty")
            equal(zone.resource_availability, "true", "resource_availability")
            check(isinstance(zone.remain_time, int), "remain_time must be an integer")
        check("soldOut" in wire(r)["available_zones"][0], "the wire name is soldOut")

    def list_engine_products(self):
        r = call(self.c, "list_engine_products", ListEngineProductsRequest(engine="rocketmq", limit=50))
        equal(r.engine, "rocketmq", "engine")
        check("4.8.0" in r.versions and "5.x" in r.versions, "versions %r" % r.versions)
        ids = [p.product_id for p in r.products]
        check("c6.4u8g.cluster" in ids, "c6.4u8g.cluster not among %r" % ids)
        one = call(
            self.c,
            "list_engine_products",
            ListEngineProductsRequest(engine="rocketmq", product_id="c6.4u8g.cluster"),
        )
        equal([p.product_id for p in one.products], ["c6.4u8g.cluster"], "product_id filter")
        product = one.products[0]
        equal(product.type, "cluster", "type")
        check(product.ecs_flavor_id, "ecs_flavor_id is empty")
        check("X86" in (product.arch_types or []), "arch_types %r" % product.arch_types)
        check(product.ios and any(io.io_spec == ULTRA for io in product.ios), "ios lacks %s" % ULTRA)
        check(product.properties is not None, "properties missing")
        equal(product.properties.engine_versions, "4.8.0", "properties.engine_versions")
        v5 = call(
            self.c,
            "list_engine_products",
            ListEngineProductsRequest(engine=self.engine, product_id="rocketmq.b2.large.4"),
        )
        equal([p.product_id for p in v5.products], ["rocketmq.b2.large.4"], "5.x product_id filter")
        equal(v5.products[0].properties.engine_versions, "5.x", "5.x properties.engine_versions")

    def show_rocket_mq_product_cores(self):
        r = call(
            self.c,
            "show_rocket_mq_product_cores",
            ShowRocketMqProductCoresRequest(product_id="c6.4u8g.cluster", broker_num="1"),
        )
        check(isinstance(r.core_num, int) and r.core_num > 0, "core_num %r" % r.core_num)
        two = call(
            self.c,
            "show_rocket_mq_product_cores",
            ShowRocketMqProductCoresRequest(product_id="c6.4u8g.cluster", broker_num="2"),
        )
        check(two.core_num > r.core_num, "cores of 2 brokers (%r) <= of 1 (%r)" % (two.core_num, r.core_num))

    def list_config_features(self):
        r = call(self.c, "list_config_features", ListConfigFeaturesRequest())
        check(r.features, "no features")
        equal(r.total_record, len(r.features), "totalRecord")
        by_id = {f.feature_id: f.status for f in r.features}
        equal(by_id.get("rocketmq.acl"), 1, "rocketmq.acl status (featureId on the wire)")
        check(all(s in (0, 1) for s in by_id.values()), "status values %r" % by_id)

    def product_cores_of_instance(self):
        r = call(
            self.c,
            "show_rocket_mq_product_cores",
            ShowRocketMqProductCoresRequest(instance_id=self.instance_id, product_id="c6.4u8g.cluster", broker_num="1"),
        )
        check(r.core_num and r.core_num > 0, "core_num %r" % r.core_num)
        equal(r.total_extend_storage_space, 600, "total_extend_storage_space (the instance's storage)")

    def instance_body(self, cls, name, **extra):
        fields = dict(
            name=name,
            description="conformance %s" % self.mode,
            engine="reliability",
            engine_version="4.8.0",
            storage_space=600,
            vpc_id=str(uuid.uuid4()),
            subnet_id=str(uuid.uuid4()),
            security_group_id=str(uuid.uuid4()),
            available_zones=[DEFAULT_AZ],
            product_id="c6.4u8g.cluster",
            ssl_enable=False,
            storage_spec_code=ULTRA,
            enterprise_project_id="0",
            enable_acl=True,
            ipv6_enable=False,
            enable_publicip=False,
            publicip_id="",
            broker_num=1,
        )
        fields.update(extra)
        return cls(**fields)

    def create_instance_by_engine(self):
        body = self.instance_body(CreateInstanceByEngineReq, self.name)
        r = call(
            self.c,
            "create_instance_by_engine",
            CreateInstanceByEngineRequest(engine=self.engine, body=body),
        )
        equal(r.status_code, 200, "HTTP status")
        check(r.instance_id and len(r.instance_id) == 36, "instance_id %r" % r.instance_id)
        self.instance_id = r.instance_id
        return True

    def show(self, instance_id=None):
        return call(
            self.c, "show_instance", ShowInstanceRequest(instance_id=instance_id or self.instance_id)
        )

    def wait_running(self, instance_id=None, timeout=30.0):
        def probe():
            r = self.show(instance_id)
            return r.status == "RUNNING", r.status

        wait_for("RUNNING", probe, timeout)
        return self.show(instance_id)

    def show_instance_until_running(self):
        first = self.show()
        check(first.status in ("CREATING", "RUNNING"), "status right after create: %r" % first.status)
        r = self.wait_running()
        equal(r.instance_id, self.instance_id, "instance_id")
        equal(r.name, self.name, "name")
        equal(r.engine, "reliability", "engine")
        equal(r.engine_version, "4.8.0", "engine_version")
        equal(r.product_id, "c6.4u8g.cluster", "product_id")
        equal(r.storage_spec_code, ULTRA, "storage_spec_code")
        equal(r.available_zones, [DEFAULT_AZ], "available_zones")
        equal(r.broker_num, 1, "broker_num")
        equal(r.charging_mode, 1, "charging_mode (pay per use)")
        equal(r.enable_acl, True, "enable_acl")
        equal(r.description, "conformance %s" % self.mode, "description")
        check(r.total_storage_space == 600, "total_storage_space %r" % r.total_storage_space)
        check(r.storage_space and r.storage_space <= 600, "storage_space %r" % r.storage_space)
        check(r.created_at and r.created_at.isdigit(), "created_at must be ms digits: %r" % r.created_at)
        check(abs(int(r.created_at) / 1000 - time.time()) < 600, "created_at %r is not now" % r.created_at)
        check(r.namesrv_address, "namesrv_address is empty")
        check(r.maintain_begin and r.maintain_end, "maintenance window missing")
        check(isinstance(r.used_storage_space, int), "used_storage_space %r" % r.used_storage_space)

    def list_instances(self):
        r = call(
            self.c,
            "list_instances",
            ListInstancesRequest(engine="reliability", name=self.name, exact_match_name="true"),
        )
        equal(r.instance_num, 1, "instance_num")
        equal([i.instance_id for i in r.instances], [self.instance_id], "instances")
        item = r.instances[0]
        equal(item.name, self.name, "name")
        equal(item.status, "RUNNING", "status")
        equal(item.product_id, "c6.4u8g.cluster", "product_id")
        by_status = call(
            self.c, "list_instances", ListInstancesRequest(engine="rocketmq", status="RUNNING", limit=50)
        )
        check(self.instance_id in [i.instance_id for i in by_status.instances], "status filter lost the instance")
        fuzzy = call(self.c, "list_instances", ListInstancesRequest(engine="reliability", name=self.name[:-2]))
        check(self.instance_id in [i.instance_id for i in fuzzy.instances], "fuzzy name filter lost the instance")

    def update_instance(self):
        r = call(
            self.c,
            "update_instance",
            UpdateInstanceRequest(
                instance_id=self.instance_id,
                body=UpdateInstanceReq(name=self.renamed, description=RENAMED_DESCRIPTION),
            ),
        )
        equal(r.status_code, 204, "HTTP status")
        shown = self.show()
        equal(shown.name, self.renamed, "name after update")
        equal(shown.description, RENAMED_DESCRIPTION, "description after update")

    def list_brokers(self):
        r = call(self.c, "list_brokers", ListBrokersRequest(instance_id=self.instance_id))
        equal([b.broker_name for b in r.brokers], ["broker-0"], "broker names")
        ids = r.brokers[0].ids
        check(ids and all(float(i).is_integer() for i in ids), "ids %r" % ids)

    def show_instance_nodes(self):
        r = call(
            self.c,
            "show_instance_nodes",
            ShowInstanceNodesRequest(engine=self.engine, instance_id=self.instance_id),
        )
        check(r.total and r.total >= 1, "total %r" % r.total)
        check(r.nodes, "no nodes")
        check(all(n.id for n in r.nodes), "a node without id")
        brokers = {n.broker_name for n in r.nodes if n.broker_name}
        check("broker-0" in brokers, "broker_name values %r" % brokers)
        check(all(isinstance(n.broker_id, int) for n in r.nodes if n.broker_id is not None), "broker_id not int")
        check(all(n.address for n in r.nodes), "a node without address")

    def configs(self):
        r = call(
            self.c,
            "show_rocket_mq_configs",
            ShowRocketMqConfigsRequest(instance_id=self.instance_id, limit=50),
        )
        return r, {c.name: c for c in r.rocketmq_configs}

    def show_rocket_mq_configs(self):
        _, configs = self.configs()
        check("fileReservedTime" in configs, "no fileReservedTime among %r" % sorted(configs))
        entry = configs["fileReservedTime"]
        equal(entry.value_type, "integer", "value_type")
        check(entry.config_type in ("dynamic", "static"), "config_type %r" % entry.config_type)
        check(isinstance(entry.value, str) and entry.value.isdigit(), "value %r" % entry.value)
        check(entry.valid_values and "~" in entry.valid_values, "valid_values %r" % entry.valid_values)

    def update_rocket_mq_configs(self):
        r = call(
            self.c,
            "update_rocket_mq_configs",
            UpdateRocketMqConfigsRequest(
                instance_id=self.instance_id,
                body=ModifyConfigReq(
                    rocketmq_configs=[RocketMQConfigReq(name="fileReservedTime", value="72")]
                ),
            ),
        )
        equal(r.status_code, 204, "HTTP status")
        _, configs = self.configs()
        equal(configs["fileReservedTime"].value, "72", "fileReservedTime after update")

    def tag_action(self, action, tags):
        return call(
            self.c,
            "batch_create_or_delete_rocketmq_tag",
            BatchCreateOrDeleteRocketmqTagRequest(
                instance_id=self.instance_id,
                body=BatchCreateOrDeleteTagReq(
                    action=action, tags=[TagEntity(key=k, value=v) for k, v in tags]
                ),
            ),
        )

    def create_tags(self):
        r = self.tag_action("create", [("conf-env", "test"), ("conf-mode", self.mode), ("conf-区域", "值 1")])
        equal(r.status_code, 204, "HTTP status")

    def show_rocketmq_tags(self):
        r = call(self.c, "show_rocketmq_tags", ShowRocketmqTagsRequest(instance_id=self.instance_id))
        tags = {(t.key, t.value) for t in r.tags}
        equal(tags, {("conf-env", "test"), ("conf-mode", self.mode), ("conf-区域", "值 1")}, "tags")
        shown = self.show()
        equal({(t.key, t.value) for t in shown.tags or []}, tags, "show_instance tags")

    def show_rocketmq_project_tags(self):
        r = call(self.c, "show_rocketmq_project_tags", ShowRocketmqProjectTagsRequest(limit=50))
        keys = {t.key: t.values for t in r.tags}
        check("conf-env" in keys and "test" in keys["conf-env"], "conf-env/test missing: %r" % keys)
        check("conf-mode" in keys and self.mode in keys["conf-mode"], "conf-mode missing: %r" % keys)

    def delete_tags(self):
        r = self.tag_action("delete", [("conf-env", "test"), ("conf-区域", "值 1")])
        equal(r.status_code, 204, "HTTP status")
        after = call(self.c, "show_rocketmq_tags", ShowRocketmqTagsRequest(instance_id=self.instance_id))
        equal([(t.key, t.value) for t in after.tags], [("conf-mode", self.mode)], "tags after delete")

    def show_quotas(self):
        r = call(self.c, "show_quotas", ShowQuotasRequest())
        check(r.quotas and r.quotas.resources, "no quota resources")
        by_type = {q.type: q for q in r.quotas.resources}
        check("rocketmqInstance" in by_type, "no rocketmqInstance quota among %r" % sorted(by_type))
        rocketmq = by_type["rocketmqInstance"]
        check(isinstance(rocketmq.quota, int) and rocketmq.quota > 0, "quota %r" % rocketmq.quota)
        check(isinstance(rocketmq.used, int) and rocketmq.used >= 1, "used %r" % rocketmq.used)
        # The reference's example has no `used` on the `tags` entry.
        check("tags" in by_type and by_type["tags"].quota > 0, "tags quota missing")

    def show_ces_hierarchy(self):
        r = call(self.c, "show_ces_hierarchy", ShowCesHierarchyRequest(instance_id=self.instance_id))
        check(r.dimensions, "no dimensions")
        check(r.instance_ids and r.instance_ids[0].name == self.instance_id, "instance_ids %r" % r.instance_ids)

    # -------------------------------------------------------------------- topics -----

    def create_topic(self, name, **fields):
        return call(
            self.c,
            "create_topic_or_batch_delete_topic",
            CreateTopicOrBatchDeleteTopicRequest(
                instance_id=self.instance_id, body=CreateTopicOrBatchDeleteTopicReq(name=name, **fields)
            ),
        )

    def create_topics(self):
        r = self.create_topic(
            self.topic,
            brokers=["broker-0"],
            permission="all",
            queues=[CreateTopicReqQueues(broker="broker-0", queue_num=3)],
        )
        equal(r.id, self.topic, "id (the topic name)")
        r2 = self.create_topic(self.topic2, brokers=["broker-0"], queue_num=4, permission="pub")
        equal(r2.id, self.topic2, "id of the second topic")
        r3 = self.create_topic(self.topic_odd, brokers=["broker-0"], queue_num=2)
        equal(r3.id, self.topic_odd, "id of a topic named with | and %")

    def list_topics(self):
        r = call(
            self.c,
            "list_rocket_instance_topics",
            ListRocketInstanceTopicsRequest(instance_id=self.instance_id, limit=50),
        )
        names = [t.name for t in r.topics]
        for name in (self.topic, self.topic2, self.topic_odd):
            check(name in names, "%s not listed in %r" % (name, names))
        equal(r.total, len(names), "total")
        check(r.max and r.max > 0, "max %r" % r.max)
        equal(r.remaining, r.max - r.total, "remaining")
        equal(r.next_offset, -1, "next_offset")
        equal(r.previous_offset, -1, "previous_offset")
        first = next(t for t in r.topics if t.name == self.topic)
        equal(first.total_read_queue_num, 3, "total_read_queue_num")
        equal(first.total_write_queue_num, 3, "total_write_queue_num")
        equal(first.permission, "all", "permission")
        check(isinstance(first.created_at, int) and first.created_at > 0, "created_at %r" % first.created_at)
        page = call(
            self.c,
            "list_rocket_instance_topics",
            ListRocketInstanceTopicsRequest(instance_id=self.instance_id, limit=1, offset=1),
        )
        equal(len(page.topics), 1, "page size")
        equal(page.previous_offset, 0, "previous_offset of page 2")

    def show_one_topic(self):
        r = call(self.c, "show_one_topic", ShowOneTopicRequest(instance_id=self.instance_id, topic=self.topic2))
        equal(r.name, self.topic2, "name")
        equal(r.total_write_queue_num, 4, "total_write_queue_num")
        equal(r.permission, "pub", "permission")
        equal([(b.broker_name, b.read_queue_num, b.write_queue_num) for b in r.brokers], [("broker-0", 4, 4)], "brokers")
        odd = call(self.c, "show_one_topic", ShowOneTopicRequest(instance_id=self.instance_id, topic=self.topic_odd))
        equal(odd.name, self.topic_odd, "name with | and %")

    def update_topic(self):
        r = call(
            self.c,
            "update_topic",
            UpdateTopicRequest(
                instance_id=self.instance_id,
                topic=self.topic,
                body=UpdateTopicReq(read_queue_num=5, write_queue_num=5, permission="sub", topic_desc="by sdk"),
            ),
        )
        equal(r.status_code, 204, "HTTP status")
        shown = call(self.c, "show_one_topic", ShowOneTopicRequest(instance_id=self.instance_id, topic=self.topic))
        equal(shown.total_read_queue_num, 5, "total_read_queue_num after update")
        equal(shown.total_write_queue_num, 5, "total_write_queue_num after update")
        equal(shown.permission, "sub", "permission after update")
        # Back to publish and subscribe for the message plane.
        call(
            self.c,
            "update_topic",
            UpdateTopicRequest(instance_id=self.instance_id, topic=self.topic, body=UpdateTopicReq(permission="all")),
        )

    # -------------------------------------------------------------------- groups -----

    def create_group(self, name, **fields):
        return call(
            self.c,
            "create_consumer_group_or_batch_delete_consumer_group",
            CreateConsumerGroupOrBatchDeleteConsumerGroupRequest(
                instance_id=self.instance_id,
                body=CreateConsumerGroupOrBatchDeleteConsumerGroupReq(name=name, **fields),
            ),
        )

    def create_groups(self):
        r = self.create_group(
            self.group, brokers=["broker-0"], broadcast=False, retry_max_time=16, group_desc="first group"
        )
        equal(r.name, self.group, "name")
        r2 = self.create_group(self.group2, brokers=["broker-0"], broadcast=True, retry_max_time=3, enabled=False)
        equal(r2.name, self.group2, "name of the second group")

    def list_groups(self):
        r = call(
            self.c,
            "list_instance_consumer_groups",
            ListInstanceConsumerGroupsRequest(instance_id=self.instance_id, limit=50),
        )
        names = [g.name for g in r.groups]
        check(self.group in names and self.group2 in names, "groups %r" % names)
        equal(r.total, len(names), "total")
        check(r.max and r.max > 0, "max %r" % r.max)
        equal(r.remaining, r.max - r.total, "remaining")
        first = next(g for g in r.groups if g.name == self.group)
        equal(first.enabled, True, "enabled")
        equal(first.broadcast, False, "broadcast")
        equal(first.brokers, ["broker-0"], "brokers")
        equal(first.retry_max_time, 16, "retry_max_time")
        equal(first.group_desc, "first group", "group_desc")
        check(isinstance(first.created_at, int) and first.created_at > 0, "created_at %r" % first.created_at)
        filtered = call(
            self.c,
            "list_instance_consumer_groups",
            ListInstanceConsumerGroupsRequest(instance_id=self.instance_id, group=self.group2),
        )
        equal([g.name for g in filtered.groups], [self.group2], "group filter")

    def show_group(self):
        r = call(self.c, "show_group", ShowGroupRequest(instance_id=self.instance_id, group=self.group2))
        equal(r.name, self.group2, "name")
        equal(r.enabled, False, "enabled")
        equal(r.broadcast, True, "broadcast")
        equal(r.retry_max_time, 3, "retry_max_time")
        equal(r.brokers, ["broker-0"], "brokers")
        check(isinstance(r.created_at, int) and r.created_at > 0, "created_at %r" % r.created_at)
        check(r.group_online is False, "group_online %r" % r.group_online)

    def update_consumer_group(self):
        r = call(
            self.c,
            "update_consumer_group",
            UpdateConsumerGroupRequest(
                instance_id=self.instance_id,
                group=self.group2,
                body=UpdateConsumerGroup(enabled=True, broadcast=False, retry_max_time=5, group_desc="updated"),
            ),
        )
        equal(r.status_code, 204, "HTTP status")
        shown = call(self.c, "show_group", ShowGroupRequest(instance_id=self.instance_id, group=self.group2))
        equal((shown.enabled, shown.broadcast, shown.retry_max_time, shown.group_desc), (True, False, 5, "updated"), "after update")

    def batch_update_consumer_group(self):
        r = call(
            self.c,
            "batch_update_consumer_group",
            BatchUpdateConsumerGroupRequest(
                instance_id=self.instance_id,
                body=BatchUpdateConsumerGroupReq(
                    groups=[
                        BatchUpdateConsumerGroup(name=self.group, retry_max_time=7, enabled=True, broadcast=False),
                        BatchUpdateConsumerGroup(name=self.group2, retry_max_time=8, enabled=True, broadcast=False),
                    ]
                ),
            ),
        )
        check(r.job_id, "job_id is empty")
        for name, retries in ((self.group, 7), (self.group2, 8)):
            shown = call(self.c, "show_group", ShowGroupRequest(instance_id=self.instance_id, group=name))
            equal(shown.retry_max_time, retries, "%s retry_max_time after batch update" % name)

    # --------------------------------------------------------------------- users -----

    def create_user(self):
        r = call(
            self.c,
            "create_user",
            CreateUserRequest(
                instance_id=self.instance_id,
                body=User(
                    access_key=self.user,
                    secret_key="Secret-%s9" % self.mode,
                    white_remote_address="10.0.0.0/8",
                    admin=False,
                    default_topic_perm="SUB",
                    default_group_perm="DENY",
                    topic_perms=[UserTopicPerms(name=self.topic, perm="PUB|SUB")],
                    group_perms=[UserGroupPerms(name=self.group, perm="SUB")],
                ),
            ),
        )
        equal(r.access_key, self.user, "access_key")
        equal(r.secret_key, "*****", "secret_key (masked)")
        equal(r.white_remote_address, "10.0.0.0/8", "white_remote_address")
        equal(r.default_topic_perm, "SUB", "default_topic_perm")
        equal([(p.name, p.perm) for p in r.topic_perms], [(self.topic, "PUB|SUB")], "topic_perms")
        equal([(p.name, p.perm) for p in r.group_perms], [(self.group, "SUB")], "group_perms")

    def list_user(self):
        r = call(self.c, "list_user", ListUserRequest(instance_id=self.instance_id, limit=10, offset=0))
        equal(r.total, 1, "total")
        equal([u.access_key for u in r.users], [self.user], "users")
        equal(r.users[0].secret_key, "*****", "secret_key (masked)")

    def show_user(self):
        r = call(self.c, "show_user", ShowUserRequest(instance_id=self.instance_id, user_name=self.user))
        equal(r.access_key, self.user, "access_key")
        equal(r.admin, False, "admin")
        equal(r.default_group_perm, "DENY", "default_group_perm")

    def update_user(self):
        r = call(
            self.c,
            "update_user",
            UpdateUserRequest(
                instance_id=self.instance_id,
                user_name=self.user,
                body=User(access_key=self.user, secret_key="", admin=True, default_topic_perm="PUB"),
            ),
        )
        equal(r.admin, True, "admin after update")
        equal(r.default_topic_perm, "PUB", "default_topic_perm after update")
        equal([(p.name, p.perm) for p in r.topic_perms], [(self.topic, "PUB|SUB")], "topic_perms kept")

    def list_topic_access_policy(self):
        r = call(
            self.c,
            "list_topic_access_policy",
            ListTopicAccessPolicyRequest(instance_id=self.instance_id, topic=self.topic),
        )
        equal(r.name, self.topic, "name")
        equal(r.total, 1, "total")
        equal([(p.access_key, p.perm, p.admin) for p in r.policies], [(self.user, "PUB|SUB", True)], "policies")
        other = call(
            self.c,
            "list_topic_access_policy",
            ListTopicAccessPolicyRequest(instance_id=self.instance_id, topic=self.topic2),
        )
        equal([(p.access_key, p.perm) for p in other.policies], [(self.user, "")], "policies without an entry")

    def check_group_policy(self, r):
        equal(r.name, self.group, "name")
        equal(r.total, 1, "total")
        equal([(p.access_key, p.perm) for p in r.policies], [(self.user, "SUB")], "policies")
        equal(r.policies[0].white_remote_address, "10.0.0.0/8", "white_remote_address")

    def list_consume_group_access_policy(self):
        r = call(
            self.c,
            "list_consume_group_access_policy",
            ListConsumeGroupAccessPolicyRequest(engine=self.engine, instance_id=self.instance_id, group=self.group),
        )
        self.check_group_policy(r)

    def list_consume_group_access_policy_for_rocket_mq(self):
        r = call(
            self.c,
            "list_consume_group_access_policy_for_rocket_mq",
            ListConsumeGroupAccessPolicyForRocketMqRequest(instance_id=self.instance_id, group=self.group),
        )
        self.check_group_policy(r)

    # ----------------------------------------------------------------- migration -----

    def migration(self):
        task_name = "task-%s" % uuid.uuid4().hex[:8]
        migrated_topic = "migrated-%s" % self.mode
        migrated_group = "migrated-group-%s" % self.mode
        body = CreateRocketMqMigrationTaskReq(
            topic_config_table={
                migrated_topic: MigrationRocketMqTopicConfig(
                    topic_name=migrated_topic,
                    order=False,
                    perm=6,
                    read_queue_nums=3,
                    write_queue_nums=3,
                    topic_filter_type="SINGLE_TAG",
                    topic_sys_flag=0,
                )
            },
            subscription_group_table={
                migrated_group: MigrationRocketMqSubscriptionGroup(
                    group_name=migrated_group,
                    consume_broadcast_enable=False,
                    consume_enable=True,
                    consume_from_min_enable=True,
                    notify_consumer_ids_changed_enable=True,
                    retry_max_times=2,
                    retry_queue_nums=1,
                    which_broker_when_consume_slow=1,
                )
            },
        )
        r = call(
            self.c,
            "create_rocket_mq_migration_task",
            CreateRocketMqMigrationTaskRequest(
                instance_id=self.instance_id, overwrite="true", name=task_name, type="rocketmq", body=body
            ),
        )
        check(r.task_id, "task_id is empty")
        task_id = r.task_id
        self.report.run("%s list_rocket_mq_migration_task" % self.mode, lambda: self.migration_list(task_id, task_name))
        self.report.run(
            "%s migration applied (topic and group visible)" % self.mode,
            lambda: self.migration_applied(migrated_topic, migrated_group),
        )
        self.report.run(
            "%s batch_delete_rocket_mq_migration_task" % self.mode, lambda: self.migration_delete(task_id)
        )

    def migration_list(self, task_id, task_name):
        def probe():
            r = call(
                self.c,
                "list_rocket_mq_migration_task",
                ListRocketMqMigrationTaskRequest(instance_id=self.instance_id),
            )
            tasks = [t for t in r.task if t.id == task_id]
            return bool(tasks) and tasks[0].status == "finished", (r.total, [(t.id, t.status) for t in r.task])

        wait_for("the migration task to finish", probe, timeout=30)
        one = call(
            self.c,
            "list_rocket_mq_migration_task",
            ListRocketMqMigrationTaskRequest(instance_id=self.instance_id, id=task_id),
        )
        equal(one.total, 1, "total with id")
        task = one.task[0]
        equal((task.id, task.name, task.type, task.status), (task_id, task_name, "rocketmq", "finished"), "task")
        check(task.start_date and task.start_date[4] == "-" and task.start_date[10] == " ", "start_date %r" % task.start_date)

    def migration_applied(self, topic, group):
        t = call(self.c, "show_one_topic", ShowOneTopicRequest(instance_id=self.instance_id, topic=topic))
        equal(t.total_read_queue_num, 3, "migrated topic read queues")
        equal(t.permission, "all", "migrated topic permission (perm 6)")
        g = call(self.c, "show_group", ShowGroupRequest(instance_id=self.instance_id, group=group))
        equal(g.retry_max_time, 2, "migrated group retry_max_time")

    def migration_delete(self, task_id):
        r = call(
            self.c,
            "batch_delete_rocket_mq_migration_task",
            BatchDeleteRocketMqMigrationTaskRequest(
                instance_id=self.instance_id, body=MetadataDeleteReq(task_ids=[task_id, str(uuid.uuid4())])
            ),
        )
        equal(r.success_task_list, [task_id], "success_task_list")
        left = call(
            self.c, "list_rocket_mq_migration_task", ListRocketMqMigrationTaskRequest(instance_id=self.instance_id)
        )
        check(task_id not in [t.id for t in left.task or []], "the task is still listed")

    # ------------------------------------------------------------- message plane -----

    def plane(self):
        p = lambda label, fn: self.step(label, fn, plane=True)  # noqa: E731
        p("send_message", self.send_message)
        p("send_message_for_rocket_mq", self.send_message_for_rocket_mq)
        p("list_messages", self.list_messages)
        p("list_messages_for_rocket_mq", self.list_messages_for_rocket_mq)
        p("list_message_trace", self.list_message_trace)
        p("list_message_trace_for_rocket_mq", self.list_message_trace_for_rocket_mq)
        p("show_topic_status", self.show_topic_status)
        p("list_consumer_group_of_topic", self.list_consumer_group_of_topic)
        p("show_consumer_list_or_details", self.show_consumer_list_or_details)
        p("show_consumer_connections", self.show_consumer_connections)
        p("show_consumer_connections_for_rocket_mq", self.show_consumer_connections_for_rocket_mq)
        p("reset_consume_offset", self.reset_consume_offset)
        p("reset_consume_offset_for_rocket_mq", self.reset_consume_offset_for_rocket_mq)
        p("validate_consumed_message", self.validate_consumed_message)
        p("validate_consumed_message_for_rocket_mq", self.validate_consumed_message_for_rocket_mq)
        p("send_dlq_message", self.send_dlq_message)
        p("send_dlq_message_for_rocket_mq", self.send_dlq_message_for_rocket_mq)

    def message_body(self, text):
        return SendMessageReq(
            topic=self.topic,
            body=text,
            property_list=[
                SendMessageProperties(name="KEYS", value="key-%s" % self.mode),
                SendMessageProperties(name="TAGS", value="tagA"),
            ],
        )

    def check_sent(self, r, text):
        equal(r.topic, self.topic, "topic")
        equal(r.body, text, "body")
        check(r.msg_id, "msg_id is empty")
        check(r.broker_name == "broker-0", "broker_name %r" % r.broker_name)
        check(r.queue_id is not None and 0 <= r.queue_id < 5, "queue_id %r" % r.queue_id)
        check(r.queue_offset is not None and r.queue_offset >= 0, "queue_offset %r" % r.queue_offset)

    def send_message(self):
        text = "hello from the SDK (%s)" % self.mode
        r = call(
            self.c,
            "send_message",
            SendMessageRequest(engine=self.engine, instance_id=self.instance_id, body=self.message_body(text)),
        )
        self.check_sent(r, text)
        self.message_id = r.msg_id

    def send_message_for_rocket_mq(self):
        text = "second message (%s)" % self.mode
        r = call(
            self.c,
            "send_message_for_rocket_mq",
            SendMessageForRocketMqRequest(instance_id=self.instance_id, body=self.message_body(text)),
        )
        self.check_sent(r, text)
        self.message_id = self.message_id or r.msg_id

    def window(self):
        now = int(time.time() * 1000)
        return str(now - 3600 * 1000), str(now + 60 * 1000)

    def check_messages(self, r):
        check(r.total is not None and r.total >= 1, "total %r" % r.total)
        bodies = [m.body for m in r.messages]
        check(any(b and self.mode in b for b in bodies), "our messages are not listed: %r" % bodies)
        for m in r.messages:
            equal(m.topic, self.topic, "message topic")
            check(m.msg_id, "a message without msg_id")
            check(m.store_timestamp and m.store_timestamp > 0, "store_timestamp %r" % m.store_timestamp)

    def list_messages(self):
        start, end = self.window()
        r = call(
            self.c,
            "list_messages",
            ListMessagesRequest(
                engine=self.engine, instance_id=self.instance_id, topic=self.topic, start_time=start, end_time=end, limit=10, offset=0
            ),
        )
        self.check_messages(r)

    def list_messages_for_rocket_mq(self):
        start, end = self.window()
        r = call(
            self.c,
            "list_messages_for_rocket_mq",
            ListMessagesForRocketMqRequest(
                instance_id=self.instance_id, topic=self.topic, start_time=start, end_time=end, limit=10, offset=0
            ),
        )
        self.check_messages(r)

    def traced_id(self):
        # Without a sent message the route is still asked, so that "not served" shows.
        return self.message_id or "7F000001561018B4AAC26B9A0D1D0004"

    def list_message_trace(self):
        r = call(
            self.c,
            "list_message_trace",
            ListMessageTraceRequest(engine=self.engine, instance_id=self.instance_id, msg_id=self.traced_id()),
        )
        check(isinstance(wire(r), dict), "the trace answer must be an object (the SDK drops a bare array)")
        check(r.trace is not None, "no trace list")

    def list_message_trace_for_rocket_mq(self):
        r = call(
            self.c,
            "list_message_trace_for_rocket_mq",
            ListMessageTraceForRocketMqRequest(instance_id=self.instance_id, msg_id=self.traced_id()),
        )
        check(isinstance(wire(r), dict), "the trace answer must be an object (the SDK drops a bare array)")
        check(r.trace is not None, "no trace list")

    def show_topic_status(self):
        r = call(self.c, "show_topic_status", ShowTopicStatusRequest(instance_id=self.instance_id, topic=self.topic))
        check(r.brokers and r.brokers[0].broker_name == "broker-0", "brokers %r" % r.brokers)
        check(r.max_offset is not None and r.max_offset >= 1, "max_offset %r" % r.max_offset)

    def list_consumer_group_of_topic(self):
        r = call(
            self.c,
            "list_consumer_group_of_topic",
            ListConsumerGroupOfTopicRequest(instance_id=self.instance_id, topic=self.topic),
        )
        check(r.groups is not None, "no groups list")

    def show_consumer_list_or_details(self):
        r = call(
            self.c,
            "show_consumer_list_or_details",
            ShowConsumerListOrDetailsRequest(instance_id=self.instance_id, group=self.group),
        )
        check(r.topics is not None, "no topics list (list mode)")
        d = call_or_refusal(
            self.c,
            "show_consumer_list_or_details",
            ShowConsumerListOrDetailsRequest(instance_id=self.instance_id, group=self.group, topic=self.topic),
        )
        if d is not None and d.brokers:
            check(all(b.broker_name for b in d.brokers), "a broker without broker_name (detail mode)")

    def show_consumer_connections(self):
        r = call(
            self.c,
            "show_consumer_connections",
            ShowConsumerConnectionsRequest(instance_id=self.instance_id, group=self.group, is_detail=True),
        )
        equal(r.group_name, self.group, "group_name")
        check(r.clients is not None, "no clients list")

    def show_consumer_connections_for_rocket_mq(self):
        r = call(
            self.c,
            "show_consumer_connections_for_rocket_mq",
            ShowConsumerConnectionsForRocketMqRequest(instance_id=self.instance_id, group=self.group),
        )
        equal(r.group_name, self.group, "group_name")

    def reset_body(self):
        return ResetConsumeOffsetReq(topic=self.topic, timestamp=int(time.time() * 1000) - 3600 * 1000)

    def reset_consume_offset(self):
        r = call_or_refusal(
            self.c,
            "reset_consume_offset",
            ResetConsumeOffsetRequest(
                engine=self.engine, instance_id=self.instance_id, group=self.group, body=self.reset_body()
            ),
        )
        check(r is None or r.queues is not None, "no queues list")

    def reset_consume_offset_for_rocket_mq(self):
        r = call_or_refusal(
            self.c,
            "reset_consume_offset_for_rocket_mq",
            ResetConsumeOffsetForRocketMqRequest(instance_id=self.instance_id, group=self.group, body=self.reset_body()),
        )
        check(r is None or r.queues is not None, "no queues list")

    def resend_body(self):
        return ResendReq(group=self.group, topic=self.topic, client_id="conformance@client", msg_id_list=[self.message_id or "0"])

    def validate_consumed_message(self):
        r = call_or_refusal(
            self.c,
            "validate_consumed_message",
            ValidateConsumedMessageRequest(engine=self.engine, instance_id=self.instance_id, body=self.resend_body()),
        )
        check(r is None or r.resend_results is not None, "no resend_results")

    def validate_consumed_message_for_rocket_mq(self):
        r = call_or_refusal(
            self.c,
            "validate_consumed_message_for_rocket_mq",
            ValidateConsumedMessageForRocketMqRequest(instance_id=self.instance_id, body=self.resend_body()),
        )
        check(r is None or r.resend_results is not None, "no resend_results")

    def dlq_body(self):
        return DeadletterResendReq(topic="%%DLQ%%%s" % self.group, msg_id_list=[self.message_id or "0"])

    def send_dlq_message(self):
        r = call_or_refusal(
            self.c,
            "send_dlq_message",
            SendDlqMessageRequest(engine=self.engine, instance_id=self.instance_id, body=self.dlq_body()),
        )
        check(r is None or r.resend_results is not None, "no resend_results")

    def send_dlq_message_for_rocket_mq(self):
        r = call_or_refusal(
            self.c,
            "send_dlq_message_for_rocket_mq",
            SendDlqMessageForRocketMqRequest(instance_id=self.instance_id, body=self.dlq_body()),
        )
        check(r is None or r.resend_results is not None, "no resend_results")

    # -------------------------------------------------------------------- errors -----

    def errors(self):
        s = self.step
        unknown = str(uuid.uuid4())
        s(
            "error: show_instance of an unknown instance (404 DMS.00404022)",
            lambda: expect_error(self.c, "show_instance", ShowInstanceRequest(instance_id=unknown), 404, "DMS.00404022"),
        )
        s(
            "error: show_instance with a malformed id (400 DMS.00400030)",
            lambda: expect_error(self.c, "show_instance", ShowInstanceRequest(instance_id="not-a-uuid"), 400, "DMS.00400030"),
        )
        s(
            "error: list_instances with limit 99 (400 DMS.10240042)",
            lambda: expect_error(
                self.c, "list_instances", ListInstancesRequest(engine="reliability", limit=99), 400, "DMS.10240042"
            ),
        )
        s(
            "error: create_consumer_group of an existing group (400 DMS.10240018)",
            lambda: expect_error(
                self.c,
                "create_consumer_group_or_batch_delete_consumer_group",
                CreateConsumerGroupOrBatchDeleteConsumerGroupRequest(
                    instance_id=self.instance_id,
                    body=CreateConsumerGroupOrBatchDeleteConsumerGroupReq(name=self.group, brokers=["broker-0"]),
                ),
                400,
                "DMS.10240018",
            ),
        )
        s(
            "error: show_group of an unknown group (404 DMS.10240405)",
            lambda: expect_error(
                self.c, "show_group", ShowGroupRequest(instance_id=self.instance_id, group="no-such-group"), 404, "DMS.10240405"
            ),
        )
        s(
            "error: show_one_topic of an unknown topic (400 DMS.00400876)",
            lambda: expect_error(
                self.c, "show_one_topic", ShowOneTopicRequest(instance_id=self.instance_id, topic="no-such-topic"), 400, "DMS.00400876"
            ),
        )
        s(
            "error: show_user of an unknown user (404 DMS.10240406)",
            lambda: expect_error(
                self.c, "show_user", ShowUserRequest(instance_id=self.instance_id, user_name="nobody_here"), 404, "DMS.10240406"
            ),
        )
        s(
            "error: update_instance to a name with `_` (400 DMS.00400010)",
            lambda: expect_error(
                self.c,
                "update_instance",
                UpdateInstanceRequest(instance_id=self.instance_id, body=UpdateInstanceReq(name="no_underscores")),
                400,
                "DMS.00400010",
            ),
        )
        s(
            "error: create_user with a weak secret (400 DMS.00400019)",
            lambda: expect_error(
                self.c,
                "create_user",
                CreateUserRequest(
                    instance_id=self.instance_id, body=User(access_key="weak_user", secret_key="password")
                ),
                400,
                "DMS.00400019",
            ),
        )
        if self.args.fault_admin:
            s("error: a 500 answer is a ServerResponseException", self.server_error)

    def server_error(self):
        target = str(uuid.uuid4())
        rules = [{"method": "GET", "path": "/v2/*/instances/%s" % target, "error_rate": 1.0, "status": 500, "error_code": "DMS.00500000"}]
        admin(self.args.endpoint, "PUT", rules)
        try:
            expect_error(self.c, "show_instance", ShowInstanceRequest(instance_id=target), 500, "DMS.00500000", server=True)
        finally:
            admin(self.args.endpoint, "DELETE", None)

    # ------------------------------------------------------------- topic/group deletes ---

    def delete_user(self):
        r = call(self.c, "delete_user", DeleteUserRequest(instance_id=self.instance_id, user_name=self.user))
        check(r.status_code in (200, 204), "HTTP status %r" % r.status_code)
        left = call(self.c, "list_user", ListUserRequest(instance_id=self.instance_id))
        equal(left.total, 0, "users after delete")

    def topic_names(self):
        r = call(
            self.c, "list_rocket_instance_topics", ListRocketInstanceTopicsRequest(instance_id=self.instance_id, limit=50)
        )
        return [t.name for t in r.topics]

    def batch_delete_topics(self):
        r = call(
            self.c,
            "create_topic_or_batch_delete_topic",
            CreateTopicOrBatchDeleteTopicRequest(
                instance_id=self.instance_id,
                action="delete",
                body=CreateTopicOrBatchDeleteTopicReq(topics=[self.topic2, self.topic_odd]),
            ),
        )
        check(r.job_id, "job_id is empty")
        names = self.topic_names()
        check(self.topic2 not in names and self.topic_odd not in names, "topics left: %r" % names)

    def delete_topic(self):
        r = call(self.c, "delete_topic", DeleteTopicRequest(instance_id=self.instance_id, topic=self.topic))
        equal(r.status_code, 204, "HTTP status")
        check(self.topic not in self.topic_names(), "the topic is still listed")

    def group_names(self):
        r = call(
            self.c,
            "list_instance_consumer_groups",
            ListInstanceConsumerGroupsRequest(instance_id=self.instance_id, limit=50),
        )
        return [g.name for g in r.groups]

    def batch_delete_groups(self):
        r = call(
            self.c,
            "create_consumer_group_or_batch_delete_consumer_group",
            CreateConsumerGroupOrBatchDeleteConsumerGroupRequest(
                instance_id=self.instance_id,
                action="delete",
                body=CreateConsumerGroupOrBatchDeleteConsumerGroupReq(groups=[self.group2]),
            ),
        )
        check(r.job_id, "job_id is empty")
        check(self.group2 not in self.group_names(), "the group is still listed")

    def delete_consumer_group(self):
        r = call(self.c, "delete_consumer_group", DeleteConsumerGroupRequest(instance_id=self.instance_id, group=self.group))
        equal(r.status_code, 204, "HTTP status")
        check(self.group not in self.group_names(), "the group is still listed")

    # ---------------------------------------------------------- restart and resize ---

    def restart_instance(self):
        r = call(self.c, "restart_instance", RestartInstanceRequest(engine=self.engine, instance_id=self.instance_id))
        equal(r.instance_id, self.instance_id, "instance_id")
        equal(r.result, "success", "result")
        check(r.nodes and all(isinstance(n, str) for n in r.nodes), "nodes %r" % r.nodes)
        check("broker-0" in r.nodes, "nodes %r" % r.nodes)
        status = self.show().status
        check(status in ("RESTARTING", "RUNNING"), "status after restart: %r" % status)
        self.wait_running()

    def check_extend_products(self, r):
        equal(r.engine, "rocketmq", "engine")
        check(r.products, "no products")
        ids = [p.product_id for p in r.products]
        check("c6.8u16g.cluster" in ids, "c6.8u16g.cluster (a bigger flavour) not in %r" % ids)
        product = r.products[0]
        check(product.properties is not None and product.properties.max_broker, "properties.max_broker missing")
        check(product.ios and product.ios[0].io_spec, "ios missing")

    def extend_products(self):
        r = call(
            self.c,
            "show_engine_instance_extend_product_info",
            ShowEngineInstanceExtendProductInfoRequest(engine=self.engine, instance_id=self.instance_id, type="advanced"),
        )
        self.check_extend_products(r)

    def extend_products_for_rocket_mq(self):
        r = call(
            self.c,
            "show_engine_instance_extend_product_info_for_rocket_mq",
            ShowEngineInstanceExtendProductInfoForRocketMqRequest(instance_id=self.instance_id, type="advanced"),
        )
        self.check_extend_products(r)

    def scale_pre_check(self):
        r = call(
            self.c,
            "show_rocket_mq_scale_pre_check_info",
            ShowRocketMqScalePreCheckInfoRequest(instance_id=self.instance_id),
        )
        check(isinstance(r.success, bool), "success %r" % r.success)
        check(r.risk in ("low", "medium", "high"), "risk %r" % r.risk)

    def resize_storage(self):
        r = call(
            self.c,
            "resize_instance",
            ResizeInstanceRequest(
                engine=self.engine,
                instance_id=self.instance_id,
                body=ResizeEngineInstanceReq(oper_type="storage", new_storage_space=800),
            ),
        )
        check(r.job_id, "job_id is empty")
        shown = self.wait_running()
        equal(shown.total_storage_space, 800, "total_storage_space after resize")

    def resize_horizontal(self):
        r = call(
            self.c,
            "resize_instance_for_rocket_mq",
            ResizeInstanceForRocketMqRequest(
                instance_id=self.instance_id,
                body=ResizeEngineInstanceReq(oper_type="horizontal", new_broker_num=2, new_storage_space=1600),
            ),
        )
        check(r.job_id, "job_id is empty")
        shown = self.wait_running()
        equal(shown.broker_num, 2, "broker_num after resize")
        brokers = call(self.c, "list_brokers", ListBrokersRequest(instance_id=self.instance_id))
        equal([b.broker_name for b in brokers.brokers], ["broker-0", "broker-1"], "brokers after resize")

    # ----------------------------------------------------------- creates and deletes -

    def create_post_paid_instance(self):
        body = self.instance_body(CreatePostPaidInstanceReq, self.name + "-pp")
        r = call(self.c, "create_post_paid_instance", CreatePostPaidInstanceRequest(body=body))
        check(r.instance_id, "instance_id is empty")
        self.spare_id = r.instance_id
        shown = self.wait_running(r.instance_id)
        equal(shown.name, self.name + "-pp", "name")

    def create_post_paid_for_rocket_mq(self):
        body = CreateInstanceByEngineReq(
            name=self.name + "-v5",
            engine="reliability",
            engine_version="5.x",
            storage_space=200,
            vpc_id=str(uuid.uuid4()),
            subnet_id=str(uuid.uuid4()),
            security_group_id=str(uuid.uuid4()),
            available_zones=[DEFAULT_AZ],
            product_id="rocketmq.b2.large.4",
            storage_spec_code="dms.physical.storage.high.v2",
            broker_num=1,
        )
        r = call(
            self.c, "create_post_paid_instance_for_rocket_mq", CreatePostPaidInstanceForRocketMqRequest(body=body)
        )
        check(r.instance_id, "instance_id is empty")
        self.instance_v5 = r.instance_id
        shown = self.wait_running(r.instance_id)
        equal(shown.engine_version, "5.x", "engine_version")
        equal(shown.product_id, "rocketmq.b2.large.4", "product_id")
        check(shown.grpc_address, "a 5.x instance has a gRPC address")

    def v5_topic(self):
        check(self.instance_v5, "no 5.x instance")
        name = "fifo-%s" % self.mode
        r = call(
            self.c,
            "create_topic_or_batch_delete_topic",
            CreateTopicOrBatchDeleteTopicRequest(
                instance_id=self.instance_v5, body=CreateTopicOrBatchDeleteTopicReq(name=name, message_type="FIFO")
            ),
        )
        equal(r.id, name, "id")
        shown = call(self.c, "show_one_topic", ShowOneTopicRequest(instance_id=self.instance_v5, topic=name))
        equal(shown.message_type, "FIFO", "message_type")
        listed = call(
            self.c, "list_rocket_instance_topics", ListRocketInstanceTopicsRequest(instance_id=self.instance_v5)
        )
        equal([(t.name, t.message_type) for t in listed.topics], [(name, "FIFO")], "topics")
        equal(listed.max, 4000, "max topics of a 5.x cluster")

    def v5_group(self):
        check(self.instance_v5, "no 5.x instance")
        name = "orderly-%s" % self.mode
        r = call(
            self.c,
            "create_consumer_group_or_batch_delete_consumer_group",
            CreateConsumerGroupOrBatchDeleteConsumerGroupRequest(
                instance_id=self.instance_v5,
                body=CreateConsumerGroupOrBatchDeleteConsumerGroupReq(
                    name=name, consume_orderly=True, broadcast=False, retry_max_time=16, group_desc="orderly"
                ),
            ),
        )
        equal(r.name, name, "name")
        shown = call(self.c, "show_group", ShowGroupRequest(instance_id=self.instance_v5, group=name))
        equal(shown.consume_orderly, True, "consume_orderly")
        equal(shown.group_desc, "orderly", "group_desc")

    def batch_delete_all_failure(self):
        r = call(
            self.c,
            "batch_delete_instances",
            BatchDeleteInstancesRequest(body=BatchDeleteInstanceReq(action="delete", all_failure="reliability")),
        )
        equal(r.status_code, 204, "HTTP status")
        equal(r.results, None, "results (no body)")
        equal(self.show().status, "RUNNING", "a running instance is not a failed creation")

    def batch_delete_instances(self):
        ids = [i for i in (self.spare_id, self.instance_v5) if i]
        check(ids, "no spare instances were created")
        missing = str(uuid.uuid4())
        r = call(
            self.c,
            "batch_delete_instances",
            BatchDeleteInstancesRequest(body=BatchDeleteInstanceReq(instances=ids + [missing], action="delete")),
        )
        results = {x.instance: x.result for x in r.results}
        expected = {i: "success" for i in ids}
        expected[missing] = "failed"
        equal(results, expected, "results")
        for i in ids:
            expect_error(self.c, "show_instance", ShowInstanceRequest(instance_id=i), 404, "DMS.00404022")

    def delete_instance(self):
        r = call(self.c, "delete_instance", DeleteInstanceRequest(instance_id=self.instance_id))
        equal(r.status_code, 204, "HTTP status")
        expect_error(self.c, "show_instance", ShowInstanceRequest(instance_id=self.instance_id), 404, "DMS.00404022")


def admin(endpoint, method, rules):
    data = None if rules is None else json.dumps(rules).encode("utf-8")
    request = urllib.request.Request(
        endpoint.rstrip("/") + "/_emulator/faults",
        data=data,
        headers={"Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--ak", required=True)
    parser.add_argument("--sk", required=True)
    parser.add_argument("--project-id", required=True)
    parser.add_argument("--iam-user", required=True, help="DOMAIN/USER:PASSWORD")
    parser.add_argument("--project-name", default="emulator-region")
    parser.add_argument("--fault-admin", action="store_true", help="the emulator serves /_emulator/faults")
    parser.add_argument(
        "--temporary-credential",
        metavar="AK:SK:SECURITY_TOKEN",
        help="a temporary credential of the same project the emulator accepts with its security token",
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    who, password = args.iam_user.split(":", 1)
    domain, user = who.split("/", 1)

    report = Report(args.verbose)

    # Authentication first: a wrong secret key is refused by the gateway with 401 APIGW.0301.
    wrong = aksk_client(args.endpoint, args.ak, args.sk + "-wrong", args.project_id)
    report.run(
        "auth: a wrong secret key is refused (401 APIGW.0301)",
        lambda: expect_error(wrong, "list_instances", ListInstancesRequest(engine="reliability"), 401, "APIGW.0301"),
    )
    bogus = token_client(args.endpoint, "MIIbogus" + uuid.uuid4().hex, args.project_id)
    report.run(
        "auth: an unknown token is refused (401 DMS.10240101)",
        lambda: expect_error(bogus, "list_instances", ListInstancesRequest(engine="reliability"), 401, "DMS.10240101"),
    )

    def token():
        value, document = obtain_token(args.endpoint, domain, user, password, args.project_name)
        equal(document["token"]["project"]["id"], args.project_id, "token project id")
        return value

    issued = report.run("auth: POST /v3/auth/tokens issues a project-scoped token", token)

    foreign = aksk_client(args.endpoint, args.ak, args.sk, "f" * 32)
    report.run(
        "auth: a project that is not the key's is refused (401 DMS.10240104)",
        lambda: expect_error(foreign, "list_instances", ListInstancesRequest(engine="reliability"), 401, "DMS.10240104"),
    )

    def discovery():
        client, credentials = discovering_client(args.endpoint, args.ak, args.sk, args.project_name)
        equal(credentials.project_id, args.project_id, "the project id found through IAM")
        r = call(client, "list_instances", ListInstancesRequest(engine="reliability"))
        check(r.instances is not None, "no instance list")

    report.run("auth: the SDK finds the project id through IAM GET /v3/projects", discovery)

    def asynchronous():
        client = (
            RocketMQAsyncClient.new_builder()
            .with_http_config(http_config())
            .with_credentials(BasicCredentials(args.ak, args.sk, args.project_id))
            .with_endpoint(args.endpoint)
            .build()
        )
        CALLED.add("list_instances")
        futures = [
            client.list_instances_async(ListInstancesRequest(engine="reliability", limit=1)) for _ in range(4)
        ]
        for future in futures:
            r = future.result()
            check(r.instance_num is not None, "no instance_num")

    report.run("auth: the SDK's async client, four calls at once", asynchronous)

    if args.temporary_credential:
        temp_ak, temp_sk, security_token = args.temporary_credential.split(":", 2)

        def temporary():
            credentials = BasicCredentials(temp_ak, temp_sk, args.project_id).with_security_token(security_token)
            r = call(aksk_client_with(args.endpoint, credentials), "list_instances", ListInstancesRequest(engine="reliability"))
            check(r.instances is not None, "no instance list")
            without = aksk_client(args.endpoint, temp_ak, temp_sk, args.project_id)
            expect_error(without, "list_instances", ListInstancesRequest(engine="reliability"), 401, "APIGW.0301")

        report.run("auth: a temporary AK/SK signs with X-Security-Token (and fails without it)", temporary)

    aksk = aksk_client(args.endpoint, args.ak, args.sk, args.project_id)
    Scenario("aksk", aksk, report, args, engine="reliability").run()
    if isinstance(issued, str):
        Scenario("token", token_client(args.endpoint, issued, args.project_id), report, args, engine="rocketmq").run()

    def coverage():
        in_scope = sdk_operations() - OUT_OF_SCOPE
        missing = sorted(in_scope - CALLED)
        check(not missing, "SDK operations never called: %s" % ", ".join(missing))
        return len(in_scope)

    covered = report.run("coverage: every in-scope SDK operation was called", coverage)
    if isinstance(covered, int):
        print(
            "\nSDK operations: %d called of %d (%d without an endpoint in the API reference: not emulated)"
            % (len(CALLED & sdk_operations()), len(sdk_operations()), len(OUT_OF_SCOPE))
        )

    if args.verbose and UNDECLARED:
        print("\nwire fields the SDK models do not declare (ignored by the SDK):")
        for operation in sorted(UNDECLARED):
            print("  %s: %s" % (operation, ", ".join(sorted(UNDECLARED[operation]))))
    if report.failed:
        print("\nfailed:")
        for label in report.failed:
            print("  " + label)
    if report.not_served:
        print("\nnot served yet (message plane):")
        for label in report.not_served:
            print("  " + label)
    print(
        "\nconformance: %d passed, %d failed, %d not served yet"
        % (len(report.passed), len(report.failed), len(report.not_served)),
        flush=True,
    )
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
