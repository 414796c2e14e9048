//! Stage 2, check: every problem in a parsed plan, in one pass.
//!
//! Each rule appends diagnostics with a stable code and the path of the field;
//! lines are filled in later from the plan text ([`crate::diag::Diagnostics::locate`]).
//! Rules never stop at the first problem and never assume another rule passed.

pub mod gitops;

use crate::diag::Diagnostics;
use crate::plan::Plan;

/// Run every rule over `plan`.
pub fn check(plan: &Plan) -> Diagnostics {
    let mut out = Diagnostics::default();
    let _ = plan;
    out.extend(Diagnostics::default());
    gitops::check(plan, &mut out);
    out
}
