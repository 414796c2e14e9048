//! What the checks parsed, handed to the model: a plan that passed every rule comes with
//! its values as typed facts, so the model reads them instead of parsing the text again
//! (and needs no "cannot happen" errors for values a rule already refused).

use std::net::IpAddr;

use ipnet::IpNet;

use super::{Facts, IpFamily, Service};
use crate::grammar::names::DnsDomain;
use crate::grammar::{KubeVersion, MeshVersion, MetallbVersion};
use crate::net::{self, DualStack, Pool};
use crate::plan::MeshMode;

/// Every value of a valid plan that has a grammar, parsed. Built only when no rule found
/// an error; each `Vec` is parallel to the plan list it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFacts {
    /// `mesh.version`.
    pub mesh_version: MeshVersion,
    /// `mesh.dnsDomain`.
    pub dns_domain: DnsDomain,
    /// `metallb.version`, or the release the runbook installs.
    pub metallb_version: MetallbVersion,
    /// The index in `plan.clusters` of `mesh.controlPlaneCluster`; `None` in multi-primary
    /// mode, which has none.
    pub control_plane: Option<usize>,
    /// What the mesh's control-plane flavor requires of the plan.
    pub flavor: FlavorFacts,
    /// Parallel to `plan.clusters`.
    pub clusters: Vec<ClusterParsed>,
    /// `gitops.path` in canonical form (`deploy/mesh`, or empty for the repository root),
    /// when the plan has a `gitops` section.
    pub gitops_path: Option<String>,
    /// Parallel to `traffic.failover` (empty without a traffic section).
    pub failover: Vec<FailoverParsed>,
}

/// One failover entry's service, split and placed (`check/traffic.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailoverParsed {
    pub name: String,
    pub namespace: String,
    /// The indices in `plan.clusters` of the clusters that run the service, in plan order.
    pub clusters: Vec<usize>,
    /// The service is the demo's helloworld (its pods carry the demo's versions).
    pub helloworld: bool,
}

/// What a control-plane flavor requires of the plan, present because its rules passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlavorFacts {
    /// Mspider's hosted mesh.
    Hosted(HostedFacts),
    /// Upstream Istio, every cluster a primary: nothing beyond the shared facts.
    MultiPrimary,
    /// Upstream Istio with one primary (MG020, MG028) and where the remotes reach its
    /// istiod (MG025); `None` when the mesh has no remote.
    PrimaryRemote {
        primary: usize,
        istiod: Option<RemotePilot>,
    },
}

/// What Mspider's hosted mode requires: the control-plane cluster (MG020), the hosted
/// istiod's address on it (MG021), Mspider's global service cluster and registry (MG028).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedFacts {
    /// The index in `plan.clusters` of the control-plane cluster.
    pub control_plane: usize,
    pub istiod: PinnedIp,
    pub global_cluster: String,
    pub registry: String,
}

/// Where the remotes of a primary-remote mesh reach the primary's istiod
/// (`global.remotePilotAddress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemotePilot {
    pub ips: PinnedIp,
    /// Through the primary's own istiod LoadBalancer (`loadBalancerIPs.istiod`), rather
    /// than its east-west gateway with `expose-istiod`.
    pub dedicated: bool,
}

/// One cluster's parsed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterParsed {
    /// `kubernetesVersion`.
    pub kubernetes: KubeVersion,
    pub pod_subnet: DualStack<IpNet>,
    pub service_subnet: Option<DualStack<IpNet>>,
    pub master_ip: IpAddr,
    /// `loadBalancerIPs`.
    pub istiod: Option<PinnedIp>,
    pub east_west: Option<PinnedIp>,
    pub ingress: Option<PinnedIp>,
    /// Parallel to `metallb.pools` (empty without `metallb`), every entry parsed.
    pub pools: Vec<Pool>,
    /// The host port kind forwards to the east-west gateway's NodePort fallback, where
    /// the cluster has the fallback (`eastWestNodePort`, [`super::limits`]).
    pub fallback_host_port: Option<u16>,
    /// The family its `istiod-remote` Service must be pinned to (`global.ipFamilies`), where
    /// its primary Service family is not the hosted istiod's ([`super::control_plane`]).
    pub istiod_family: Option<IpFamily>,
    /// `kubeadm.criSocket` as the URL kubeadm takes ([`super::kubeadm`]).
    pub cri_socket: Option<String>,
}

/// A LoadBalancer IP the plan pins (one address, or a dual-stack pair), and the pool of
/// its cluster that hands it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedIp {
    pub ips: DualStack<IpAddr>,
    /// The index in `metallb.pools` of the one pool that serves every address of `ips`
    /// ([`Pool::serves_all`], honouring `avoidBuggyIPs`); `None` without `metallb`.
    pub pool: Option<usize>,
}

impl ParsedFacts {
    /// The facts of a plan whose rules found no error; `None` if a value is missing all
    /// the same (a rule that let an unparsed value through: a meshgen bug).
    pub(super) fn gather(facts: Facts, found: Found) -> Option<ParsedFacts> {
        let Found {
            versions: (mesh_version, kubernetes),
            dns_domain,
            gitops_path,
            fallback_host_ports,
            failover,
            metallb_version,
            istiod_families,
            cri_sockets,
        } = found;
        // Where the remotes of a primary-remote mesh reach its istiod: the one choice.
        let pilot_service = super::control_plane::pilot_address(&facts).map(|(service, _)| service);
        let n = facts.clusters.len();
        if kubernetes.len() != n
            || fallback_host_ports.len() != n
            || istiod_families.len() != n
            || cri_sockets.len() != n
        {
            return None;
        }
        let clusters = facts
            .clusters
            .into_iter()
            .zip(kubernetes)
            .zip(fallback_host_ports)
            .zip(istiod_families.into_iter().zip(cri_sockets))
            .map(
                |(((f, kubernetes), fallback_host_port), (istiod_family, cri_socket))| {
                    if !f.pools_parsed {
                        return None;
                    }
                    let pinned = |service: Service| {
                        f.lb_ips[service as usize].map(|ips| PinnedIp {
                            ips,
                            pool: f.pools.iter().position(|p| p.serves_all(ips.iter())),
                        })
                    };
                    Some(ClusterParsed {
                        kubernetes: kubernetes?,
                        pod_subnet: f.pod_subnet?,
                        service_subnet: f.service_subnet,
                        master_ip: f.master_ip?,
                        istiod: pinned(Service::Istiod),
                        east_west: pinned(Service::EastWest),
                        ingress: pinned(Service::Ingress),
                        fallback_host_port,
                        istiod_family,
                        cri_socket,
                        pools: f.pools,
                    })
                },
            )
            .collect::<Option<Vec<ClusterParsed>>>()?;
        let control_plane = facts.control_plane;
        let mesh = &facts.plan.mesh;
        let flavor = match mesh.mode {
            MeshMode::Hosted => FlavorFacts::Hosted(HostedFacts {
                control_plane: control_plane?,
                istiod: clusters.get(control_plane?)?.istiod?,
                global_cluster: mesh.global_cluster.clone()?,
                registry: mesh.registry.clone()?,
            }),
            MeshMode::MultiPrimary => FlavorFacts::MultiPrimary,
            MeshMode::PrimaryRemote => {
                let primary = control_plane?;
                let on_primary = clusters.get(primary)?;
                let pilot = match pilot_service {
                    Some(Service::Istiod) => Some(RemotePilot {
                        ips: on_primary.istiod?,
                        dedicated: true,
                    }),
                    Some(Service::EastWest) => Some(RemotePilot {
                        ips: on_primary.east_west?,
                        dedicated: false,
                    }),
                    _ => None,
                };
                // MG025: a mesh with remotes has the address.
                if pilot.is_none() && clusters.len() > 1 {
                    return None;
                }
                FlavorFacts::PrimaryRemote {
                    primary,
                    istiod: pilot.filter(|_| clusters.len() > 1),
                }
            }
        };
        Some(ParsedFacts {
            mesh_version: mesh_version?,
            dns_domain: dns_domain?,
            metallb_version: metallb_version?,
            control_plane,
            flavor,
            clusters,
            gitops_path: gitops_path?,
            failover: failover.into_iter().collect::<Option<Vec<_>>>()?,
        })
    }
}

impl ClusterParsed {
    /// The pinned IPs, in the order of [`Service`].
    pub fn pinned(&self) -> impl Iterator<Item = &PinnedIp> {
        [&self.istiod, &self.east_west, &self.ingress]
            .into_iter()
            .flatten()
    }

    /// The pool that hands out `ip`, if one does.
    pub fn pool_for(&self, ip: IpAddr) -> Option<usize> {
        net::pool_for(&self.pools, ip)
    }
}

/// What the rules found beside [`Facts`], gathered by [`super::check_parsed`].
pub(super) struct Found {
    pub versions: super::versions::Parsed,
    pub dns_domain: Option<DnsDomain>,
    /// `None`: the path did not parse; `Some(None)`: the plan has no gitops section.
    pub gitops_path: Option<Option<String>>,
    /// Parallel to `plan.clusters`.
    pub fallback_host_ports: Vec<Option<u16>>,
    /// Parallel to `traffic.failover`.
    pub failover: Vec<Option<FailoverParsed>>,
    pub metallb_version: Option<MetallbVersion>,
    /// Parallel to `plan.clusters`.
    pub istiod_families: Vec<Option<IpFamily>>,
    /// Parallel to `plan.clusters`.
    pub cri_sockets: Vec<Option<String>>,
}
