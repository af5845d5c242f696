//! What an instance is made of: [`InstanceSpec`] (from a create body or from the demo-data
//! generator), its validation with the API reference's rules (§5.1.2),
//! and [`create_instance_document`], which writes the instance document.

use serde_json::{Value, json};

use super::{catalog, lifecycle, tags, topology};
use crate::domain::NameRule;
use crate::emulator::context::{Ctx, INSTANCE, is_engine, is_uuid};
use crate::emulator::error::DmsError;

/// The documented instance statuses (API reference 9.3).
pub const STATUSES: [&str; 11] = [
    "CREATING",
    "RUNNING",
    "ERROR",
    "RESTARTING",
    "STARTING",
    "EXTENDING",
    "EXTENDEDFAILED",
    "FROZEN",
    "FREEZING",
    "UPGRADING",
    "ROLLINGBACK",
];

/// The state a new instance starts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialState {
    /// `CREATING`, then `RUNNING` after `seconds` (`None`: the emulator's `create_seconds`).
    Creating {
        /// How long creation takes.
        seconds: Option<u64>,
    },
    /// `RUNNING` at once.
    Running,
    /// A failed creation: status `ERROR`, listed only with `include_failure=true`, removed by
    /// the `all_failure` batch delete.
    CreationFailed,
    /// Any documented status. Transitional ones end like their operations do: `CREATING`,
    /// `STARTING`, `RESTARTING` and `EXTENDING` become `RUNNING`, `FREEZING` becomes `FROZEN`.
    Status(String),
}

/// Everything needed to create an instance. [`InstanceSpec::new`] fills realistic defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSpec {
    /// 4–64 characters: a letter, then letters, digits, `-` and `_`.
    pub name: String,
    /// At most 1024 characters.
    pub description: String,
    /// `reliability` or `rocketmq`.
    pub engine: String,
    /// `4.8.0` or `5.x`.
    pub engine_version: String,
    /// A flavour of [`catalog::PRODUCTS`] of that version.
    pub product_id: String,
    /// Brokers, within the flavour's range (1 for 5.x).
    pub broker_num: i64,
    /// Total storage in GB, a multiple of 100 within the flavour's per-broker range.
    pub storage_space: i64,
    /// One of the flavour's disk types.
    pub storage_spec_code: String,
    /// AZ ids (1, or 3 or more).
    pub available_zones: Vec<String>,
    /// VPC id (UUID).
    pub vpc_id: String,
    /// Subnet id (UUID).
    pub subnet_id: String,
    /// Security group id (UUID).
    pub security_group_id: String,
    /// Enterprise project (`0` by default).
    pub enterprise_project_id: String,
    /// SSL access.
    pub ssl_enable: bool,
    /// ACL.
    pub enable_acl: bool,
    /// IPv6.
    pub ipv6_enable: bool,
    /// Public access; needs `publicip_id`.
    pub enable_publicip: bool,
    /// Comma-separated EIP ids.
    pub publicip_id: String,
    /// Proxy (SDK only).
    pub proxy_enable: bool,
    /// Disk encryption; needs `disk_encrypted_key`.
    pub disk_encrypted: bool,
    /// KMS key id.
    pub disk_encrypted_key: String,
    /// `X86` or `ARM`.
    pub arch_type: String,
    /// `PLAINTEXT`, `SSL` or `PERMISSIVE`; derived from `ssl_enable` when `None`.
    pub tls_mode: Option<String>,
    /// Yearly/monthly billing (`charging_mode` 0) instead of pay-per-use (1).
    pub pre_paid: bool,
    /// Tags (key, value).
    pub tags: Vec<(String, String)>,
    /// The starting state.
    pub initial: InitialState,
    /// `created_at` (default: now).
    pub created_at_ms: Option<i64>,
}

impl InstanceSpec {
    /// A pay-per-use instance named `name` of flavour `product_id` (whose version it takes),
    /// one broker, the flavour's smallest storage rounded up to 600 GB on 4.8.0, in the
    /// default AZ, on networks derived from the name.
    pub fn new(name: &str, product_id: &str) -> Self {
        let product = catalog::product(product_id);
        let version = product.map(|p| p.version).unwrap_or("4.8.0");
        let storage = product
            .map(|p| {
                p.min_storage_per_node
                    .max(if p.is_5x() { 200 } else { 600 })
            })
            .unwrap_or(600);
        let network = |what: &str| topology::derived_uuid(&format!("emulator/{what}"));
        Self {
            name: name.to_owned(),
            description: String::new(),
            engine: "reliability".into(),
            engine_version: version.into(),
            product_id: product_id.into(),
            broker_num: 1,
            storage_space: storage,
            storage_spec_code: "dms.physical.storage.ultra.v2".into(),
            available_zones: vec![catalog::default_zone().into()],
            vpc_id: network("vpc"),
            subnet_id: network("subnet"),
            security_group_id: network("security-group"),
            enterprise_project_id: "0".into(),
            ssl_enable: false,
            enable_acl: false,
            ipv6_enable: false,
            enable_publicip: false,
            publicip_id: String::new(),
            proxy_enable: false,
            disk_encrypted: false,
            disk_encrypted_key: String::new(),
            arch_type: "X86".into(),
            tls_mode: None,
            pre_paid: false,
            tags: Vec::new(),
            initial: InitialState::Creating { seconds: None },
            created_at_ms: None,
        }
    }
}

/// The create rule (`NameRule::INSTANCE`): a letter, then 3–63 letters, digits, `-` or `_`.
pub fn valid_create_name(name: &str) -> bool {
    NameRule::INSTANCE.check(name).is_ok()
}

/// The update rule (§5.1.5, `NameRule::INSTANCE_RENAME`): like create but without `_`.
pub fn valid_update_name(name: &str) -> bool {
    NameRule::INSTANCE_RENAME.check(name).is_ok()
}

/// `DMS.00400060` when another instance of `project` is called `name`.
pub fn check_name_free(
    ctx: &Ctx<'_>,
    project: &str,
    name: &str,
    except: Option<&str>,
) -> Result<(), DmsError> {
    let taken = ctx
        .docs
        .list(INSTANCE, project)?
        .into_iter()
        .any(|(id, doc)| doc["name"] == name && except != Some(id.as_str()));
    if taken {
        return Err(DmsError::of("DMS.00400060").detail(format!("`{name}` is taken.")));
    }
    Ok(())
}

/// Checks the public access pair: `publicip_id` is required when public access is on.
pub fn check_public_ip(enable: bool, publicip_id: &str) -> Result<(), DmsError> {
    if enable && publicip_id.split(',').all(|id| id.trim().is_empty()) {
        return Err(DmsError::of("DMS.00400128").detail(
            "`publicip_id` (comma-separated EIP ids) is required when `enable_publicip` is true.",
        ));
    }
    Ok(())
}

/// Checks every rule of §5.1.2 and the API reference/S.3, the name's uniqueness and the
/// project's instance quota.
pub fn validate(ctx: &Ctx<'_>, project: &str, spec: &InstanceSpec) -> Result<(), DmsError> {
    if !valid_create_name(&spec.name) {
        return Err(DmsError::of("DMS.00400010").detail(format!(
            "Got `{}`; it must also start with a letter.",
            spec.name
        )));
    }
    if spec.description.chars().count() > 1024 {
        return Err(DmsError::of("DMS.00400011"));
    }
    if !is_engine(&spec.engine) {
        return Err(DmsError::of("DMS.00400007").detail(format!(
            "`engine` must be `rocketmq` or `reliability`, got `{}`.",
            spec.engine
        )));
    }
    if !catalog::VERSIONS.contains(&spec.engine_version.as_str()) {
        return Err(DmsError::of("DMS.00400008").detail(format!(
            "`engine_version` must be `4.8.0` or `5.x`, got `{}`.",
            spec.engine_version
        )));
    }
    let product = catalog::product(&spec.product_id).ok_or_else(|| {
        DmsError::of("DMS.00400009").detail(format!("No flavour `{}`.", spec.product_id))
    })?;
    if product.version != spec.engine_version {
        return Err(DmsError::of("DMS.00400022").detail(format!(
            "`{}` is a {} flavour, not {}.",
            product.id, product.version, spec.engine_version
        )));
    }
    if !(product.min_broker..=product.max_broker).contains(&spec.broker_num) {
        return Err(DmsError::bad_body(format!(
            "`broker_num` must be {} to {} for `{}`, got {}.",
            product.min_broker, product.max_broker, product.id, spec.broker_num
        )));
    }
    if !product
        .io_specs()
        .contains(&spec.storage_spec_code.as_str())
    {
        return Err(DmsError::of("DMS.00400125").detail(format!(
            "`storage_spec_code` must be one of {} for `{}`, got `{}`.",
            product.io_specs().join(", "),
            product.id,
            spec.storage_spec_code
        )));
    }
    let (min, max) = (
        product.min_storage_per_node * spec.broker_num,
        product.max_storage_per_node * spec.broker_num,
    );
    if !(min..=max).contains(&spec.storage_space) || spec.storage_space % 100 != 0 {
        return Err(DmsError::of("DMS.00400500").detail(format!(
            "`storage_space` must be a multiple of 100 from {min} to {max} GB for {} × `{}`, got {}.",
            spec.broker_num, product.id, spec.storage_space
        )));
    }
    for (value, empty, missing, what) in [
        (&spec.vpc_id, "DMS.00400013", "DMS.00400068", "vpc_id"),
        (&spec.subnet_id, "DMS.00400016", "DMS.00400018", "subnet_id"),
        (
            &spec.security_group_id,
            "DMS.00400014",
            "DMS.00400046",
            "security_group_id",
        ),
    ] {
        if value.trim().is_empty() {
            return Err(DmsError::of(empty));
        }
        if !is_uuid(value) {
            return Err(DmsError::of(missing).detail(format!("No {what} `{value}`.")));
        }
    }
    check_zones(spec)?;
    check_public_ip(spec.enable_publicip, &spec.publicip_id)?;
    if spec.disk_encrypted && spec.disk_encrypted_key.trim().is_empty() {
        return Err(DmsError::of("DMS.00400136"));
    }
    if !matches!(spec.arch_type.as_str(), "X86" | "ARM") {
        return Err(DmsError::bad_body(format!(
            "`arch_type` must be `X86` or `ARM`, got `{}`.",
            spec.arch_type
        )));
    }
    if let Some(mode) = &spec.tls_mode
        && !matches!(mode.as_str(), "PLAINTEXT" | "SSL" | "PERMISSIVE")
    {
        return Err(DmsError::bad_body(format!(
            "`tls_mode` must be `PLAINTEXT`, `SSL` or `PERMISSIVE`, got `{mode}`."
        )));
    }
    for (index, (key, value)) in spec.tags.iter().enumerate() {
        tags::check_key(key)?;
        tags::check_value(value)?;
        if spec.tags[..index].iter().any(|(k, _)| k == key) {
            return Err(DmsError::of("DMS.10240045").detail(format!("`{key}` is repeated.")));
        }
    }
    if spec.tags.len() as i64 > catalog::TAG_QUOTA {
        return Err(DmsError::of("DMS.10240044"));
    }
    if let InitialState::Status(status) = &spec.initial
        && !STATUSES.contains(&status.as_str())
    {
        return Err(DmsError::bad_body(format!("Unknown status `{status}`.")));
    }
    check_name_free(ctx, project, &spec.name, None)?;
    if ctx.docs.count(INSTANCE, project)? >= catalog::INSTANCE_QUOTA {
        return Err(DmsError::of("DMS.00400035").detail(format!(
            "A project can have {} instances.",
            catalog::INSTANCE_QUOTA
        )));
    }
    Ok(())
}

fn check_zones(spec: &InstanceSpec) -> Result<(), DmsError> {
    let zones = &spec.available_zones;
    if zones.is_empty() || zones.iter().any(|z| z.trim().is_empty()) {
        return Err(DmsError::of("DMS.00400067").detail(
            "`available_zones` must be a non-empty array of AZ ids without empty values.",
        ));
    }
    let mut seen = Vec::new();
    for id in zones {
        let zone = catalog::zone(id)
            .ok_or_else(|| DmsError::of("DMS.00400042").detail(format!("No AZ `{id}`.")))?;
        if seen.contains(&id) {
            return Err(DmsError::of("DMS.00400067").detail(format!("AZ `{id}` is repeated.")));
        }
        seen.push(id);
        if spec.ipv6_enable && !zone.ipv6 {
            return Err(DmsError::of("DMS.00400049").detail(format!("AZ `{}`.", zone.name)));
        }
    }
    if zones.len() == 2 {
        return Err(DmsError::of("DMS.00400067")
            .detail("RocketMQ nodes are placed in 1 AZ or in 3 or more AZs, not 2."));
    }
    Ok(())
}

/// Validates `spec` and writes a new instance of `project`: the document of
/// `GET /v2/{project_id}/instances/{instance_id}` plus `_emu`, with its life-cycle timer when it
/// starts in a transitional state. Returns the stored document (with `_emu`).
///
/// This is how both the create endpoints and the demo-data generator make instances, e.g.
/// `InstanceSpec { initial: InitialState::Creating { seconds: Some(120) }, ..InstanceSpec::new("orders", "c6.4u8g.cluster") }`.
pub fn create_instance_document(
    ctx: &mut Ctx<'_>,
    project: &str,
    spec: &InstanceSpec,
) -> Result<Value, DmsError> {
    validate(ctx, project, spec)?;
    let product = catalog::product(&spec.product_id).expect("validated");
    let id = ctx.uuid();
    let net = ctx.docs.next("instance-net")?;
    let storage_resource_id = ctx.uuid();
    let five = product.is_5x();
    let short = |text: &str| text.chars().take(8).collect::<String>();
    let zone_names: Vec<&str> = spec
        .available_zones
        .iter()
        .filter_map(|z| catalog::zone(z).map(|z| z.name))
        .collect();
    let tls_mode = spec
        .tls_mode
        .clone()
        .unwrap_or_else(|| if spec.ssl_enable { "SSL" } else { "PLAINTEXT" }.to_owned());
    let mut doc = json!({
        "name": spec.name,
        "engine": spec.engine,
        "status": "RUNNING",
        "description": spec.description,
        "type": product.instance_type,
        "specification": product.specification(spec.broker_num),
        "engine_version": spec.engine_version,
        "instance_id": id,
        "charging_mode": if spec.pre_paid { 0 } else { 1 },
        "vpc_id": spec.vpc_id,
        "vpc_name": format!("vpc-{}", short(&spec.vpc_id)),
        "created_at": spec.created_at_ms.unwrap_or(ctx.now_ms).to_string(),
        "product_id": product.id,
        "security_group_id": spec.security_group_id,
        "security_group_name": format!("sg-{}", short(&spec.security_group_id)),
        "subnet_id": spec.subnet_id,
        "subnet_name": format!("subnet-{}", short(&spec.subnet_id)),
        "available_zones": spec.available_zones,
        "available_zone_names": zone_names,
        "user_id": topology::derived_uuid(&format!("user/{project}")).replace('-', ""),
        "user_name": "",
        "maintain_begin": "02:00:00",
        "maintain_end": "06:00:00",
        "enable_log_collection": false,
    });
    let more = json!({
        "storage_space": spec.storage_space * 93 / 100,
        "total_storage_space": spec.storage_space,
        "used_storage_space": 0,
        "enable_publicip": spec.enable_publicip,
        "publicip_id": spec.publicip_id,
        "ssl_enable": spec.ssl_enable,
        "storage_resource_id": storage_resource_id,
        "storage_spec_code": spec.storage_spec_code,
        "service_type": "advanced",
        "storage_type": "hec",
        "extend_times": 0,
        "ipv6_enable": spec.ipv6_enable,
        "support_features": catalog::support_features(product),
        "disk_encrypted": spec.disk_encrypted,
        "ces_version": if five { "linux,v1,v2,v3,v4" } else { "linux,v1,v2" },
        "new_spec_billing_enable": true,
        "enable_acl": spec.enable_acl,
        "dns_enable": false,
        "enterprise_project_id": spec.enterprise_project_id,
        "tags": spec.tags.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
        "resource_spec_code": "",
        "arch_type": spec.arch_type,
        "dr_enable": false,
        "tls_mode": tls_mode,
        "enable_elastic_tps": false,
        "auto_volume_expand_enable": false,
        "config_ssl_need_restart_process": false,
        "_emu": {"net": net, "configs": {}, "creation_failed": false, "proxy_enable": spec.proxy_enable},
    });
    if let (Some(map), Value::Object(more)) = (doc.as_object_mut(), more) {
        map.extend(more);
    }
    if five {
        doc["max_msg_process_tps"] = json!(product.tps);
    } else {
        doc["broker_num"] = json!(spec.broker_num);
    }
    if spec.disk_encrypted {
        doc["disk_encrypted_key"] = json!(spec.disk_encrypted_key);
    }
    topology::apply(&mut doc);
    let settings = ctx.settings;
    let (status, timer) = match &spec.initial {
        InitialState::Running => ("RUNNING".to_owned(), None),
        InitialState::CreationFailed => {
            doc["_emu"]["creation_failed"] = json!(true);
            ("ERROR".to_owned(), None)
        }
        InitialState::Creating { seconds } => (
            "CREATING".to_owned(),
            Some((
                "create",
                seconds.unwrap_or(settings.create_seconds),
                "RUNNING",
            )),
        ),
        InitialState::Status(status) => {
            let timer = match status.as_str() {
                "CREATING" => Some(("create", settings.create_seconds, "RUNNING")),
                "EXTENDING" => Some(("extend", settings.extend_seconds, "RUNNING")),
                "STARTING" | "RESTARTING" => Some(("restart", settings.restart_seconds, "RUNNING")),
                "FREEZING" => Some(("freeze", settings.restart_seconds, "FROZEN")),
                _ => None,
            };
            (status.clone(), timer)
        }
    };
    doc["status"] = json!(status);
    if let Some((job, seconds, then)) = timer {
        lifecycle::schedule(ctx, project, &mut doc, job, seconds, then)?;
    }
    ctx.docs.put(INSTANCE, project, &id, &doc)?;
    Ok(doc)
}
