//! The example responses of API reference §5.4–§5.11 (as repaired in the catalogue), and the
//! documented alternate shapes, decoded through the client's models.

use dms_console::api::models::configs::RocketMqConfigs;
use dms_console::api::models::extend::ExtendProductList;
use dms_console::api::models::messages::{
    ExportedMessages, MessageList, MessageTraceList, ResendResults, SentMessage,
};
use dms_console::api::models::migration::{
    DeletedMigrationTasks, MigrationMetadata, MigrationTaskCreated, MigrationTaskList,
};
use dms_console::api::models::nodes::{NodeList, RestartResult};
use dms_console::api::models::other::{AvailableZones, ProductCores, ProductList};
use dms_console::api::models::tags::{InstanceTags, ProjectTags};
use dms_console::api::models::users::{AccessPolicyList, User, UserList};

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("does not decode: {e}"))
}

#[test]
fn the_message_query_example_decodes_with_its_properties() {
    let list: MessageList = decode(include_str!("../fixtures/dms/5.4.1-list-messages.json"));
    assert_eq!(list.total, 1);
    let message = &list.messages[0];
    assert_eq!(message.topic, "topic-test");
    assert_eq!(message.body_crc, 1_932_557_065);
    assert_eq!(message.store_size, 175);
    assert_eq!(message.store_host, "192.168.7.201:10100");
    assert_eq!(message.property_list.len(), 4);
    assert_eq!(message.property("CLUSTER"), Some("DmsCluster"));
    assert_eq!(message.property("KEYS"), Some(""));
}

#[test]
fn the_trace_decodes_from_the_envelope_and_from_the_bare_array_alike() {
    let envelope: MessageTraceList =
        decode(include_str!("../fixtures/dms/5.4.2-message-trace.json"));
    let bare: MessageTraceList = decode(include_str!(
        "../fixtures/dms/5.4.2-message-trace-bare-array.json"
    ));
    assert_eq!(envelope.trace, bare.trace);
    assert_eq!(envelope.total, Some(1));
    assert_eq!(envelope.previous_offset, Some(-1));
    assert_eq!(bare.total, None);
    let step = &bare.trace[0];
    assert!(step.success);
    assert_eq!(step.timestamp, 1_634_822_858_013);
    assert_eq!(step.offset_msg_id, "C0A801170000277400000000000000BE12");
    assert_eq!(step.msg_type, "Normal_Msg");
    assert_eq!(step.body_length, 11);
    assert_eq!(step.transaction_id, None);
    assert!(!step.from_transaction_check);
}

#[test]
fn a_trace_field_holding_one_object_and_a_lone_record_become_lists() {
    let one: MessageTraceList = decode(
        r#"{"trace": {"msg_id": "m1", "trace_type": "SubAfter", "cost_time": 1.5, "consume_status": "2"}, "total": "1"}"#,
    );
    assert_eq!(one.trace.len(), 1);
    assert_eq!(one.trace[0].trace_type, "SubAfter");
    assert_eq!(one.trace[0].cost_time, 1.5);
    assert_eq!(one.trace[0].consume_status, 2);
    assert_eq!(one.total, Some(1));
    let lone: MessageTraceList = decode(r#"{"msg_id": "m2", "trace_type": "Pub"}"#);
    assert_eq!(lone.trace[0].msg_id, "m2");
    let empty: MessageTraceList = decode("null");
    assert!(empty.trace.is_empty());
}

#[test]
fn the_dlq_export_decodes_as_an_array_and_as_the_seeds_single_object() {
    let array: ExportedMessages = decode(include_str!(
        "../fixtures/dms/5.4.3-export-dlq-messages.json"
    ));
    let single: ExportedMessages = decode(include_str!(
        "../fixtures/dms/5.4.3-export-dlq-messages-single-object.json"
    ));
    assert_eq!(array, single);
    let message = &array.messages[0];
    assert_eq!(message.msg_id, "C0A8005B00002775000000000000133A2");
    assert_eq!(message.instance_id, "56055acb-3c3b-4481-aeab-10464086c2b4");
    assert_eq!(message.born_timestamp, 1_662_690_324_415);
    assert_eq!(
        message.property("ORIGIN_MESSAGE_ID"),
        Some("C0A8005B000027750000000000000EBAE")
    );
}

#[test]
fn a_property_list_may_be_a_name_to_value_map() {
    let exported: ExportedMessages = decode(
        r#"{"msg_id": "m", "property_list": {"RETRY_TOPIC": "orders", "REAL_QID": 3}, "queue_offset": "7"}"#,
    );
    let message = &exported.messages[0];
    assert_eq!(message.property("RETRY_TOPIC"), Some("orders"));
    assert_eq!(message.property("REAL_QID"), Some("3"));
    assert_eq!(message.queue_offset, 7);
}

#[test]
fn resend_and_verification_results_decode_with_their_success_code() {
    for json in [
        include_str!("../fixtures/dms/5.4.4-deadletter-resend.json"),
        include_str!("../fixtures/dms/5.4.5-verify-consumption.json"),
    ] {
        let results: ResendResults = decode(json);
        assert_eq!(results.resend_results.len(), 1);
        assert_eq!(
            results.resend_results[0].msg_id,
            "C0A8149E00002776000000000000B6835"
        );
        assert!(results.resend_results[0].is_success());
    }
    let failed: ResendResults = decode(
        r#"{"resend_results": {"msg_id": "x", "error_code": "DMS.50050004", "error_message": "offline"}}"#,
    );
    assert!(!failed.resend_results[0].is_success());
}

#[test]
fn the_sdk_send_message_answer_decodes() {
    let sent: SentMessage = decode(include_str!("../fixtures/dms/sdk-send-message.json"));
    assert_eq!(sent.topic, "topic-test");
    assert_eq!(sent.queue_id, 1);
    assert_eq!(sent.property_list[1].value, "TagA");
}

#[test]
fn user_examples_decode_and_both_default_permission_spellings_agree() {
    let created: User = decode(include_str!("../fixtures/dms/5.5.1-create-user.json"));
    let shown: User = decode(include_str!("../fixtures/dms/5.5.4-show-user.json"));
    let table: User = decode(include_str!(
        "../fixtures/dms/5.5.4-show-user-permission-names.json"
    ));
    assert_eq!(created, shown);
    assert_eq!(shown, table);
    assert_eq!(table.default_topic_perm, "SUB");
    assert_eq!(table.default_group_perm, "DENY");
    assert_eq!(table.secret_key, "*****");
    let list: UserList = decode(include_str!("../fixtures/dms/5.5.2-list-users.json"));
    assert_eq!(list.total, 1);
    assert_eq!(list.users[0], shown);
    let both: User = decode(
        r#"{"default_topic_perm": "PUB", "default_topic_permission": "DENY", "group_perms": [{"name": "g", "perm": "PUB|SUB"}]}"#,
    );
    assert_eq!(both.default_topic_perm, "PUB");
    assert_eq!(both.group_perms[0].perm, "PUB|SUB");
}

#[test]
fn access_policies_decode_as_a_list_and_as_a_lone_object() {
    let topic: AccessPolicyList = decode(include_str!(
        "../fixtures/dms/5.5.6-topic-access-policy.json"
    ));
    assert_eq!(topic.name, "test");
    assert_eq!(topic.total, 0);
    assert!(topic.policies.is_empty());
    let group: AccessPolicyList = decode(include_str!(
        "../fixtures/dms/5.5.7-group-access-policy.json"
    ));
    assert_eq!(group.total, 1);
    assert_eq!(group.policies.len(), 1);
    assert_eq!(group.policies[0].access_key, "test_01");
    assert_eq!(group.policies[0].secret_key, "*****");
    assert_eq!(group.policies[0].perm, "");
    assert!(!group.policies[0].admin);
}

#[test]
fn migration_answers_decode() {
    let created: MigrationTaskCreated = decode(include_str!(
        "../fixtures/dms/5.6.1-create-migration-task.json"
    ));
    assert_eq!(created.task_id, "6cf4dcd3-8471-4139-8b5b-8a3a71f704c7");
    let list: MigrationTaskList = decode(include_str!(
        "../fixtures/dms/5.6.2-list-migration-tasks.json"
    ));
    assert_eq!(list.total, 1);
    assert_eq!(list.tasks[0].task_type, "rabbitToRocket");
    assert_eq!(list.tasks[0].start_date, "2023-03-13 19:43:32.12");
    let deleted: DeletedMigrationTasks = decode(include_str!(
        "../fixtures/dms/sdk-batch-delete-migration-tasks.json"
    ));
    assert_eq!(
        deleted.success_task_list,
        vec!["6cf4dcd3-8471-4139-8b5b-8a3a71f704c7"]
    );
}

#[test]
fn a_migration_body_reads_camel_case_and_snake_case_keys_and_writes_camel_case() {
    let camel: MigrationMetadata = decode(
        r#"{"topicConfigTable": {"t1": {"topicName": "t1", "readQueueNums": 3, "perm": "6"}},
            "subscriptionGroupTable": {"g1": {"groupName": "g1", "retryMaxTimes": 2}}}"#,
    );
    let snake: MigrationMetadata = decode(
        r#"{"topic_config_table": {"t1": {"topic_name": "t1", "read_queue_nums": "3", "perm": 6}},
            "subscription_group_table": {"g1": {"group_name": "g1", "retry_max_times": 2}}}"#,
    );
    assert_eq!(camel, snake);
    let topic = &camel.topic_config_table.as_ref().unwrap()["t1"];
    assert_eq!(topic.read_queue_nums, Some(3));
    assert_eq!(topic.perm, Some(6));
    assert_eq!(topic.write_queue_nums, None);
    assert_eq!(
        serde_json::to_value(&snake).unwrap(),
        serde_json::json!({
            "topicConfigTable": {"t1": {"topicName": "t1", "readQueueNums": 3, "perm": 6}},
            "subscriptionGroupTable": {"g1": {"groupName": "g1", "retryMaxTimes": 2}}
        })
    );
}

#[test]
fn config_values_decode_from_numbers_and_from_strings() {
    let numbers: RocketMqConfigs = decode(include_str!("../fixtures/dms/5.7.1-show-configs.json"));
    let strings: RocketMqConfigs = decode(include_str!(
        "../fixtures/dms/5.7.1-show-configs-strings.json"
    ));
    assert_eq!(numbers.rocketmq_configs[0].value, "48");
    assert_eq!(numbers.rocketmq_configs[0].value_type, "integer");
    assert_eq!(numbers.total, None);
    assert_eq!(strings.rocketmq_configs[0].value, "72");
    assert_eq!(strings.rocketmq_configs[0].default_value, "48");
    assert_eq!(strings.total, Some(1));
}

#[test]
fn tag_examples_decode() {
    let instance: InstanceTags = decode(include_str!("../fixtures/dms/5.8.2-instance-tags.json"));
    assert_eq!(instance.tags.len(), 2);
    assert_eq!(instance.tags[1].key, "key2");
    assert_eq!(instance.tags[1].value, "value2");
    let project: ProjectTags = decode(include_str!("../fixtures/dms/5.8.3-project-tags.json"));
    assert_eq!(project.tags[1].key, "key2");
    assert_eq!(project.tags[1].values, vec!["value2"]);
}

#[test]
fn available_zones_decode_and_a_lossy_remain_time_saturates() {
    let exact: AvailableZones = decode(include_str!("../fixtures/dms/5.9.1-available-zones.json"));
    let lossy: AvailableZones = decode(include_str!(
        "../fixtures/dms/5.9.1-available-zones-lossy-remain-time.json"
    ));
    assert_eq!(exact, lossy);
    let first = &exact.available_zones[0];
    assert_eq!(first.name, "可用区1");
    assert!(!first.sold_out);
    assert_eq!(first.resource_availability, "true");
    assert_eq!(first.remain_time, 9_223_372_036_854_775_807);
    assert!(exact.available_zones[2].default_az);
    let sold_out: AvailableZones = decode(
        r#"{"available_zones": [{"soldOut": "true", "resource_availability": "false", "remain_time": "12"}]}"#,
    );
    assert!(sold_out.available_zones[0].sold_out);
    assert!(!sold_out.available_zones[0].has_resources());
    assert_eq!(sold_out.available_zones[0].remain_time, 12);
}

#[test]
fn product_examples_decode_and_untyped_seed_objects_are_tolerated() {
    let empty: ProductList = decode(include_str!("../fixtures/dms/5.9.2-list-products.json"));
    assert_eq!(empty.engine, "rocketmq");
    assert!(empty.products.is_empty());
    let loose: ProductList = decode(
        r#"{"products": [{"type": "cluster", "charging_mode": "monthly,hourly",
             "ios": {"io_spec": "dms.physical.storage.high.v2", "type": "evs"},
             "support_features": ["acl", {"name": "trace", "properties": {"max": 5}}],
             "properties": {"max_broker": 10, "core": "4"}}]}"#,
    );
    let product = &loose.products[0];
    assert_eq!(product.charging_mode, vec!["monthly", "hourly"]);
    assert_eq!(product.ios[0].io_type, "evs");
    assert_eq!(product.support_features[0].name, "acl");
    assert_eq!(product.support_features[1].properties["max"], "5");
    assert_eq!(product.properties.max_broker, "10");
    let cores: ProductCores = decode(include_str!("../fixtures/dms/5.9.3-product-cores.json"));
    assert_eq!(cores.core_num, 100);
}

#[test]
fn the_scale_up_products_decode_in_full() {
    let list: ExtendProductList =
        decode(include_str!("../fixtures/dms/5.10.1-extend-products.json"));
    assert_eq!(list.products.len(), 5);
    let small = &list.products[0];
    assert_eq!(small.product_id, "c6.4u8g.cluster.small");
    assert_eq!(small.ecs_flavor_id, "c6.xlarge.2");
    assert_eq!(small.charging_mode, vec!["monthly", "hourly"]);
    assert_eq!(small.arch_types, vec!["X86"]);
    assert_eq!(small.properties.min_storage_per_node, "300");
    assert_eq!(small.ios[0].unavailable_zones, vec!["xxx"]);
    assert!(!small.qingtian_incompatible);
    assert_eq!(list.products[2].properties.max_topic_per_broker, "8000");
}

#[test]
fn resize_nodes_and_restart_answers_decode_in_every_documented_shape() {
    let job: dms_console::api::models::extend::ResizeJob =
        decode(include_str!("../fixtures/dms/5.10.2-resize-instance.json"));
    assert_eq!(job.job_id, "93b94287-728d-4bb1-a158-cb66cb0854e7");
    let seed: NodeList = decode(include_str!("../fixtures/dms/5.11.1-list-nodes.json"));
    assert_eq!(seed.nodes[1].broker_id, "broker-2");
    assert_eq!(seed.nodes[1].public_address, "1.0.0.1");
    let numeric: NodeList = decode(include_str!(
        "../fixtures/dms/5.11.1-list-nodes-integer-ids.json"
    ));
    assert_eq!(numeric.nodes[0].broker_id_number(), Some(0));
    assert_eq!(numeric.nodes[1].broker_id_number(), Some(1));
    let objects: RestartResult =
        decode(include_str!("../fixtures/dms/5.11.2-restart-instance.json"));
    let strings: RestartResult = decode(include_str!(
        "../fixtures/dms/5.11.2-restart-instance-strings.json"
    ));
    assert_eq!(objects, strings);
    assert_eq!(objects.nodes, vec!["broker-0", "broker-1", "broker-2"]);
    assert_eq!(objects.result, "success");
}
