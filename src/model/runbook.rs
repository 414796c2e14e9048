//! Which clusters each runbook step concerns, so the README loops over lists the model
//! made instead of deciding in the template.

use std::sync::Arc;

use serde::Serialize;

use super::ClusterModel;

/// The clusters each optional runbook step applies to (plan order); an empty
/// list means the README says why the step has nothing to do.
#[derive(Debug, Clone, Serialize)]
pub struct Runbook {
    /// Clusters that run MetalLB.
    pub metallb_clusters: Vec<String>,
    /// Clusters whose LoadBalancer IPs the platform, not MetalLB, must provide.
    pub external_lb_clusters: Vec<String>,
    /// Clusters with an east-west gateway.
    pub east_west_clusters: Vec<String>,
    /// Clusters with an ingress gateway IP to pin.
    pub ingress_clusters: Vec<String>,
    /// Clusters with a demo stage.
    pub demo_clusters: Vec<String>,
    /// Clusters whose east-west gateway other networks reach through the NodePort fallback.
    pub fallback_clusters: Vec<String>,
}

impl Runbook {
    pub fn of(clusters: &[Arc<ClusterModel>]) -> Runbook {
        let names = |keep: &dyn Fn(&ClusterModel) -> bool| {
            clusters
                .iter()
                .filter(|c| keep(c))
                .map(|c| c.name.clone())
                .collect()
        };
        Runbook {
            metallb_clusters: names(&|c| c.metallb.is_some()),
            external_lb_clusters: names(&|c| c.metallb.is_none() && !c.lb_services.is_empty()),
            east_west_clusters: names(&|c| c.east_west_service.is_some()),
            ingress_clusters: names(&|c| c.ingress_service.is_some()),
            demo_clusters: names(&|c| c.demo.is_some()),
            fallback_clusters: names(&|c| {
                c.east_west_service.is_some() && c.east_west_node_port.is_some()
            }),
        }
    }
}
