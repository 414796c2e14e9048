//! Objects that exist before meshgen's files reach them (nodes, the `istio-system`
//! namespace, Services the mesh installer creates, the control plane's own objects such
//! as Mspider's GlobalMesh and MeshCluster) and the patch files that change them: which
//! object each file patches, behind which kubeconfig context, and what the patch is for.
//!
//! The runbook applies these files as they are. `meshgen diff` needs more: a merge patch
//! only adds, so what a file no longer sets must be removed by a command of its own
//! (`kubectl label node N key-`, a merge patch with `null`, a JSON patch `remove`); it
//! finds the objects here, in [`super::ClusterModel::patches`] and
//! [`super::flavor::MeshFlavor::patches`].

use serde::Serialize;

/// How a patch file applies (`kubectl patch --type ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchFormat {
    /// An RFC 7386 merge patch (a YAML file): maps merge, `null` removes a key.
    Merge,
    /// An RFC 6902 JSON patch (a JSON array of operations).
    Json,
}

/// What a patched object's fields do in the mesh, which decides when a change to them
/// is safe to make (see `diff`): topology before MetalLB, membership before the
/// gateways, routing only once what it points at answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// Node topology labels (region, zone, subzone).
    Topology,
    /// The cluster's membership of the mesh and its identity in it (mesh ID, network,
    /// role): what the control plane must know before the cluster's proxies connect.
    Membership,
    /// The network label of the mesh's namespace.
    Network,
    /// The LoadBalancer address of a Service.
    Address,
    /// Where the control plane sends traffic or proxies: gateway and istiod addresses.
    Routing,
}

/// One existing object and the patch file that changes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Patch {
    /// The patch file in the tree.
    pub path: String,
    /// The kubeconfig context of the object's cluster (a cluster's name, or the global
    /// service cluster's).
    pub context: String,
    /// Whether the object lives on the mesh's global side rather than in one cluster.
    pub global: bool,
    /// The object's kind (`Node`, `GlobalMesh`, ...).
    pub kind: String,
    /// The kubectl resource: `node`, `namespace`, `service`,
    /// `globalmeshes.discovery.mspider.io`, ...
    pub resource: String,
    pub name: String,
    pub namespace: Option<String>,
    pub format: PatchFormat,
    pub purpose: Purpose,
    /// What must be true before the patch can apply (e.g. the cluster joined the mesh).
    pub precondition: Option<String>,
}
