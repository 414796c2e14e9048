//! The optional `traffic:` section: locality failover per service.
//!
//! Each entry becomes one DestinationRule with `trafficPolicy.loadBalancer.localityLbSetting`
//! and `trafficPolicy.outlierDetection` (istio/api `networking/v1alpha3/destination_rule.proto`,
//! `LocalityLoadBalancerSetting`): Istio fails over by locality only for a service whose
//! DestinationRule has outlier detection.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How traffic between the clusters is steered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Traffic {
    /// Locality failover: one DestinationRule per service, where the mesh's istiod reads config.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failover: Vec<Failover>,
}

/// Locality failover of one service. With neither `failoverPriority` nor `failover`, Istio's default order applies: the caller's own region/zone/subzone first, then its zone, its region, then any other region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Failover {
    /// `<name>.<namespace>`, e.g. `helloworld.sample`; the host is `<name>.<namespace>.svc.<dnsDomain>`.
    pub service: String,
    /// Clusters that run the service (by plan name). Leave out for the demo's helloworld and sleep, whose clusters the demo section gives; required for any other service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<String>>,
    /// Labels that order the endpoints, most important first, e.g. `[topology.istio.io/network, topology.kubernetes.io/region, topology.kubernetes.io/zone]`; `key=value` compares with that value instead of the caller's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failover_priority: Vec<String>,
    /// Region pairs: callers in `from` whose own region has no healthy endpoint go to `to` before any other region. Not together with region, zone or subzone labels in `failoverPriority`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failover: Vec<RegionFailover>,
    /// When an endpoint counts as unhealthy; without outlier detection Istio never fails over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierDetection>,
}

/// One `failover` pair of regions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RegionFailover {
    /// The caller's region (a `region` of the plan's nodes).
    pub from: String,
    /// The region to fail over to.
    pub to: String,
}

/// Outlier detection of the DestinationRule; each field defaults to the istio.io failover task's value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OutlierDetection {
    /// Consecutive 5xx answers that eject an endpoint (default 1).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        rename = "consecutive5xxErrors"
    )]
    pub consecutive_5xx_errors: Option<u32>,
    /// Time between ejection sweeps, a duration such as `1s` or `500ms` (default `1s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Minimum time an endpoint stays ejected (default `1m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ejection_time: Option<String>,
}

/// The defaults of [`OutlierDetection`] (the istio.io task
/// `content/en/docs/tasks/traffic-management/locality-load-balancing/failover/snips.sh`).
pub const DEFAULT_CONSECUTIVE_5XX_ERRORS: u32 = 1;
pub const DEFAULT_INTERVAL: &str = "1s";
pub const DEFAULT_BASE_EJECTION_TIME: &str = "1m";

/// The demo apps a failover entry may name without `clusters`.
pub const HELLOWORLD: &str = "helloworld";
pub const SLEEP: &str = "sleep";

impl Failover {
    /// `(name, namespace)` of `service` (`<name>.<namespace>`), split at its only dot.
    pub fn name_and_namespace(&self) -> Option<(&str, &str)> {
        match self.service.split_once('.') {
            Some((name, namespace)) if !namespace.contains('.') => Some((name, namespace)),
            _ => None,
        }
    }

    /// The clusters that run the service, in plan order: the listed ones, or where the
    /// demo runs helloworld or sleep. `None` when the plan does not say.
    pub fn clusters<'p>(&'p self, plan: &'p super::Plan) -> Option<Vec<&'p str>> {
        if let Some(clusters) = &self.clusters {
            return Some(clusters.iter().map(String::as_str).collect());
        }
        let (name, namespace) = self.name_and_namespace()?;
        let demo = plan.demo.as_ref().filter(|d| d.namespace == namespace)?;
        let runs = |cluster: &str| match name {
            HELLOWORLD => demo.helloworld.versions.contains_key(cluster),
            SLEEP => demo.sleep.clusters.iter().any(|c| c == cluster),
            _ => false,
        };
        matches!(name, HELLOWORLD | SLEEP).then(|| {
            plan.clusters
                .iter()
                .map(|c| c.name.as_str())
                .filter(|c| runs(c))
                .collect()
        })
    }

    /// Whether the service is one of the demo's apps (in the demo's namespace).
    pub fn is_demo_app(&self, plan: &super::Plan) -> bool {
        self.name_and_namespace().is_some_and(|(name, namespace)| {
            matches!(name, HELLOWORLD | SLEEP)
                && plan.demo.as_ref().is_some_and(|d| d.namespace == namespace)
        })
    }
}
