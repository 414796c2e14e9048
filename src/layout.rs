//! The output layout: where every rendered file goes, in one place.
//!
//! Nothing else in meshgen builds an output path or parses one back: the model
//! asks these functions for each file's path (and stores it in the file's context
//! struct), the render writes to that path, the writer keeps its bookkeeping under
//! [`META_DIR`], and `render --stdout` picks files with [`is_applied_object`].
//! Adding an output file is: a template, its context struct in the model, and one
//! path function here.
//!
//! ```text
//! README.md                                  planning form and runbook
//! verify.sh                                  read-only check of the runbook's expectations
//! bootstrap/<cluster>/{kind-cluster,kubeadm-config}.yaml
//! bootstrap/rename-kubeconfig.sh             a kubeconfig under the cluster's own names
//! clusters/<cluster>/kustomization.yaml      lists the stage folders
//! clusters/<cluster>/<stage>/...             one kustomize-buildable folder per Stage
//! clusters/<cluster>/patches/...             patches of objects that already exist
//! clusters/<cluster>/namespace-istio-system.yaml   upstream modes: istio-system, applied first
//! clusters/<cluster>/helm/<release>.values.yaml     upstream modes: Helm values per release
//! global/...                                 objects on Mspider's global service cluster
//! global/istio/...                           Istio config for the mesh's own control plane
//! clusters/<cluster>/traffic/...             failover DestinationRules, applied by the runbook
//! gitops/{argocd,flux}/...                   Argo CD / Flux objects
//! .meshgen/manifest                          the files meshgen owns
//! ```
//!
//! This module sits below every stage: it imports nothing of meshgen.

use serde::Serialize;

/// The folder inside OUT where meshgen keeps its own bookkeeping (the manifest of the
/// files it owns). No rendered file may live there.
pub const META_DIR: &str = ".meshgen";
/// The manifest: every file meshgen wrote into OUT, with its hash.
pub const MANIFEST: &str = ".meshgen/manifest";
/// The planning form and runbook.
pub const README: &str = "README.md";

/// File name of every kustomization.
const KUSTOMIZATION: &str = "kustomization.yaml";

/// A kustomize-buildable sub-folder of `clusters/<name>/`, applied (and synced by
/// GitOps) as one unit.
///
/// Stages are applied in [`Stage::ALL`] order, because each needs what the one before
/// set up: MetalLB pools need the MetalLB CRDs, the east-west gateway needs a pool to
/// get its address, the demo needs the mesh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// MetalLB `IPAddressPool` and `L2Advertisement` (needs the MetalLB CRDs).
    Metallb,
    /// East-west gateway and cross-network `Gateway` (needs the Istio CRDs).
    Istio,
    /// helloworld and sleep (needs the mesh).
    Demo,
}

impl Stage {
    /// Every stage, in the order they must be applied.
    pub const ALL: [Stage; 3] = [Stage::Metallb, Stage::Istio, Stage::Demo];

    /// The folder name, also the suffix of the Application and Kustomization names.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Metallb => "metallb",
            Stage::Istio => "istio",
            Stage::Demo => "demo",
        }
    }

    /// Argo CD sync wave: after wave 0, where a user's own prerequisites (MetalLB itself) go.
    pub fn wave(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0) + 1
    }

    /// The stage of a folder name (`metallb`, `istio`, `demo`).
    fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.name() == name)
    }
}

// ---- clusters/<cluster>/ and bootstrap/<cluster>/

/// `clusters/<cluster>`: the cluster's manifests.
pub fn cluster_dir(cluster: &str) -> String {
    format!("clusters/{cluster}")
}

/// `clusters/<cluster>/kustomization.yaml`, listing the stage folders.
pub fn cluster_kustomization(cluster: &str) -> String {
    format!("clusters/{cluster}/{KUSTOMIZATION}")
}

/// `clusters/<cluster>/<stage>`.
pub fn stage_dir(cluster: &str, stage: Stage) -> String {
    format!("clusters/{cluster}/{}", stage.name())
}

/// `clusters/<cluster>/<stage>/kustomization.yaml`.
pub fn stage_kustomization(cluster: &str, stage: Stage) -> String {
    format!("{}/{KUSTOMIZATION}", stage_dir(cluster, stage))
}

/// A file of a stage folder.
fn stage_file(cluster: &str, stage: Stage, file: &str) -> String {
    format!("{}/{file}", stage_dir(cluster, stage))
}

/// A patch of an object that already exists in the cluster.
fn patch_file(cluster: &str, file: &str) -> String {
    format!("clusters/{cluster}/{PATCHES_DIR}/{file}")
}

/// The file name of a node's patch: prefix, the node's name, suffix (`.json` where it
/// removes a label, which is shorter).
pub const NODE_PATCH_FILE: (&str, &str) = ("node-", ".yaml");
/// The file name of a MetalLB pool: prefix, the pool's name, suffix.
pub const POOL_FILE: (&str, &str) = ("ipaddresspool-", ".yaml");

/// The folder of a cluster's patches, relative to `clusters/<cluster>/`.
pub const PATCHES_DIR: &str = "patches";

/// Topology labels of one node.
pub fn node_patch(cluster: &str, node: &str) -> String {
    let (prefix, suffix) = NODE_PATCH_FILE;
    patch_file(cluster, &format!("{prefix}{node}{suffix}"))
}

/// Topology labels of one node, and the labels a JSON merge patch removes (`null`).
pub fn node_merge_patch_json(cluster: &str, node: &str) -> String {
    let (prefix, _) = NODE_PATCH_FILE;
    patch_file(cluster, &format!("{prefix}{node}.json"))
}

/// Labels of an existing namespace.
pub fn namespace_patch(cluster: &str, namespace: &str) -> String {
    patch_file(cluster, &format!("namespace-{namespace}.yaml"))
}

/// LoadBalancer settings of an existing Service.
pub fn service_patch(cluster: &str, service: &str) -> String {
    patch_file(cluster, &format!("service-{service}.yaml"))
}

/// The node port of an existing Service's port (a JSON patch: a merge patch would replace
/// the whole `ports` list).
pub fn service_node_port_patch(cluster: &str, service: &str) -> String {
    patch_file(cluster, &format!("service-{service}-node-port.json"))
}

pub fn ip_address_pool(cluster: &str, pool: &str) -> String {
    let (prefix, suffix) = POOL_FILE;
    stage_file(cluster, Stage::Metallb, &format!("{prefix}{pool}{suffix}"))
}

pub fn l2_advertisement(cluster: &str) -> String {
    stage_file(cluster, Stage::Metallb, "l2advertisement.yaml")
}

pub fn east_west_gateway(cluster: &str) -> String {
    stage_file(cluster, Stage::Istio, "eastwest-gateway.yaml")
}

/// File name of the cross-network Gateway, in a cluster's `istio` stage or in
/// [`CONTROL_PLANE_ISTIO_DIR`].
const CROSS_NETWORK_GATEWAY: &str = "cross-network-gateway.yaml";

pub fn cross_network_gateway(cluster: &str) -> String {
    stage_file(cluster, Stage::Istio, CROSS_NETWORK_GATEWAY)
}

/// Upstream primary-remote: the Gateway and VirtualService that expose the primary's
/// istiod through its east-west gateway.
pub fn expose_istiod(cluster: &str) -> String {
    stage_file(cluster, Stage::Istio, "expose-istiod.yaml")
}

/// Upstream primary-remote: the primary's own istiod LoadBalancer Service.
pub fn istiod_lb_service(cluster: &str) -> String {
    stage_file(cluster, Stage::Istio, "istiod-lb.yaml")
}

/// Upstream modes: the `istio-system` Namespace, applied before anything else of the mesh
/// (outside every stage folder: the Helm releases and the `cacerts` Secret need it first).
pub fn istio_namespace(cluster: &str) -> String {
    format!("clusters/{cluster}/namespace-istio-system.yaml")
}

/// Upstream modes: the values file of one Helm release (`release`: its name).
pub fn helm_values(cluster: &str, release: &str) -> String {
    format!("clusters/{cluster}/helm/{release}.values.yaml")
}

pub fn demo_namespace(cluster: &str) -> String {
    stage_file(cluster, Stage::Demo, "namespace.yaml")
}

pub fn helloworld_service(cluster: &str) -> String {
    stage_file(cluster, Stage::Demo, "helloworld-service.yaml")
}

/// `deployment`: the Deployment's name (`helloworld-<version>`).
pub fn helloworld_deployment(cluster: &str, deployment: &str) -> String {
    stage_file(cluster, Stage::Demo, &format!("{deployment}.yaml"))
}

pub fn sleep_service_account(cluster: &str) -> String {
    stage_file(cluster, Stage::Demo, "sleep-serviceaccount.yaml")
}

pub fn sleep_service(cluster: &str) -> String {
    stage_file(cluster, Stage::Demo, "sleep-service.yaml")
}

pub fn sleep_deployment(cluster: &str) -> String {
    stage_file(cluster, Stage::Demo, "sleep-deployment.yaml")
}

/// `bootstrap/<cluster>`: the files that create the cluster.
pub fn bootstrap_dir(cluster: &str) -> String {
    format!("bootstrap/{cluster}")
}

/// The script that gives a cluster's kubeconfig names of its own.
pub const KUBECONFIG_SCRIPT: &str = "bootstrap/rename-kubeconfig.sh";

pub fn kind_config(cluster: &str) -> String {
    format!("bootstrap/{cluster}/kind-cluster.yaml")
}

pub fn kubeadm_config(cluster: &str) -> String {
    format!("bootstrap/{cluster}/kubeadm-config.yaml")
}

// ---- global/ (Mspider's global service cluster)

/// The GlobalMesh merge patch.
pub const GLOBAL_MESH_PATCH: &str = "global/globalmesh.yaml";

/// Istio config for the mesh's own control plane (Mspider's hosted API server), which no
/// cluster's `istio` stage may hold (see `model/flavor/mod.rs`, `ConfigPlacement`).
pub const CONTROL_PLANE_ISTIO_DIR: &str = "global/istio";

/// The cross-network Gateway, once for the mesh's control plane.
pub fn control_plane_cross_network_gateway() -> String {
    format!("{CONTROL_PLANE_ISTIO_DIR}/{CROSS_NETWORK_GATEWAY}")
}

/// The JSON patch of one cluster's MeshCluster.
pub fn mesh_cluster_patch(cluster: &str) -> String {
    format!("global/meshcluster-{cluster}.json")
}

// ---- Istio config where istiod reads it (locality failover)

/// A failover DestinationRule for the mesh's control plane, once for the mesh (hosted: the
/// mesh's own API server), under `global/` as DESIGN.md has it. `<name>.<namespace>` is
/// unique: neither part has a dot.
pub fn mesh_destination_rule(name: &str, namespace: &str) -> String {
    format!("{CONTROL_PLANE_ISTIO_DIR}/destinationrule-{name}.{namespace}.yaml")
}

/// A failover DestinationRule applied to one cluster. Not a stage resource: the runbook's
/// failover step applies it once the service's namespace exists.
pub fn cluster_destination_rule(cluster: &str, name: &str, namespace: &str) -> String {
    format!("clusters/{cluster}/traffic/destinationrule-{name}.{namespace}.yaml")
}

// ---- verify.sh

/// The read-only check of the runbook's expectations against the live clusters.
pub const VERIFY: &str = "verify.sh";

/// Whether a rendered file is a program the runbook runs as `./NAME` (`verify.sh`; the
/// kubeconfig script is run as `sh bootstrap/rename-kubeconfig.sh`): the writer makes it
/// executable.
pub fn is_executable(path: &str) -> bool {
    path == VERIFY
}

// ---- gitops/

/// The Argo CD app of apps, applied once by hand.
pub const ARGO_ROOT: &str = "gitops/argocd/root.yaml";
/// The `argocd-cm` merge patch with the Application health check, applied once by hand.
pub const ARGO_HEALTH_PATCH: &str = "gitops/argocd/argocd-cm-application-health.yaml";
/// The folder the root Application syncs.
pub const ARGO_APPS_DIR: &str = "gitops/argocd/apps";

/// One stage Application (`name`: `<cluster>-<stage>`).
pub fn argo_app(name: &str) -> String {
    format!("{ARGO_APPS_DIR}/{name}.yaml")
}

pub fn argo_apps_kustomization() -> String {
    format!("{ARGO_APPS_DIR}/{KUSTOMIZATION}")
}

/// Whether `path` is one of the GitOps objects (`gitops/...`).
pub fn is_gitops(path: &str) -> bool {
    path.starts_with("gitops/")
}

/// The folder Flux's self-sync Kustomization builds.
pub const FLUX_DIR: &str = "gitops/flux";

/// The GitRepository and the self-sync Kustomization.
pub fn flux_sync() -> String {
    format!("{FLUX_DIR}/sync.yaml")
}

/// One stage Kustomization (`name`: `<cluster>-<stage>`).
pub fn flux_kustomization(name: &str) -> String {
    format!("{FLUX_DIR}/{name}.yaml")
}

pub fn flux_dir_kustomization() -> String {
    format!("{FLUX_DIR}/{KUSTOMIZATION}")
}

/// The HelmRepository of the Istio charts (upstream modes).
pub fn flux_helm_repository() -> String {
    format!("{FLUX_DIR}/helmrepository.yaml")
}

/// The folder of one cluster's HelmReleases, which its `<cluster>-charts` Kustomization
/// applies in the Flux cluster.
pub fn flux_charts_dir(cluster: &str) -> String {
    format!("{FLUX_DIR}/charts/{cluster}")
}

/// One HelmRelease of a cluster (`release`: the Helm release name).
pub fn flux_helm_release(cluster: &str, release: &str) -> String {
    format!("{}/{release}.yaml", flux_charts_dir(cluster))
}

pub fn flux_charts_kustomization(cluster: &str) -> String {
    format!("{}/{KUSTOMIZATION}", flux_charts_dir(cluster))
}

// ---- reading paths back

/// The last part of a tree path: how a kustomization in the same folder lists the file.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether `path` holds objects a cluster takes as they are: a resource of a stage
/// folder `clusters/<name>/<stage>/`, i.e. what `kubectl apply -k clusters/<name>`
/// applies. Patches, kustomizations, bootstrap configs, `global/` and `gitops/` are
/// not (`render --stdout` prints only these files).
pub fn is_applied_object(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    matches!(parts.as_slice(), ["clusters", _, stage, file]
        if Stage::from_name(stage).is_some() && *file != KUSTOMIZATION)
}

/// A folder of the git repository in canonical form: the grammar's rule, which the check of
/// `gitops.path` and the model's repository paths both use.
pub use crate::grammar::gitops::normalize_path;

/// `rest` inside the repository folder `tree` (canonical, see [`normalize_path`]).
pub fn in_repo(tree: &str, rest: &str) -> String {
    if tree.is_empty() {
        rest.to_owned()
    } else {
        format!("{tree}/{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applied_objects_are_stage_resources() {
        assert!(is_applied_object(&ip_address_pool("c", "p")));
        assert!(is_applied_object(&sleep_deployment("c")));
        assert!(!is_applied_object(&stage_kustomization("c", Stage::Istio)));
        assert!(!is_applied_object(&cluster_kustomization("c")));
        assert!(!is_applied_object(&node_patch("c", "n")));
        assert!(!is_applied_object(&kind_config("c")));
        assert!(!is_applied_object(&mesh_cluster_patch("c")));
        assert!(!is_applied_object(&argo_app("c-istio")));
        assert!(is_applied_object(&expose_istiod("c")));
        // Applied by the runbook before the stages, or read by Helm.
        assert!(!is_applied_object(&istio_namespace("c")));
        assert!(!is_applied_object(&helm_values("c", "istiod")));
        assert!(!is_applied_object(&flux_helm_release("c", "istiod")));
    }

    #[test]
    fn repository_paths() {
        assert_eq!(normalize_path("."), Ok(String::new()));
        assert_eq!(normalize_path("./"), Ok(String::new()));
        assert_eq!(normalize_path("deploy/mesh"), Ok("deploy/mesh".to_owned()));
        assert_eq!(
            normalize_path("./deploy/mesh/"),
            Ok("deploy/mesh".to_owned())
        );
        for bad in [
            "", "/deploy", "../x", "a/../b", "a//b", "a/./b", "a\\b", "a\nb",
        ] {
            assert!(normalize_path(bad).is_err(), "{bad:?}");
        }
        assert_eq!(in_repo("", "gitops/flux"), "gitops/flux");
        assert_eq!(in_repo("d", "gitops/flux"), "d/gitops/flux");
    }
}
