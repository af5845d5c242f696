//! Validated names and ids, shared by the console's forms and paths and by the emulator's
//! request checks. Nothing here knows about HTTP, templates or the DMS client.

mod names;
mod system;

pub use names::{
    AclUserName, GroupName, InstanceId, InstanceName, InvalidName, MessageId, NameRule, Problem,
    TopicName,
};
pub use system::{is_system_group, is_system_topic};
