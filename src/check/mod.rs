//! Stage 2, check: every problem in a parsed plan, in one pass.
//!
//! Each rule appends diagnostics with a stable code and the path of the field;
//! lines are filled in later from the plan text ([`crate::diag::Diagnostics::locate`]).
//! Rules never stop at the first problem and never assume another rule passed: addresses
//! are parsed once into [`Facts`], a value that does not parse is reported once and is
//! then absent, and every rule skips what is absent rather than guessing.
//!
//! Plans reach 10,000 clusters: no rule compares every pair of clusters, subnets, pools
//! or addresses. They index by hash map or sort and sweep ([`overlap`]).

mod control_plane;
mod demo;
mod images;
mod kubeadm;
mod limits;
mod load_balancer;
mod modes;
mod names;
mod networks;
mod overlap;
mod parsed;
mod pools;
mod subnets;
mod traffic;
mod upstream;
mod versions;

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use ipnet::IpNet;

pub mod gitops;

pub use control_plane::IpFamily;
pub use kubeadm::cri_socket;
pub use limits::FIRST_FALLBACK_HOST_PORT;
pub use networks::NODE_PORT_RANGE;
pub use parsed::{
    ClusterParsed, FailoverParsed, FlavorFacts, HostedFacts, ParsedFacts, PinnedIp, RemotePilot,
};

use crate::diag::Diagnostics;
use crate::net::{DualStack, Pool};
use crate::plan::{Cluster, LoadBalancerIps, Plan};

/// Run every rule over `plan`.
pub fn check(plan: &Plan) -> Diagnostics {
    check_parsed(plan).0
}

/// Run every rule over `plan`; when none found an error, the values the rules parsed,
/// for the model to take instead of parsing the plan again.
pub fn check_parsed(plan: &Plan) -> (Diagnostics, Option<ParsedFacts>) {
    let mut out = Diagnostics::default();
    let facts = Facts::gather(plan, &mut out);
    let dns_domain = names::check(&facts, &mut out);
    modes::check(&facts, &mut out);
    control_plane::check(&facts, &mut out);
    subnets::check(&facts, &mut out);
    networks::check(&facts, &mut out);
    load_balancer::check(&facts, &mut out);
    let fallback_host_ports = limits::fallback_host_ports(&facts, &mut out);
    limits::file_names(&facts, &mut out);
    let versions = versions::check(plan, &mut out);
    upstream::check(&facts, &mut out);
    let metallb_version = versions::metallb_version(plan, &mut out);
    let istiod_families = control_plane::istiod_families(&facts, versions.0.as_ref(), &mut out);
    let cri_sockets = kubeadm::cri_sockets(plan, &mut out);
    demo::check(&facts, &mut out);
    images::check(plan, &mut out);
    let failover = traffic::check(&facts, &mut out);
    let gitops_path = gitops::check(plan, &mut out);
    let parsed = if out.has_errors() {
        None
    } else {
        let found = parsed::Found {
            failover,
            versions,
            dns_domain,
            gitops_path,
            fallback_host_ports,
            metallb_version,
            istiod_families,
            cri_sockets,
        };
        ParsedFacts::gather(facts, found)
    };
    (out, parsed)
}

/// The plan with its addresses parsed, once, for every rule to share.
pub(crate) struct Facts<'p> {
    pub plan: &'p Plan,
    /// Each cluster name to the first cluster that has it.
    pub by_name: HashMap<&'p str, usize>,
    /// The cluster `mesh.controlPlaneCluster` names, if it is one.
    pub control_plane: Option<usize>,
    /// Parallel to `plan.clusters`.
    pub clusters: Vec<ClusterFacts>,
    /// Every LoadBalancer and master IP of the mesh: addresses a hint must not suggest.
    pub taken: HashSet<IpAddr>,
}

/// One cluster's addresses; `None` where the plan leaves a value out or it does not parse.
pub(crate) struct ClusterFacts {
    pub pod_subnet: Option<DualStack<IpNet>>,
    pub service_subnet: Option<DualStack<IpNet>>,
    pub master_ip: Option<IpAddr>,
    /// Indexed by [`Service`].
    pub lb_ips: [Option<DualStack<IpAddr>>; 3],
    /// Parallel to `metallb.pools`; empty without `metallb`.
    pub pools: Vec<Pool>,
    /// Every pool entry parsed: only then can "in no pool" and "pools too small" be judged.
    pub pools_parsed: bool,
}

/// The mesh services that get a LoadBalancer IP in a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Service {
    Istiod = 0,
    EastWest = 1,
    Ingress = 2,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Istiod, Service::EastWest, Service::Ingress];

    /// The field under `loadBalancerIPs`.
    pub fn field(self) -> &'static str {
        match self {
            Service::Istiod => "istiod",
            Service::EastWest => "eastWest",
            Service::Ingress => "ingress",
        }
    }

    /// What the Service is, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Service::Istiod => "the hosted istiod",
            Service::EastWest => "the east-west gateway",
            Service::Ingress => "the ingress gateway",
        }
    }

    pub fn ip(self, ips: &LoadBalancerIps) -> Option<&String> {
        match self {
            Service::Istiod => ips.istiod.as_ref(),
            Service::EastWest => ips.east_west.as_ref(),
            Service::Ingress => ips.ingress.as_ref(),
        }
    }
}

impl<'p> Facts<'p> {
    /// Parse every address of the plan, reporting those that do not parse.
    fn gather(plan: &'p Plan, out: &mut Diagnostics) -> Facts<'p> {
        let mut by_name = HashMap::with_capacity(plan.clusters.len());
        for (i, cluster) in plan.clusters.iter().enumerate() {
            by_name.entry(cluster.name.as_str()).or_insert(i);
        }
        let control_plane = plan
            .mesh
            .control_plane_cluster
            .as_deref()
            .and_then(|name| by_name.get(name).copied());
        let clusters = plan
            .clusters
            .iter()
            .enumerate()
            .map(|(i, cluster)| {
                let (pod_subnet, service_subnet, master_ip) = subnets::parse(i, cluster, out);
                let (lb_ips, pools, pools_parsed) = pools::parse(i, cluster, out);
                ClusterFacts {
                    pod_subnet,
                    service_subnet,
                    master_ip,
                    lb_ips,
                    pools,
                    pools_parsed,
                }
            })
            .collect::<Vec<ClusterFacts>>();
        let taken = clusters
            .iter()
            .flat_map(|f| {
                f.lb_ips
                    .iter()
                    .flatten()
                    .flat_map(DualStack::iter)
                    .chain(f.master_ip)
            })
            .collect();
        Facts {
            plan,
            by_name,
            control_plane,
            clusters,
            taken,
        }
    }

    /// The clusters with their facts, in plan order.
    pub fn each(&self) -> impl Iterator<Item = (usize, &'p Cluster, &ClusterFacts)> {
        self.plan
            .clusters
            .iter()
            .zip(&self.clusters)
            .enumerate()
            .map(|(i, (c, f))| (i, c, f))
    }

    /// How a message names cluster `i`: its name, or its place when the name is unusable.
    pub fn cluster_name(&self, i: usize) -> String {
        match self.plan.clusters.get(i) {
            Some(c) if !c.name.is_empty() => shown(&c.name),
            _ => format!("clusters[{i}]"),
        }
    }

    /// Up to `limit` cluster names, for hints that list them.
    pub fn some_cluster_names(&self, limit: usize) -> String {
        let mut list: Vec<String> = self
            .plan
            .clusters
            .iter()
            .take(limit)
            .map(|c| shown(&c.name))
            .collect();
        let more = self.plan.clusters.len().saturating_sub(limit);
        if more > 0 {
            list.push(format!("and {more} more"));
        }
        list.join(", ")
    }
}

/// A plan value as messages show it: control characters escaped, so a newline in a
/// name cannot break the report's layout, and invisible characters (a bidi override
/// cannot reorder the message around it) written as `\u{...}`.
pub(crate) fn shown(value: &str) -> String {
    if value.chars().any(char::is_control) {
        value.chars().flat_map(char::escape_default).collect()
    } else if value.chars().any(crate::grammar::text::is_invisible) {
        crate::grammar::text::escaped(value)
    } else {
        value.to_owned()
    }
}

/// "podSubnet `10.0.0.1/16` has host bits set", from a subject, the value, and the reason
/// a parser gives (which may quote the value, part of it, or nothing).
pub(crate) fn not_valid(subject: &str, text: &str, reason: &str) -> String {
    let quoted = format!("`{}`", text.trim());
    if reason.starts_with(&quoted) {
        format!("{subject} {}", shown(reason))
    } else if reason.starts_with('`') {
        format!(
            "{subject} `{}` is not valid: {}",
            shown(text),
            shown(reason)
        )
    } else {
        format!("{subject} `{}` {}", shown(text), shown(reason))
    }
}

/// `a, b and c`.
pub(crate) fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., last] => format!(
            "{} and {}",
            rest.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

/// The family of an address, for messages.
pub(crate) fn family(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() { "IPv4" } else { "IPv6" }
}
