//! The hosted runbook's steps, and what `verify.sh` checks that only a hosted mesh has: the
//! GlobalMesh and MeshCluster params on the global service cluster (runbook steps 6 and 8),
//! and the hosted istiod reached from each work cluster (step 7).

use std::sync::Arc;

use super::HostedMesh;
use crate::model::ClusterModel;
use crate::model::flavor::ClusterFlavor;
use crate::model::runbook::{RunbookSteps, Step, Steps};
use crate::model::verify::{self, Check};

/// The hosted runbook's steps, in order (`templates/hosted/README.md` includes one file each).
pub const RUNBOOK_STEPS: RunbookSteps = RunbookSteps {
    headings: HEADINGS,
    done_in: &[],
    remote_done_in: &[],
};

const HEADINGS: &[Step] = &[
    Step::Clusters,
    Step::Kubeconfig,
    Step::Nodes,
    Step::Metallb,
    Step::CreateMesh,
    Step::IstiodIp,
    Step::Globalmesh,
    Step::WorkClusters,
    Step::Meshcluster,
    Step::NetworkLabel,
    Step::Ingress,
    Step::EastWest,
    Step::CrossNetwork,
    Step::VerifyLb,
    Step::Demo,
    Step::VerifyTraffic,
    Step::Failover,
];

impl HostedMesh {
    /// The GlobalMesh params and each cluster's MeshCluster params, on the global cluster.
    pub(in crate::model::flavor) fn verify_checks(
        &self,
        clusters: &[Arc<ClusterModel>],
        steps: &Steps,
    ) -> Vec<Check> {
        let mut out = Vec::new();
        let global = &self.global_mesh;
        let step = steps.number(Step::Globalmesh);
        for param in &global.params {
            let mut check = Check::of(
                &self.global_cluster,
                step,
                format!("GlobalMesh {}: param {}", global.name, param.key),
                param.value.clone(),
                verify::args(
                    &[
                        "get",
                        "globalmeshes.discovery.mspider.io",
                        &global.name,
                        "-n",
                        &global.namespace,
                    ],
                    &format!(
                        "{{.spec.ownerConfig.controlPlaneParams.{}}}",
                        verify::jsonpath_key(&param.key)
                    ),
                ),
            );
            check.cluster = "-".to_owned();
            out.push(check);
        }
        // Step 7's probe, from the sleep pods: `kubectl run` would change the cluster.
        let step = steps.number(Step::WorkClusters);
        for cluster in clusters
            .iter()
            .filter(|c| self.probe_clusters.contains(&c.name))
        {
            let Some(demo) = cluster.demo.as_ref().filter(|d| d.sleep.is_some()) else {
                continue;
            };
            let ns = demo.namespace.name.as_str();
            out.push(Check::of(
                &cluster.name,
                step,
                format!(
                    "hosted istiod at {}: HTTP status to plain HTTP, from sleep",
                    self.hosted_istiod.probe_url
                ),
                "400".to_owned(),
                [
                    "exec",
                    "-n",
                    ns,
                    "deploy/sleep",
                    "-c",
                    "sleep",
                    "--",
                    "curl",
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    &self.hosted_istiod.probe_url,
                ]
                .map(str::to_owned)
                .to_vec(),
            ));
        }
        let step = steps.number(Step::Meshcluster);
        for cluster in clusters {
            let ClusterFlavor::Hosted(hosted) = &cluster.flavor else {
                continue;
            };
            let patch = &hosted.mesh_cluster_patch;
            let get = |path: String| {
                verify::args(
                    &[
                        "get",
                        "meshclusters.discovery.mspider.io",
                        &patch.name,
                        "-n",
                        &patch.namespace,
                    ],
                    &format!("{{.spec.meshedParams[0].{path}}}"),
                )
            };
            let mut add = |what: String, expected: String, path: String| {
                let mut check = Check::of(&self.global_cluster, step, what, expected, get(path));
                check.cluster = cluster.name.clone();
                out.push(check);
            };
            // What Mspider's controller set, which the runbook confirms, then what the patch adds.
            for confirm in &patch.confirm {
                let path = if confirm.key == "isHostedOwner" {
                    // A work cluster's entry: false or no field at all; only the owner's is checked.
                    if !patch.is_hosted_owner {
                        continue;
                    }
                    confirm.key.clone()
                } else {
                    format!("params.{}", verify::jsonpath_key(&confirm.key))
                };
                add(
                    format!("MeshCluster {}: {}", patch.name, confirm.key),
                    confirm.value.clone(),
                    path,
                );
            }
            for param in &patch.params {
                add(
                    format!("MeshCluster {}: param {}", patch.name, param.key),
                    param.value.clone(),
                    format!("params.{}", verify::jsonpath_key(&param.key)),
                );
            }
        }
        out
    }
}
