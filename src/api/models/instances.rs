//! Instances (API reference §5.1, §8.1.1, §8.2.1): the instance object, its lists, brokers,
//! and the bodies that create, change and batch-delete instances. Every instance field is
//! optional on the wire: 4.8.0 and 5.x carry different subsets and the SDK adds its own.

use serde::{Deserialize, Serialize};

use super::common::{Tag, int_list};
use crate::api::de;

/// One RocketMQ instance: the 60 fields of the reference plus the SDK-only ones. Huawei schema:
/// `ShowInstanceResp` (SDK `InstanceDetail` in lists, `ShowInstanceResponse` when fetched alone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Instance {
    /// Instance name.
    #[serde(deserialize_with = "de::string")]
    pub name: String,
    /// Engine: `rocketmq` or its alias `reliability`.
    #[serde(deserialize_with = "de::string")]
    pub engine: String,
    /// Status, e.g. `RUNNING` (see `api/instance-status.tsv`).
    #[serde(deserialize_with = "de::string")]
    pub status: String,
    /// Description.
    #[serde(deserialize_with = "de::string")]
    pub description: String,
    /// `single`, `cluster` (4.8.0); `single.basic`, `cluster.basic`, `cluster.professional`.
    #[serde(rename = "type", deserialize_with = "de::string")]
    pub instance_type: String,
    /// Human-readable specification, e.g. `c6.4u8g.cluster * 1 broker`.
    #[serde(deserialize_with = "de::string")]
    pub specification: String,
    /// `4.8.0` or `5.x`.
    #[serde(deserialize_with = "de::string")]
    pub engine_version: String,
    /// Instance id (not always a well-formed UUID in examples; never validated).
    #[serde(deserialize_with = "de::string")]
    pub instance_id: String,
    /// 1 = pay-per-use, 0 = yearly/monthly.
    #[serde(deserialize_with = "de::opt_int")]
    pub charging_mode: Option<i64>,
    /// VPC id.
    #[serde(deserialize_with = "de::string")]
    pub vpc_id: String,
    /// VPC name.
    #[serde(deserialize_with = "de::string")]
    pub vpc_name: String,
    /// Creation time: epoch milliseconds in a decimal string (see [`Self::created_at_millis`]).
    #[serde(deserialize_with = "de::string")]
    pub created_at: String,
    /// Flavour, e.g. `c6.4u8g.cluster` or `rocketmq.b1.large.1`.
    #[serde(deserialize_with = "de::string")]
    pub product_id: String,
    /// Security group id.
    #[serde(deserialize_with = "de::string")]
    pub security_group_id: String,
    /// Security group name.
    #[serde(deserialize_with = "de::string")]
    pub security_group_name: String,
    /// Subnet id.
    #[serde(deserialize_with = "de::string")]
    pub subnet_id: String,
    /// Subnet name (absent from SDK `InstanceDetail`).
    #[serde(deserialize_with = "de::string")]
    pub subnet_name: String,
    /// Subnet CIDR (5.x only).
    #[serde(deserialize_with = "de::string")]
    pub subnet_cidr: String,
    /// Availability zone ids.
    #[serde(deserialize_with = "de::string_list")]
    pub available_zones: Vec<String>,
    /// Availability zone names.
    #[serde(deserialize_with = "de::string_list")]
    pub available_zone_names: Vec<String>,
    /// User id.
    #[serde(deserialize_with = "de::string")]
    pub user_id: String,
    /// User name.
    #[serde(deserialize_with = "de::string")]
    pub user_name: String,
    /// Maintenance window start, `HH:mm:ss`.
    #[serde(deserialize_with = "de::string")]
    pub maintain_begin: String,
    /// Maintenance window end, `HH:mm:ss`.
    #[serde(deserialize_with = "de::string")]
    pub maintain_end: String,
    /// Message collection enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub enable_log_collection: bool,
    /// Storage space in GB.
    #[serde(deserialize_with = "de::int")]
    pub storage_space: i64,
    /// Used storage space in GB.
    #[serde(deserialize_with = "de::int")]
    pub used_storage_space: i64,
    /// Public access enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub enable_publicip: bool,
    /// EIP ids, comma-separated.
    #[serde(deserialize_with = "de::string")]
    pub publicip_id: String,
    /// Public IP address(es).
    #[serde(deserialize_with = "de::string")]
    pub publicip_address: String,
    /// SSL enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub ssl_enable: bool,
    /// JSON in a string (private IP → advertised address and ports); its layout varies, so it
    /// is kept as sent.
    #[serde(deserialize_with = "de::string")]
    pub cross_vpc_info: String,
    /// Storage resource id.
    #[serde(deserialize_with = "de::string")]
    pub storage_resource_id: String,
    /// Storage class, e.g. `dms.physical.storage.ultra.v2`.
    #[serde(deserialize_with = "de::string")]
    pub storage_spec_code: String,
    /// `advanced` or `dec`.
    #[serde(deserialize_with = "de::string")]
    pub service_type: String,
    /// `hec` or `dss`.
    #[serde(deserialize_with = "de::string")]
    pub storage_type: String,
    /// Extension time.
    #[serde(deserialize_with = "de::int")]
    pub extend_times: i64,
    /// IPv6 enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub ipv6_enable: bool,
    /// Comma-separated feature flags.
    #[serde(deserialize_with = "de::string")]
    pub support_features: String,
    /// Disk encryption enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub disk_encrypted: bool,
    /// Cloud Eye version, e.g. `linux,v1,v2`.
    #[serde(deserialize_with = "de::string")]
    pub ces_version: String,
    /// Node count (4.8.0 per the SDK).
    #[serde(deserialize_with = "de::opt_int")]
    pub node_num: Option<i64>,
    /// New-spec billing enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub new_spec_billing_enable: bool,
    /// ACL enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub enable_acl: bool,
    /// Broker count (4.8.0 only per the reference).
    #[serde(deserialize_with = "de::opt_int")]
    pub broker_num: Option<i64>,
    /// Domain-name access enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub dns_enable: bool,
    /// Name server address(es), `ip:port`.
    #[serde(deserialize_with = "de::string")]
    pub namesrv_address: String,
    /// Name server domain.
    #[serde(deserialize_with = "de::string")]
    pub namesrv_domain_name: String,
    /// Broker address(es).
    #[serde(deserialize_with = "de::string")]
    pub broker_address: String,
    /// Public name server address.
    #[serde(deserialize_with = "de::string")]
    pub public_namesrv_address: String,
    /// Public name server domain.
    #[serde(deserialize_with = "de::string")]
    pub public_namesrv_domain_name: String,
    /// Public broker address.
    #[serde(deserialize_with = "de::string")]
    pub public_broker_address: String,
    /// gRPC address (5.x only).
    #[serde(deserialize_with = "de::string")]
    pub grpc_address: String,
    /// gRPC domain (5.x only).
    #[serde(deserialize_with = "de::string")]
    pub grpc_domain_name: String,
    /// Public gRPC address (5.x only).
    #[serde(deserialize_with = "de::string")]
    pub public_grpc_address: String,
    /// Public gRPC domain (5.x only).
    #[serde(deserialize_with = "de::string")]
    pub public_grpc_domain_name: String,
    /// Enterprise project id.
    #[serde(deserialize_with = "de::string")]
    pub enterprise_project_id: String,
    /// Tags.
    #[serde(deserialize_with = "de::vec")]
    pub tags: Vec<Tag>,
    /// Total storage space in GB.
    #[serde(deserialize_with = "de::int")]
    pub total_storage_space: i64,
    /// Resource specification code.
    #[serde(deserialize_with = "de::string")]
    pub resource_spec_code: String,
    /// SDK only: CPU architecture, `X86` or `ARM`.
    #[serde(deserialize_with = "de::string")]
    pub arch_type: String,
    /// SDK only: IPv6 broker address.
    #[serde(deserialize_with = "de::string")]
    pub ipv6_broker_address: String,
    /// SDK only: IPv6 name server address.
    #[serde(deserialize_with = "de::string")]
    pub ipv6_namesrv_address: String,
    /// SDK only: produce share of the TPS.
    #[serde(deserialize_with = "de::opt_int")]
    pub produce_portion: Option<i64>,
    /// SDK only: consume share of the TPS.
    #[serde(deserialize_with = "de::opt_int")]
    pub consume_portion: Option<i64>,
    /// SDK only: disaster-recovery instance.
    #[serde(deserialize_with = "de::boolean")]
    pub dr_enable: bool,
    /// SDK only: flow-control address.
    #[serde(deserialize_with = "de::string")]
    pub quota_address: String,
    /// SDK only: maximum message TPS.
    #[serde(deserialize_with = "de::opt_int")]
    pub max_msg_process_tps: Option<i64>,
    /// SDK only: changing the SSL setting needs a restart.
    #[serde(deserialize_with = "de::boolean")]
    pub config_ssl_need_restart_process: bool,
    /// SDK only: the security protocol in use.
    #[serde(deserialize_with = "de::string")]
    pub tls_mode: String,
    /// SDK only: elastic TPS enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub enable_elastic_tps: bool,
    /// SDK only (`InstanceDetail`): disk encryption key id.
    #[serde(deserialize_with = "de::string")]
    pub disk_encrypted_key: String,
    /// SDK only (`ShowInstanceResponse`): automatic volume expansion enabled.
    #[serde(deserialize_with = "de::boolean")]
    pub auto_volume_expand_enable: bool,
}

impl Instance {
    /// The total storage in GB: `total_storage_space`, or `storage_space` when the former is
    /// missing.
    pub fn storage_total(&self) -> i64 {
        self.total_storage_space.max(self.storage_space)
    }

    /// The creation time in epoch milliseconds, when `created_at` holds one.
    pub fn created_at_millis(&self) -> Option<i64> {
        self.created_at.trim().parse().ok()
    }

    /// The feature flags of `support_features`.
    pub fn features(&self) -> impl Iterator<Item = &str> {
        self.support_features
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// The list of instances. Huawei schema: `ListInstancesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceList {
    /// The instances of this page.
    #[serde(deserialize_with = "de::vec")]
    pub instances: Vec<Instance>,
    /// The number of instances matching the filters.
    #[serde(deserialize_with = "de::int")]
    pub instance_num: i64,
}

/// Filters and paging of [`crate::api::DmsClient::list_instances`]. Huawei schema:
/// `ListInstancesRequest`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListInstancesQuery {
    /// `rocketmq` or `reliability`; required by the API, so the client's engine is sent when
    /// this is `None`.
    pub engine: Option<String>,
    /// Name filter: a substring match unless `exact_match_name` is true.
    pub name: Option<String>,
    /// Instance id filter.
    pub instance_id: Option<String>,
    /// Status filter.
    pub status: Option<String>,
    /// Whether instances whose creation failed are listed too.
    pub include_failure: Option<bool>,
    /// Whether `name` must match exactly.
    pub exact_match_name: Option<bool>,
    /// Enterprise project filter.
    pub enterprise_project_id: Option<String>,
    /// Page size (1–50, default 10).
    pub limit: Option<u32>,
    /// Offset (from 0).
    pub offset: Option<u32>,
}

/// Yearly/monthly billing of a new instance; leave it out for pay-per-use. Huawei schema:
/// `BssParam`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BssParam {
    /// Renew automatically (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_auto_renew: Option<bool>,
    /// `prePaid` (yearly/monthly) or `postPaid` (pay-per-use, the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charging_mode: Option<String>,
    /// Pay from the account balance automatically (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_auto_pay: Option<bool>,
    /// `month` or `year` (mandatory for `prePaid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_type: Option<String>,
    /// Months 1–9 or years 1–3 (mandatory for `prePaid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_num: Option<u32>,
}

/// The body of [`crate::api::DmsClient::create_instance`]. Huawei schema:
/// `CreateInstanceByEngineReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CreateInstanceReq {
    /// `^[A-Za-z][A-Za-z0-9_-]{3,63}$`.
    pub name: String,
    /// Up to 1024 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `rocketmq` or `reliability`.
    pub engine: String,
    /// `4.8.0` or `5.x`.
    pub engine_version: String,
    /// Storage space in GB.
    pub storage_space: u64,
    /// VPC id.
    pub vpc_id: String,
    /// Subnet id.
    pub subnet_id: String,
    /// Security group id.
    pub security_group_id: String,
    /// Availability zone ids: one, or three or more.
    pub available_zones: Vec<String>,
    /// Flavour, e.g. `c6.4u8g.cluster`.
    pub product_id: String,
    /// SSL access (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssl_enable: Option<bool>,
    /// Storage class, e.g. `dms.physical.storage.ultra.v2`.
    pub storage_spec_code: String,
    /// Enterprise project id (mandatory for enterprise-project accounts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    /// Enable ACL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_acl: Option<bool>,
    /// Enable IPv6.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_enable: Option<bool>,
    /// SDK only: IPv6 broker address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_broker_address: Option<String>,
    /// SDK only: IPv6 name server address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_namesrv_address: Option<String>,
    /// SDK only: enable the proxy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy_enable: Option<bool>,
    /// Enable public access (then `publicip_id` is mandatory).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_publicip: Option<bool>,
    /// SDK only: encrypt the disks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_encrypted_enable: Option<bool>,
    /// SDK only: the disk encryption key id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disk_encrypted_key: Option<String>,
    /// Comma-separated EIP ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publicip_id: Option<String>,
    /// Number of brokers (mandatory per the reference, which documents only 4.8.0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broker_num: Option<u32>,
    /// SDK only: `X86` or `ARM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch_type: Option<String>,
    /// SDK only: security protocol.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_mode: Option<String>,
    /// Yearly/monthly billing; `None` is pay-per-use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bss_param: Option<BssParam>,
}

/// The answer to a create. Huawei schema: `CreateInstanceByEngineResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreatedInstance {
    /// The new instance's id.
    #[serde(deserialize_with = "de::string")]
    pub instance_id: String,
}

/// The body of [`crate::api::DmsClient::update_instance`]; unset fields stay unchanged.
/// Huawei schema: `UpdateInstanceReq`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateInstanceReq {
    /// New name: `^[A-Za-z][A-Za-z0-9-]{3,63}$` (no underscore, unlike create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New description, up to 1024 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New security group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group_id: Option<String>,
    /// ACL on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_acl: Option<bool>,
    /// Public access on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_publicip: Option<bool>,
    /// Comma-separated EIP ids (mandatory when enabling public access).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publicip_id: Option<String>,
    /// SDK only: enterprise project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
}

/// The body of [`crate::api::DmsClient::batch_delete_instances`]. Huawei schema:
/// `BatchDeleteInstanceReq`. Build it with [`Self::instances`] or [`Self::all_failed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchDeleteInstancesReq {
    /// The instance ids (at most 50); empty when `all_failure` is set.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<String>,
    /// Always `delete`.
    pub action: String,
    /// `reliability` deletes every instance of the tenant whose creation failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub all_failure: Option<String>,
    /// SDK only: true bypasses the recycle bin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force_delete: Option<bool>,
}

impl BatchDeleteInstancesReq {
    /// Deletes the instances with these ids.
    pub fn instances(ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            instances: ids.into_iter().map(Into::into).collect(),
            action: "delete".to_owned(),
            all_failure: None,
            force_delete: None,
        }
    }

    /// Deletes every instance of the tenant whose creation failed (DMS answers 204).
    pub fn all_failed() -> Self {
        Self {
            all_failure: Some("reliability".to_owned()),
            ..Self::instances(Vec::<String>::new())
        }
    }
}

/// A batch delete's results; empty after a 204. Huawei schema: `BatchDeleteInstancesResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchDeleteInstancesResult {
    /// One entry per instance.
    #[serde(deserialize_with = "de::vec")]
    pub results: Vec<InstanceDeleteResult>,
}

/// One instance's batch-delete outcome. Huawei schema: `BatchDeleteInstanceRespResults`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InstanceDeleteResult {
    /// `success` or `failed`.
    #[serde(deserialize_with = "de::string")]
    pub result: String,
    /// The instance id.
    #[serde(deserialize_with = "de::string")]
    pub instance: String,
}

/// The brokers of an instance. Huawei schema: `ListBrokersResponse`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrokerList {
    /// The brokers.
    #[serde(deserialize_with = "de::vec")]
    pub brokers: Vec<Broker>,
    /// SDK only: the total count.
    #[serde(deserialize_with = "de::opt_int")]
    pub total: Option<i64>,
    /// SDK only: the offset of the next page, -1 for none.
    #[serde(deserialize_with = "de::opt_int")]
    pub next_offset: Option<i64>,
    /// SDK only: the offset of the previous page, -1 for none.
    #[serde(deserialize_with = "de::opt_int")]
    pub previous_offset: Option<i64>,
}

/// One broker (a master and its replicas). Huawei schema: `ListBrokersRespBrokers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Broker {
    /// The node ids, e.g. `[0, 1, 2]`.
    #[serde(deserialize_with = "int_list")]
    pub ids: Vec<i64>,
    /// The broker name, e.g. `broker-0`.
    #[serde(deserialize_with = "de::string")]
    pub broker_name: String,
}
