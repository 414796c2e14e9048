//! Every diagnostic code meshgen emits, with the long explanation `meshgen explain` prints.
//!
//! Codes are stable: scripts match on them. A code is never reused for another meaning.

use std::fmt;

/// Declares [`Code`] and [`ALL`] from one table: each variant with the string it prints as
/// and its title. The explanation is `src/diag/explain/<code>.md`, the examples
/// `src/diag/examples/<code>.bad.yaml` and `<code>.fixed.yaml` (embedded in the binary).
macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal: $title:literal, )*) => {
        /// A diagnostic code: printed (and serialized) as `MG` and three digits.
        /// Variants are declared in the order of their numbers, so sorting follows the numbers.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// `MG` and three digits, e.g. `MG011`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }
        }

        /// Every code's entry, in the order of [`Code::ALL`].
        pub const ALL: &[CodeInfo] = &[$(CodeInfo {
            code: Code::$variant,
            title: $title,
            explanation: include_str!(concat!("diag/explain/", $code, ".md")),
            bad: include_str!(concat!("diag/examples/", $code, ".bad.yaml")),
            fixed: include_str!(concat!("diag/examples/", $code, ".fixed.yaml")),
        }),*];
    };
}

codes! {
    /// The plan text does not parse (YAML/TOML syntax, encoding, empty file).
    Syntax = "MG001": "the plan does not parse",
    /// The plan parses but does not fit the format: unknown, missing or mistyped field.
    Shape = "MG002": "the plan does not fit the plan format",
    /// The plan exceeds a safety limit (size, nesting, alias expansion).
    Limit = "MG003": "the plan exceeds a safety limit",

    // Names (MG010–MG015).
    /// A name is not a valid Kubernetes name (mesh ID, cluster, network ID, node, pool, namespace, global cluster).
    InvalidName = "MG010": "not a valid Kubernetes name",
    /// A cluster is listed twice.
    DuplicateCluster = "MG011": "a cluster is listed twice",
    /// A node name repeats within a cluster.
    DuplicateNode = "MG012": "a node is listed twice in a cluster",
    /// A label value (region, zone, subzone, helloworld version) is not valid.
    InvalidLabelValue = "MG013": "not a valid label value",
    /// A pool name repeats within a cluster.
    DuplicatePool = "MG014": "a pool is listed twice in a cluster",
    /// `mesh.dnsDomain` is not a valid DNS domain.
    InvalidDnsDomain = "MG015": "dnsDomain is not a valid DNS domain",

    // Control plane and mesh modes (MG020–MG028).
    /// `mesh.controlPlaneCluster` is not one of the clusters.
    UnknownControlPlane = "MG020": "controlPlaneCluster is not one of the clusters",
    /// The control-plane cluster has no `loadBalancerIPs.istiod`.
    MissingIstiodIp = "MG021": "the control-plane cluster has no istiod IP",
    /// A cluster that is not the control plane sets `loadBalancerIPs.istiod`.
    StrayIstiodIp = "MG022": "an istiod IP on a cluster that is not the control plane",
    /// A cluster's Services cannot reach the istiod that serves it (hosted, or a primary-remote primary's) in its address family with this Istio release.
    IstiodFamilyUnreachable = "MG023": "a cluster cannot reach the istiod that serves it in its address family",
    /// A field belongs to another mesh mode.
    ModeFieldRefused = "MG024": "a field belongs to another mesh mode",
    /// Primary-remote: the remotes (or the other networks) cannot reach the primary's istiod.
    PrimaryUnreachable = "MG025": "primary-remote: the primary has no address where the remotes reach istiod",
    /// Upstream modes: a master IP that other clusters cannot reach (loopback, unspecified).
    UnreachableApiServer = "MG027": "a masterIP the other clusters cannot reach",
    /// The mesh mode needs a field the plan leaves out (MG026 is free: the IPv6 istiod address
    /// of a primary-remote primary is MG023, the same rule as a hosted istiod's).
    ModeFieldMissing = "MG028": "the mesh mode needs a field the plan leaves out",

    // Subnets and addresses (MG030–MG035).
    /// A pod or service subnet is not a valid CIDR (or dual-stack pair).
    InvalidCidr = "MG030": "not a valid CIDR",
    /// A master or LoadBalancer IP is not a valid IP address (or dual-stack pair).
    InvalidIp = "MG031": "not a valid IP address",
    /// Pod subnets overlap where pods must reach each other directly.
    PodSubnetsOverlap = "MG032": "pod subnets overlap where pods reach each other directly",
    /// A service subnet overlaps its cluster's pod subnet.
    ServiceSubnetOverlapsPod = "MG033": "a service subnet overlaps its cluster's pod subnet",
    /// (warning) Pod subnets overlap across networks.
    PodSubnetsOverlapAcrossNetworks = "MG034": "pod subnets overlap across networks (warning)",
    /// Single network mode, but the clusters name different networks.
    SingleModeSplitNetworks = "MG035": "single network mode, but the clusters name different networks",

    // Networks (MG040–MG042).
    /// Multi network mode: a network has no cluster with an east-west IP.
    NetworkWithoutEastWest = "MG040": "a network has no east-west gateway",
    /// (warning) Single network mode: an east-west IP is set but unused.
    UnusedEastWest = "MG041": "an east-west IP in single network mode (warning)",
    /// `eastWestNodePort` is outside the NodePort range, or the cluster runs no east-west gateway.
    InvalidEastWestNodePort = "MG042": "eastWestNodePort is outside 30000-32767 or the cluster has no east-west gateway",

    // LoadBalancer IPs and MetalLB pools (MG050–MG057).
    /// A LoadBalancer IP is in no pool of its cluster that would hand it out.
    LbIpOutsidePools = "MG050": "a LoadBalancer IP is outside its cluster's pools",
    /// A LoadBalancer IP is a master IP.
    LbIpIsMasterIp = "MG051": "a LoadBalancer IP is a master IP",
    /// A LoadBalancer IP lies inside its cluster's pod or service subnet.
    LbIpInSubnet = "MG052": "a LoadBalancer IP lies inside a pod or service subnet",
    /// A pool entry is not a valid CIDR or range (or a pool has no entry).
    InvalidPoolEntry = "MG053": "a pool entry is not a valid CIDR or range",
    /// Pool entries overlap, within or across clusters.
    PoolsOverlap = "MG054": "MetalLB pools overlap",
    /// A pool holds a master IP.
    PoolHoldsMasterIp = "MG055": "a pool holds a master IP",
    /// A cluster's pools hold too few addresses for its LoadBalancer Services.
    PoolsExhausted = "MG056": "the pools hold too few addresses for the LoadBalancer Services",
    /// A LoadBalancer IP is used twice in the mesh.
    LbIpReused = "MG057": "a LoadBalancer IP is used twice",
    /// A dual-stack LoadBalancer IP pair is split over two pools.
    LbIpsSplitOverPools = "MG058": "a dual-stack LoadBalancer IP pair is split over two pools",
    /// A MetalLB L2 interface is not a Linux network interface name.
    InvalidInterface = "MG059": "a MetalLB L2 interface is not a network interface name",

    // Versions (MG060–MG065).
    /// `mesh.version` is not `MAJOR.MINOR.PATCH[-suffix]`.
    InvalidMeshVersion = "MG060": "the mesh version is not MAJOR.MINOR.PATCH[-suffix]",
    /// `kubernetesVersion` is not `MAJOR.MINOR[.PATCH]`.
    InvalidKubernetesVersion = "MG061": "kubernetesVersion is not MAJOR.MINOR[.PATCH]",
    /// (warning) The Kubernetes version is outside what the mesh's Istio release supports.
    UnsupportedKubernetesVersion = "MG062": "Kubernetes version outside what the mesh's Istio release supports (warning)",
    /// `metallb.version` is not `vMAJOR.MINOR.PATCH`, or predates MetalLB's CRDs (v0.13.0).
    InvalidMetallbVersion = "MG063": "metallb.version is not vMAJOR.MINOR.PATCH of v0.13.0 or later",
    /// Upstream modes: the version is not an Istio release meshgen knows (1.24 to the newest in its table).
    UnknownIstioRelease = "MG064": "upstream modes: the version is not an Istio release meshgen knows",
    /// (warning) Hosted: a 1.24 mesh version before 1.24.5-mspider.
    HostedIstio124BeforeFix = "MG065": "hosted: an Istio 1.24 release before 1.24.5-mspider (warning)",

    // Demo apps (MG070–MG072).
    /// The demo names a cluster that is not in the plan.
    UnknownDemoCluster = "MG070": "the demo names a cluster that is not in the plan",
    /// A helloworld version is used by two clusters.
    DuplicateHelloworldVersion = "MG071": "a helloworld version is used twice",
    /// sleep lists a cluster twice.
    DuplicateSleepCluster = "MG072": "sleep lists a cluster twice",

    // Free text (MG080–MG081).
    /// (warning) A registry or image does not look like an image reference.
    InvalidImageReference = "MG080": "a registry or image does not look like an image reference (warning)",
    /// `kubeadm.criSocket` is not an absolute socket path or a `unix://` / `npipe://` URL.
    InvalidCriSocket = "MG081": "kubeadm.criSocket is not a socket path or URL",

    // GitOps (MG090–MG099).
    /// A mesh cluster has no destination for an enabled GitOps tool.
    GitopsNoDestination = "MG090": "a cluster has no GitOps destination",
    /// A key of `gitops.*.clusters` names no cluster of the plan.
    GitopsUnknownCluster = "MG091": "a GitOps destination names no cluster of the plan",
    /// `gitops.repoURL` is not an http(s) or ssh URL.
    GitopsRepoUrl = "MG092": "gitops.repoURL is not a git URL that both Argo CD and Flux accept",
    /// `gitops.revision` is not a branch, ref or commit.
    GitopsRevision = "MG093": "gitops.revision is not a branch, full ref or commit",
    /// `gitops.path` is not a relative folder.
    GitopsPath = "MG094": "gitops.path is not a folder inside the repository",
    /// `gitops.flux.interval` is not a Flux duration.
    GitopsInterval = "MG095": "gitops.flux.interval is not a Flux duration",
    /// A namespace, project, Secret name or Secret key in the gitops section is not valid.
    GitopsName = "MG096": "a name in the gitops section is not a valid Kubernetes name",
    /// A destination does not set exactly one target, or its server URL or name is malformed.
    GitopsDestination = "MG097": "a GitOps destination is malformed",
    /// (warning) The gitops section enables neither Argo CD nor Flux.
    GitopsNoTool = "MG098": "the gitops section enables neither Argo CD nor Flux",
    /// (warning) Two clusters have the same destination.
    GitopsSharedDestination = "MG099": "two clusters have the same GitOps destination",

    // Limits of the rendered tree (MG100–MG101).
    /// The NodePort fallback host ports (35443-65535) run out: too many clusters before one with an east-west gateway.
    FallbackHostPortsExhausted = "MG100": "the NodePort fallback host ports run out",
    /// A node or pool name makes a file name longer than 255 bytes.
    FileNameTooLong = "MG101": "a node or pool name makes a file name longer than 255 bytes",

    // Traffic: locality failover (MG110–MG121).
    /// A failover service is not `<name>.<namespace>` with valid names.
    InvalidFailoverService = "MG110": "a failover service is not <name>.<namespace>",
    /// The namespace of a failover service is not one the plan declares.
    UnknownFailoverNamespace = "MG111": "a failover service's namespace is not one the plan declares",
    /// The plan does not say where a failover service runs, or says it twice.
    FailoverServiceUnplaced = "MG112": "the plan does not say where a failover service runs",
    /// `clusters` of a failover entry names a cluster that is not in the plan, or one twice.
    FailoverUnknownCluster = "MG113": "a failover entry names a cluster that is not in the plan",
    /// A service has two failover entries.
    DuplicateFailoverService = "MG114": "a service has two failover entries",
    /// `failover` together with a region, zone or subzone label in `failoverPriority`.
    FailoverWithTopologyPriority = "MG115": "failover together with a region, zone or subzone failoverPriority label",
    /// A `failover` pair is not two different region names, or repeats a `from` region.
    InvalidRegionFailover = "MG116": "a failover pair is not two different region names",
    /// A `failover` region is not a region of the plan's nodes.
    UnknownFailoverRegion = "MG117": "a failover region is not a region of the plan's nodes",
    /// The region a failover pair goes to runs no endpoint of the service.
    FailoverTargetWithoutService = "MG118": "the region a failover pair goes to does not run the service",
    /// A `failoverPriority` entry is not a label key or `key=value`, or repeats a key.
    InvalidFailoverPriority = "MG119": "a failoverPriority entry is not a label key or key=value",
    /// An `outlierDetection` duration is not one Istio takes.
    InvalidOutlierDuration = "MG120": "an outlierDetection duration is not one Istio takes",
    /// (warning) Every endpoint of a failover service is in one locality: failover changes nothing.
    FailoverSingleLocality = "MG121": "a failover service runs in one locality only (warning)",
}

impl Code {
    /// The code spelled `text` (case-insensitive), if meshgen has one.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text))
    }

    /// What `meshgen explain` prints for this code.
    pub fn info(self) -> &'static CodeInfo {
        // ALL holds one entry per code, in the order of `Code::ALL` (tested).
        &ALL[self as usize]
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What `meshgen explain CODE` prints for one code.
pub struct CodeInfo {
    pub code: Code,
    /// One line: what the check is about.
    pub title: &'static str,
    /// Why it matters and how to fix it.
    pub explanation: &'static str,
    /// A plan fragment (YAML) that triggers the code.
    pub bad: &'static str,
    /// The same fragment, fixed.
    pub fixed: &'static str,
}

/// The entry for `code` (case-insensitive), if meshgen has one.
pub fn info(code: impl AsRef<str>) -> Option<&'static CodeInfo> {
    Code::parse(code.as_ref()).map(Code::info)
}

impl CodeInfo {
    /// What `meshgen explain CODE` prints: the title, the explanation wrapped at 80
    /// columns, and the two example plans, indented.
    pub fn to_text(&self) -> String {
        let indent = |example: &str| -> String {
            example
                .lines()
                .map(|line| format!("    {line}\n"))
                .collect()
        };
        format!(
            "{}: {}\n\n{}\nA plan with the problem:\n\n{}\nFixed:\n\n{}",
            self.code,
            self.title,
            wrap(self.explanation, 80),
            indent(self.bad),
            indent(self.fixed)
        )
    }
}

/// Words of `text` in lines of at most `width` characters (a longer word gets a line of its own).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_keeps_words_whole_within_the_width() {
        assert_eq!(wrap("aa bb cc", 5), "aa bb\ncc\n");
        assert_eq!(wrap("a verylongword b", 4), "a\nverylongword\nb\n");
        assert_eq!(wrap("", 4), "");
    }
}
