//! (being written)

use super::context::{Ctx, Req, Routed};
#[allow(unused_imports)]
use super::error::DmsError;

/// Routes this module's paths.
pub fn route(_ctx: &mut Ctx<'_>, _req: &Req, _segments: &[&str]) -> Routed {
    None
}
