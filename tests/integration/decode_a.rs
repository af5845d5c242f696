//! The example responses of API reference §5.1–5.3 (as repaired in the API reference), and their
//! documented alternate shapes, decoded through the client's models with `serde_json`.

use dms_console::api::models::common::Job;
use dms_console::api::models::groups::{
    ConsumerClientList, ConsumerGroup, ConsumerGroupList, CreatedConsumerGroup, GroupTopicDetail,
    GroupTopicList, ResetConsumeOffsetResult,
};
use dms_console::api::models::instances::{
    BatchDeleteInstancesResult, BrokerList, CreatedInstance, Instance, InstanceList,
};
use dms_console::api::models::topics::{
    CreatedTopic, Topic, TopicGroupList, TopicList, TopicStatus,
};
use serde::de::DeserializeOwned;

#[track_caller]
fn decode<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("fixture does not decode: {e}"))
}

#[test]
fn the_instance_list_example_decodes_with_its_opaque_cross_vpc_string() {
    let list: InstanceList = decode(include_str!("../fixtures/dms/5.1.1-list-instances.json"));
    assert_eq!(list.instance_num, 1);
    let instance = &list.instances[0];
    assert_eq!(instance.instance_id, "68fdc9a8-805e-439d-8dd9-25adc1c58bf6");
    assert_eq!(instance.engine, "reliability");
    assert_eq!(instance.specification, "c6.4u8g.cluster * 1 broker");
    assert_eq!(instance.total_storage_space, 600);
    assert_eq!(instance.used_storage_space, 28);
    assert_eq!(instance.maintain_begin, "02:00:00");
    assert!(instance.new_spec_billing_enable);
    assert!(!instance.enable_acl, "absent booleans are false");
    assert!(instance.tags.is_empty());
    let cross_vpc: serde_json::Value = serde_json::from_str(&instance.cross_vpc_info).unwrap();
    assert_eq!(cross_vpc["192.168.1.246"]["broker_port"], "10100");
}

#[test]
fn the_create_instance_example_keeps_its_malformed_id_as_is() {
    let created: CreatedInstance =
        decode(include_str!("../fixtures/dms/5.1.2-create-instance.json"));
    assert_eq!(created.instance_id, "8959ab1c-7n1a-yyb1-a05t-93dfc361b32d");
}

#[test]
fn the_show_instance_example_decodes_a_5x_instance() {
    let instance: Instance = decode(include_str!("../fixtures/dms/5.1.3-show-instance.json"));
    assert_eq!(instance.name, "reliability-test");
    assert_eq!(instance.product_id, "rocketmq.b1.large.1");
    assert_eq!(instance.publicip_id, "83924171-7014-48f0-a6b2-c714e7a090dd");
    assert_eq!(instance.public_grpc_address, "100.85.116.211:8081");
    assert_eq!(instance.ces_version, "linux,v1,v2,v3,v4");
    assert_eq!(instance.node_num, None);
    assert_eq!(
        instance.features().collect::<Vec<_>>(),
        vec![
            "rocketmq.acl",
            "message_trace_enable",
            "message_trace_v2_enable"
        ]
    );
}

#[test]
fn instance_fields_accept_strings_for_numbers_and_booleans_and_sdk_only_fields() {
    let instance: Instance = decode(
        r#"{"storage_space": "600", "charging_mode": "0", "ssl_enable": "true",
            "broker_num": null, "tags": {"key": "env", "value": "prod"},
            "arch_type": "ARM", "max_msg_process_tps": 500, "auto_volume_expand_enable": true,
            "disk_encrypted_key": "k-1", "created_at": 1636699753874}"#,
    );
    assert_eq!(instance.storage_space, 600);
    assert_eq!(instance.charging_mode, Some(0));
    assert!(instance.ssl_enable);
    assert_eq!(instance.broker_num, None);
    assert_eq!(instance.tags[0].key, "env");
    assert_eq!(instance.arch_type, "ARM");
    assert_eq!(instance.max_msg_process_tps, Some(500));
    assert!(instance.auto_volume_expand_enable);
    assert_eq!(instance.disk_encrypted_key, "k-1");
    assert_eq!(instance.created_at_millis(), Some(1_636_699_753_874));
}

#[test]
fn the_batch_delete_instances_example_lists_each_result() {
    let result: BatchDeleteInstancesResult = decode(include_str!(
        "../fixtures/dms/5.1.6-batch-delete-instances.json"
    ));
    assert_eq!(result.results[0].result, "success");
    assert_eq!(
        result.results[0].instance,
        "019cacb7-4ff0-4d3c-9f33-f5f7b7fdc0e6"
    );
}

#[test]
fn the_broker_list_example_decodes_its_ids() {
    let brokers: BrokerList = decode(include_str!("../fixtures/dms/5.1.7-list-brokers.json"));
    assert_eq!(brokers.brokers[0].ids, vec![0, 1, 2]);
    assert_eq!(brokers.brokers[0].broker_name, "broker-0");
    let sdk: BrokerList = decode(
        r#"{"brokers": [{"ids": [0.0, "1"], "broker_name": "broker-1"}], "total": 1.0, "next_offset": -1}"#,
    );
    assert_eq!(sdk.brokers[0].ids, vec![0, 1]);
    assert_eq!(sdk.total, Some(1));
    assert_eq!(sdk.next_offset, Some(-1));
}

#[test]
fn the_group_list_example_reads_created_at_from_its_camel_case_key() {
    let list: ConsumerGroupList = decode(include_str!(
        "../fixtures/dms/5.2.1-list-consumer-groups.json"
    ));
    assert_eq!(list.total, 1);
    assert_eq!(list.previous_offset, -1);
    assert_eq!(list.groups[0].name, "group-1");
    assert_eq!(list.groups[0].created_at, Some(1_709_087_952_686));
    assert!(!list.groups[0].consume_orderly);
}

#[test]
fn the_sdk_shaped_group_list_reads_created_at_and_the_sdk_only_fields() {
    let list: ConsumerGroupList = decode(include_str!(
        "../fixtures/dms/5.2.1-list-consumer-groups-sdk.json"
    ));
    let group = &list.groups[0];
    assert_eq!(group.created_at, Some(1_709_087_952_686));
    assert!(group.group_online);
    assert_eq!(group.topic_subscription_count, Some(2));
}

#[test]
fn a_group_with_both_creation_time_keys_decodes_and_prefers_the_sdk_key() {
    let group: ConsumerGroup =
        decode(r#"{"name": "g", "createdAt": 1, "created_at": "2", "retry_max_time": "16"}"#);
    assert_eq!(group.created_at, Some(2));
    assert_eq!(group.retry_max_time, 16);
    let serialised = serde_json::to_value(&group).unwrap();
    assert_eq!(serialised["created_at"], 2);
    assert!(serialised.get("createdAt").is_none());
}

#[test]
fn the_create_and_batch_delete_group_answers_decode() {
    let created: CreatedConsumerGroup = decode(include_str!(
        "../fixtures/dms/5.2.2-create-consumer-group.json"
    ));
    assert_eq!(created.name, "consumer-group-test");
    let job: Job = decode(include_str!(
        "../fixtures/dms/5.2.2-batch-delete-consumer-groups.json"
    ));
    assert_eq!(job.job_id, "8abfa7b27da211df017da340427b0a10");
}

#[test]
fn the_batch_update_groups_example_returns_a_task_id() {
    let job: Job = decode(include_str!(
        "../fixtures/dms/5.2.3-batch-update-consumer-groups.json"
    ));
    assert_eq!(job.job_id, "8abfa7b27da211df017da340427b0979");
}

#[test]
fn the_show_group_example_decodes_its_null_application_fields() {
    let group: ConsumerGroup = decode(include_str!(
        "../fixtures/dms/5.2.5-show-consumer-group.json"
    ));
    assert_eq!(group.name, "test");
    assert!(group.enabled);
    assert_eq!(group.brokers, vec!["broker-0".to_owned()]);
    assert_eq!(group.app_name, None);
    assert_eq!(group.group_desc, "");
}

#[test]
fn both_shapes_of_the_group_consumption_examples_decode() {
    let list: GroupTopicList = decode(include_str!("../fixtures/dms/5.2.7-group-topics-list.json"));
    assert_eq!(list.topics, vec!["topic-test".to_owned()]);
    assert_eq!(list.total, 1);
    let detail: GroupTopicDetail = decode(include_str!(
        "../fixtures/dms/5.2.7-group-topics-detail.json"
    ));
    assert_eq!(detail.lag, 0);
    assert_eq!(detail.max_offset, 1);
    let ids: Vec<i64> = detail.brokers[0].queues.iter().map(|q| q.id).collect();
    assert_eq!(ids, vec![0, 1, 2]);
    assert_eq!(detail.brokers[0].queues[1].consumer_offset, 1);
}

#[test]
fn the_offset_reset_example_lists_the_reset_queues() {
    let result: ResetConsumeOffsetResult = decode(include_str!(
        "../fixtures/dms/5.2.8-reset-consume-offset.json"
    ));
    assert_eq!(result.queues.len(), 1);
    assert_eq!(result.queues[0].broker_name, "broker-1");
    assert_eq!(result.queues[0].timestamp_offset, 0);
}

#[test]
fn the_consumer_clients_example_decodes_subscriptions_and_a_simple_list_has_none() {
    let list: ConsumerClientList = decode(include_str!(
        "../fixtures/dms/5.2.9-list-consumer-clients.json"
    ));
    assert_eq!(list.next_offset, -1);
    assert_eq!(list.clients[0].language, "JAVA");
    assert_eq!(list.clients[0].version, "V4_8_0");
    assert_eq!(list.clients[0].subscriptions[0].kind, "TAG");
    let simple: ConsumerClientList =
        decode(r#"{"group_name": "test", "total": 1, "clients": [{"client_id": "c-1"}]}"#);
    assert_eq!(simple.clients[0].client_id, "c-1");
    assert!(simple.clients[0].subscriptions.is_empty());
}

#[test]
fn the_create_and_batch_delete_topic_answers_decode() {
    let created: CreatedTopic = decode(include_str!("../fixtures/dms/5.3.1-create-topic.json"));
    assert_eq!(created.id, "topic-test");
    let job: Job = decode(include_str!(
        "../fixtures/dms/5.3.1-batch-delete-topics.json"
    ));
    assert_eq!(job.job_id, "8abfa7b27da211df017da340427b0b21");
}

#[test]
fn the_topic_list_example_decodes_its_quota_and_queues() {
    let list: TopicList = decode(include_str!("../fixtures/dms/5.3.2-list-topics.json"));
    assert_eq!(list.total, 3);
    assert_eq!(list.max, 2000);
    assert_eq!(list.topics[0].name, "topic-1");
    assert_eq!(list.topics[1].brokers[0].write_queue_num, 3);
}

#[test]
fn a_topic_list_with_numbers_as_strings_and_a_single_broker_object_decodes() {
    let list: TopicList = decode(include_str!(
        "../fixtures/dms/5.3.2-list-topics-numeric-strings.json"
    ));
    assert_eq!(list.total, 3);
    assert_eq!(list.remaining, 1997);
    assert_eq!(list.next_offset, -1);
    let topic = &list.topics[0];
    assert_eq!(topic.total_read_queue_num, 3);
    assert_eq!(topic.total_write_queue_num, 3);
    assert_eq!(topic.brokers.len(), 1);
    assert_eq!(topic.brokers[0].read_queue_num, 3);
    assert_eq!(topic.created_at, Some(1_709_087_952_686));
}

#[test]
fn the_trailing_comma_numbers_of_the_reference_example_are_rejected_not_zeroed() {
    // The PDF conversion turned `3,` into `"3,"`; the SDK raises on it, and so do we.
    let result = serde_json::from_str::<TopicList>(r#"{"total": "3,", "max": "2000,"}"#);
    assert!(result.is_err());
}

#[test]
fn the_show_topic_example_decodes_without_a_name() {
    let topic: Topic = decode(include_str!("../fixtures/dms/5.3.4-show-topic.json"));
    assert_eq!(topic.name, "");
    assert_eq!(topic.total_write_queue_num, 3);
    assert_eq!(topic.message_type, "NORMAL");
}

#[test]
fn the_topic_groups_example_lists_the_group_names() {
    let groups: TopicGroupList =
        decode(include_str!("../fixtures/dms/5.3.6-list-topic-groups.json"));
    assert_eq!(groups.groups.len(), 2);
    assert_eq!(groups.groups[0], "CID_JODIE_1");
    assert_eq!(groups.total, None);
}

#[test]
fn the_topic_status_decodes_with_brokers_as_a_list_or_a_single_object() {
    let listed: TopicStatus = decode(include_str!("../fixtures/dms/5.3.7-topic-status.json"));
    assert_eq!(listed.max_offset, Some(2));
    assert_eq!(
        listed.brokers[0].queues[0].last_message_time,
        1_662_689_877_152
    );
    let single: TopicStatus = decode(include_str!(
        "../fixtures/dms/5.3.7-topic-status-single-broker.json"
    ));
    assert_eq!(single.min_offset, None);
    assert_eq!(single.brokers, listed.brokers);
    let none: TopicStatus = decode(r#"{"brokers": null}"#);
    assert!(none.brokers.is_empty());
    assert!(serde_json::from_str::<TopicStatus>(r#"{"brokers": "broker-0"}"#).is_err());
}
