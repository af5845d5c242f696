//! Validated names and ids, shared by the console's forms and paths. Nothing here knows about
//! HTTP, templates or the DMS client.

mod names;

pub use names::{InstanceId, InstanceName, InvalidName, NameRule};
