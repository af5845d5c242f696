//! Where an instance's processes live: broker nodes, name servers and their addresses, all
//! derived deterministically from the instance document (`_emu.net`, `broker_num`,
//! `product_id`, `enable_publicip`, `ipv6_enable`), so they never need storing separately.
//!
//! Layout: the instance's subnet is `192.168.{o}.0/24` with `o = _emu.net % 250 + 1`.
//! 4.8.0: two name servers (`.11`, `.12`) and, per broker `broker-i`, a master and two slaves
//! (broker ids 0, 1, 2) at `.21 + 3i + j`. 5.x: one broker `broker-0` with one node (single
//! flavours) or three (clusters) at `.21 + j`, each also serving name server and gRPC
//! traffic. Public addresses mirror the private ones under `100.85.{o}.x`.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::catalog;
use super::facts::{broker_count, is_5x};
use crate::emulator::context::format_uuid;

/// One broker node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Node id.
    pub id: String,
    /// `broker-i`.
    pub broker_name: String,
    /// 0 for the master, 1 and up for slaves.
    pub broker_id: i64,
    /// Private IP.
    pub ip: String,
    /// Public IP when public access is on.
    pub public_ip: Option<String>,
    /// The AZ id the node runs in.
    pub zone: String,
}

/// A UUID-shaped id derived from `seed` (stable across restarts).
pub fn derived_uuid(seed: &str) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    format_uuid(bytes)
}

fn octet(doc: &Value) -> i64 {
    doc["_emu"]["net"].as_i64().unwrap_or(0).rem_euclid(250) + 1
}

fn public(doc: &Value, last: i64) -> Option<String> {
    doc["enable_publicip"]
        .as_bool()
        .unwrap_or(false)
        .then(|| format!("100.85.{}.{last}", octet(doc)))
}

/// Nodes per broker: three (master and two slaves) except on single-node 5.x flavours.
pub fn nodes_per_broker(doc: &Value) -> i64 {
    let single =
        catalog::product(doc["product_id"].as_str().unwrap_or("")).is_some_and(|p| !p.is_cluster());
    if single { 1 } else { 3 }
}

/// The broker nodes, broker by broker, master first.
pub fn nodes(doc: &Value) -> Vec<Node> {
    let o = octet(doc);
    let id = doc["instance_id"].as_str().unwrap_or("");
    let zones: Vec<String> = doc["available_zones"]
        .as_array()
        .map(|z| {
            z.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .filter(|z: &Vec<String>| !z.is_empty())
        .unwrap_or_else(|| vec![catalog::default_zone().to_owned()]);
    let per_broker = nodes_per_broker(doc);
    let mut out = Vec::new();
    for broker in 0..broker_count(doc) {
        for replica in 0..per_broker {
            let index = broker * per_broker + replica;
            let last = 21 + index;
            let broker_name = format!("broker-{broker}");
            out.push(Node {
                id: derived_uuid(&format!("{id}/node/{broker_name}/{replica}")),
                broker_name,
                broker_id: replica,
                ip: format!("192.168.{o}.{last}"),
                public_ip: public(doc, last),
                zone: zones[index as usize % zones.len()].clone(),
            });
        }
    }
    out
}

/// The name server IPs: dedicated nodes on 4.8.0, the broker nodes on 5.x.
fn namesrv_ips(doc: &Value) -> Vec<(String, Option<String>)> {
    if is_5x(doc) {
        nodes(doc)
            .into_iter()
            .map(|n| (n.ip, n.public_ip))
            .collect()
    } else {
        let o = octet(doc);
        [11, 12]
            .into_iter()
            .map(|last| (format!("192.168.{o}.{last}"), public(doc, last)))
            .collect()
    }
}

fn join(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(",")
}

/// Rewrites every derived field of the instance document: addresses, `cross_vpc_info`,
/// `node_num`, `subnet_cidr`, `publicip_address`.
pub fn apply(doc: &mut Value) {
    let o = octet(doc);
    let five = is_5x(doc);
    let nodes = nodes(doc);
    let namesrv = namesrv_ips(doc);
    let masters: Vec<&Node> = nodes.iter().filter(|n| n.broker_id == 0).collect();
    let id = doc["instance_id"].as_str().unwrap_or("").to_owned();

    doc["namesrv_address"] = json!(join(namesrv.iter().map(|(ip, _)| format!("{ip}:8100"))));
    doc["broker_address"] = json!(join(masters.iter().map(|n| format!("{}:10100", n.ip))));
    let mut cross = serde_json::Map::new();
    for (ip, _) in &namesrv {
        if !five {
            cross.insert(
                ip.clone(),
                json!({"advertised_ip": ip, "broker_port": "-", "port_id": derived_uuid(&format!("{id}/port/{ip}")), "namesrv_port": "8100"}),
            );
        }
    }
    for node in &nodes {
        cross.insert(
            node.ip.clone(),
            json!({"advertised_ip": node.ip, "broker_port": "10100", "port_id": derived_uuid(&format!("{id}/port/{}", node.ip)), "namesrv_port": if five { "8100" } else { "-" }}),
        );
    }
    doc["cross_vpc_info"] = json!(Value::Object(cross).to_string());

    let public_on = doc["enable_publicip"].as_bool().unwrap_or(false);
    let mut public_ips: Vec<String> = namesrv.iter().filter_map(|(_, p)| p.clone()).collect();
    for node in &nodes {
        if let Some(ip) = &node.public_ip
            && !public_ips.contains(ip)
        {
            public_ips.push(ip.clone());
        }
    }
    let map = doc.as_object_mut().expect("instance documents are objects");
    for key in [
        "public_namesrv_address",
        "public_broker_address",
        "public_grpc_address",
        "grpc_address",
        "subnet_cidr",
        "node_num",
        "ipv6_namesrv_address",
        "ipv6_broker_address",
    ] {
        map.remove(key);
    }
    map.insert(
        "publicip_address".into(),
        json!(if public_on {
            join(public_ips)
        } else {
            String::new()
        }),
    );
    if public_on {
        map.insert(
            "public_namesrv_address".into(),
            json!(join(
                namesrv
                    .iter()
                    .filter_map(|(_, p)| p.as_ref().map(|p| format!("{p}:8200")))
            )),
        );
        map.insert(
            "public_broker_address".into(),
            json!(join(masters.iter().filter_map(|n| {
                n.public_ip.as_ref().map(|p| format!("{p}:10101"))
            }))),
        );
    }
    if five {
        map.insert("subnet_cidr".into(), json!(format!("192.168.{o}.0/24")));
        map.insert(
            "grpc_address".into(),
            json!(join(nodes.iter().map(|n| format!("{}:8080", n.ip)))),
        );
        if public_on {
            map.insert(
                "public_grpc_address".into(),
                json!(join(nodes.iter().filter_map(|n| {
                    n.public_ip.as_ref().map(|p| format!("{p}:8081"))
                }))),
            );
        }
    } else {
        map.insert("node_num".into(), json!(namesrv.len() + nodes.len()));
    }
    if map
        .get("ipv6_enable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        map.insert(
            "ipv6_namesrv_address".into(),
            json!(join(
                namesrv.iter().map(|(ip, _)| format!("[{}]:8100", ipv6(ip)))
            )),
        );
        map.insert(
            "ipv6_broker_address".into(),
            json!(join(
                masters.iter().map(|n| format!("[{}]:10100", ipv6(&n.ip)))
            )),
        );
    }
}

/// The IPv6 twin of a private IPv4 address (`fd00:c0a8:{o}::{last}`).
fn ipv6(ip: &str) -> String {
    let parts: Vec<&str> = ip.split('.').collect();
    format!(
        "fd00:c0a8:{}::{}",
        parts.get(2).unwrap_or(&"0"),
        parts.get(3).unwrap_or(&"0")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_4_8_0_broker_has_a_master_and_two_slaves_and_two_name_servers_serve_it() {
        let mut doc = json!({"instance_id": "i", "engine_version": "4.8.0", "product_id": "c6.4u8g.cluster", "broker_num": 2, "_emu": {"net": 4}, "enable_publicip": false});
        apply(&mut doc);
        let nodes = nodes(&doc);
        assert_eq!(nodes.len(), 6);
        assert_eq!(
            (
                nodes[3].broker_name.as_str(),
                nodes[3].broker_id,
                nodes[3].ip.as_str()
            ),
            ("broker-1", 0, "192.168.5.24")
        );
        assert_eq!(
            doc["namesrv_address"],
            "192.168.5.11:8100,192.168.5.12:8100"
        );
        assert_eq!(
            doc["broker_address"],
            "192.168.5.21:10100,192.168.5.24:10100"
        );
        assert_eq!(doc["node_num"], 8);
        let cross: Value = serde_json::from_str(doc["cross_vpc_info"].as_str().unwrap()).unwrap();
        assert_eq!(cross.as_object().unwrap().len(), 8);
    }

    #[test]
    fn a_single_node_5x_instance_has_one_node_and_a_grpc_address() {
        let mut doc = json!({"instance_id": "i", "engine_version": "5.x", "product_id": "rocketmq.b1.large.1", "_emu": {"net": 0}, "enable_publicip": true});
        apply(&mut doc);
        assert_eq!(nodes(&doc).len(), 1);
        assert_eq!(doc["grpc_address"], "192.168.1.21:8080");
        assert_eq!(doc["public_grpc_address"], "100.85.1.21:8081");
        assert_eq!(doc["subnet_cidr"], "192.168.1.0/24");
        assert!(doc.get("node_num").is_none());
    }
}
