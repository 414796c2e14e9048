//! The value grammars: what a well-formed name, label value, DNS domain, host, URL,
//! version, image reference, git revision, duration or Istio duration is. One definition each, used by
//! the checks (to refuse a value, saying why) and by the model (which reads the typed
//! values the checks parsed). Addresses, CIDRs and MetalLB pools are in [`crate::net`].
//!
//! This module sits below every stage: it imports nothing of the pipeline.
//!
//! A refusal is a phrase that completes "`value` ... it ___" (`"is empty"`,
//! `"contains upper-case `M`"`), so each rule words its own message around it. Each rule
//! names its source; where meshgen is stricter than the source, the comment says why.

pub mod gitops;
pub mod host;
pub mod image;
pub mod istio;
pub mod names;
pub mod text;
pub mod version;

pub use host::{HostPort, Url};
pub use version::{KubeVersion, MeshVersion, MetallbVersion};
