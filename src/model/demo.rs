//! The demo apps: helloworld (one version per cluster) and sleep, the client that
//! calls it (upstream `samples/helloworld` and `samples/sleep`, istio/istio).

use std::collections::HashSet;

use serde::Serialize;

use super::{Pair, pair};
use crate::grammar::names;
use crate::layout;
use crate::plan::{self, Plan};

/// Port of helloworld's Service.
const HELLOWORLD_PORT: u16 = 5000;
/// Pods of each helloworld Deployment (upstream's `helloworld.yaml`).
pub const HELLOWORLD_REPLICAS: u32 = 1;

/// What sleep curls: `helloworld.<namespace>:5000/hello`.
pub fn hello_url(namespace: &str) -> String {
    format!("helloworld.{namespace}:{HELLOWORLD_PORT}/hello")
}

/// Demo apps of one cluster (the `demo` stage).
#[derive(Debug, Clone, Serialize)]
pub struct ClusterDemo {
    /// Context of `demo/namespace.yaml`.
    pub namespace: DemoNamespace,
    /// helloworld's Service: in every cluster that runs helloworld or calls it.
    pub helloworld_service: Option<HelloworldService>,
    pub helloworld: Option<HelloworldDeployment>,
    pub sleep: Option<SleepApp>,
}

/// Context of `demo/namespace.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoNamespace {
    pub path: String,
    pub name: String,
    pub labels: Vec<Pair>,
}

/// Context of `demo/helloworld-service.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct HelloworldService {
    pub path: String,
    pub namespace: String,
    pub port: u16,
}

/// Context of `demo/helloworld-deployment.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct HelloworldDeployment {
    pub path: String,
    /// `helloworld-<version>`.
    pub name: String,
    pub namespace: String,
    pub version: String,
    pub image: String,
    pub port: u16,
    pub replicas: u32,
}

/// Context of the sleep family: `demo/sleep-serviceaccount.yaml`,
/// `demo/sleep-service.yaml`, `demo/sleep-deployment.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct SleepApp {
    pub service_account_path: String,
    pub service_path: String,
    pub deployment_path: String,
    pub namespace: String,
    pub image: String,
}

/// The demo as a whole (README tables and verification).
#[derive(Debug, Clone, Serialize)]
pub struct DemoFacts {
    pub namespace: String,
    pub helloworld_image: String,
    pub sleep_image: String,
    /// What sleep curls: `helloworld.<namespace>:5000/hello`.
    pub hello_url: String,
    /// One row per cluster of the plan.
    pub rows: Vec<DemoRow>,
    /// Every helloworld version the verification loop must see.
    pub versions: Vec<String>,
    /// Clusters that run sleep (where the verification loop runs).
    pub sleep_clusters: Vec<String>,
}

/// One row of the demo deployment table.
#[derive(Debug, Clone, Serialize)]
pub struct DemoRow {
    pub cluster: String,
    pub helloworld_version: Option<String>,
    pub sleep: bool,
}

pub fn cluster_demo(cluster: &str, demo: &plan::Demo) -> Option<ClusterDemo> {
    let version = demo.helloworld.versions.get(cluster);
    let runs_sleep = demo.sleep.clusters.iter().any(|c| c == cluster);
    if version.is_none() && !runs_sleep {
        return None;
    }
    let namespace = demo.namespace.clone();
    let helloworld = version.map(|version| {
        let name = format!("helloworld-{}", names::name_part(version));
        HelloworldDeployment {
            path: layout::helloworld_deployment(cluster, &name),
            name,
            namespace: namespace.clone(),
            version: version.clone(),
            image: demo.helloworld.image.clone(),
            port: HELLOWORLD_PORT,
            replicas: HELLOWORLD_REPLICAS,
        }
    });
    Some(ClusterDemo {
        namespace: DemoNamespace {
            path: layout::demo_namespace(cluster),
            name: namespace.clone(),
            labels: vec![pair("istio-injection", "enabled")],
        },
        // sleep resolves helloworld.<namespace> through its local Service.
        helloworld_service: Some(HelloworldService {
            path: layout::helloworld_service(cluster),
            namespace: namespace.clone(),
            port: HELLOWORLD_PORT,
        }),
        helloworld,
        sleep: runs_sleep.then(|| SleepApp {
            service_account_path: layout::sleep_service_account(cluster),
            service_path: layout::sleep_service(cluster),
            deployment_path: layout::sleep_deployment(cluster),
            namespace: namespace.clone(),
            image: demo.sleep.image.clone(),
        }),
    })
}

pub fn demo_facts(plan: &Plan, demo: &plan::Demo) -> DemoFacts {
    let sleep: HashSet<&str> = demo.sleep.clusters.iter().map(String::as_str).collect();
    let rows = plan
        .clusters
        .iter()
        .map(|c| DemoRow {
            cluster: c.name.clone(),
            helloworld_version: demo.helloworld.versions.get(&c.name).cloned(),
            sleep: sleep.contains(c.name.as_str()),
        })
        .collect::<Vec<_>>();
    DemoFacts {
        namespace: demo.namespace.clone(),
        helloworld_image: demo.helloworld.image.clone(),
        sleep_image: demo.sleep.image.clone(),
        hello_url: hello_url(&demo.namespace),
        versions: rows
            .iter()
            .filter_map(|r| r.helloworld_version.clone())
            .collect(),
        sleep_clusters: rows
            .iter()
            .filter(|r| r.sleep)
            .map(|r| r.cluster.clone())
            .collect(),
        rows,
    }
}
