//! Every diagnostic code meshgen emits, with the long explanation `meshgen explain` prints.
//!
//! Codes are stable: scripts match on them. A code is never reused for another meaning.

/// The plan text does not parse (YAML/TOML syntax, encoding, empty file).
pub const SYNTAX: &str = "MG001";
/// The plan parses but does not fit the format: unknown, missing or mistyped field.
pub const SHAPE: &str = "MG002";
/// The plan exceeds a safety limit (size, nesting, alias expansion).
pub const LIMIT: &str = "MG003";

// Names (MG010–MG015).
/// A name is not a valid Kubernetes name (mesh ID, cluster, network ID, node, pool, namespace, global cluster).
pub const INVALID_NAME: &str = "MG010";
/// A cluster is listed twice.
pub const DUPLICATE_CLUSTER: &str = "MG011";
/// A node name repeats within a cluster.
pub const DUPLICATE_NODE: &str = "MG012";
/// A label value (region, zone, subzone, helloworld version) is not valid.
pub const INVALID_LABEL_VALUE: &str = "MG013";
/// A pool name repeats within a cluster.
pub const DUPLICATE_POOL: &str = "MG014";
/// `mesh.dnsDomain` is not a valid DNS domain.
pub const INVALID_DNS_DOMAIN: &str = "MG015";

// Control plane (MG020–MG022).
/// `mesh.controlPlaneCluster` is not one of the clusters.
pub const UNKNOWN_CONTROL_PLANE: &str = "MG020";
/// The control-plane cluster has no `loadBalancerIPs.istiod`.
pub const MISSING_ISTIOD_IP: &str = "MG021";
/// A cluster that is not the control plane sets `loadBalancerIPs.istiod`.
pub const STRAY_ISTIOD_IP: &str = "MG022";

// Subnets and addresses (MG030–MG035).
/// A pod or service subnet is not a valid CIDR (or dual-stack pair).
pub const INVALID_CIDR: &str = "MG030";
/// A master or LoadBalancer IP is not a valid IP address (or dual-stack pair).
pub const INVALID_IP: &str = "MG031";
/// Pod subnets overlap where pods must reach each other directly.
pub const POD_SUBNETS_OVERLAP: &str = "MG032";
/// A service subnet overlaps its cluster's pod subnet.
pub const SERVICE_SUBNET_OVERLAPS_POD: &str = "MG033";
/// (warning) Pod subnets overlap across networks.
pub const POD_SUBNETS_OVERLAP_ACROSS_NETWORKS: &str = "MG034";
/// Single network mode, but the clusters name different networks.
pub const SINGLE_MODE_SPLIT_NETWORKS: &str = "MG035";

// Networks (MG040–MG041).
/// Multi network mode: a network has no cluster with an east-west IP.
pub const NETWORK_WITHOUT_EAST_WEST: &str = "MG040";
/// (warning) Single network mode: an east-west IP is set but unused.
pub const UNUSED_EAST_WEST: &str = "MG041";

// LoadBalancer IPs and MetalLB pools (MG050–MG057).
/// A LoadBalancer IP is in no pool of its cluster that would hand it out.
pub const LB_IP_OUTSIDE_POOLS: &str = "MG050";
/// A LoadBalancer IP is a master IP.
pub const LB_IP_IS_MASTER_IP: &str = "MG051";
/// A LoadBalancer IP lies inside its cluster's pod or service subnet.
pub const LB_IP_IN_SUBNET: &str = "MG052";
/// A pool entry is not a valid CIDR or range (or a pool has no entry).
pub const INVALID_POOL_ENTRY: &str = "MG053";
/// Pool entries overlap, within or across clusters.
pub const POOLS_OVERLAP: &str = "MG054";
/// A pool holds a master IP.
pub const POOL_HOLDS_MASTER_IP: &str = "MG055";
/// A cluster's pools hold too few addresses for its LoadBalancer Services.
pub const POOLS_EXHAUSTED: &str = "MG056";
/// A LoadBalancer IP is used twice in the mesh.
pub const LB_IP_REUSED: &str = "MG057";
/// A dual-stack LoadBalancer IP pair is split over two pools.
pub const LB_IPS_SPLIT_OVER_POOLS: &str = "MG058";
/// A MetalLB L2 interface is not a Linux network interface name.
pub const INVALID_INTERFACE: &str = "MG059";

// Versions (MG060–MG062).
/// `mesh.version` is not `MAJOR.MINOR.PATCH[-suffix]`.
pub const INVALID_MESH_VERSION: &str = "MG060";
/// `kubernetesVersion` is not `MAJOR.MINOR[.PATCH]`.
pub const INVALID_KUBERNETES_VERSION: &str = "MG061";
/// (warning) The Kubernetes version is outside what the mesh's Istio release supports.
pub const UNSUPPORTED_KUBERNETES_VERSION: &str = "MG062";

// Demo apps (MG070–MG072).
/// The demo names a cluster that is not in the plan.
pub const UNKNOWN_DEMO_CLUSTER: &str = "MG070";
/// A helloworld version is used by two clusters.
pub const DUPLICATE_HELLOWORLD_VERSION: &str = "MG071";
/// sleep lists a cluster twice.
pub const DUPLICATE_SLEEP_CLUSTER: &str = "MG072";

// Free text (MG080).
/// (warning) A registry or image does not look like an image reference.
pub const INVALID_IMAGE_REFERENCE: &str = "MG080";

/// What `meshgen explain CODE` prints for one code.
pub struct CodeInfo {
    pub code: &'static str,
    /// One line: what the check is about.
    pub title: &'static str,
    /// Why it matters and how to fix it.
    pub explanation: &'static str,
    /// A plan fragment (YAML) that triggers the code.
    pub bad: &'static str,
    /// The same fragment, fixed.
    pub fixed: &'static str,
}

pub const ALL: &[CodeInfo] = &[
    CodeInfo {
        code: SYNTAX,
        title: "the plan does not parse",
        explanation: "The file is not valid YAML or TOML (or not UTF-8, or empty). The message gives the \
                      parser's reason and the line and column where it stopped.",
        bad: "mesh:\n  id: mdemo-mesh\n   version: 1.15.3-mspider\n",
        fixed: "mesh:\n  id: mdemo-mesh\n  version: 1.15.3-mspider\n",
    },
    CodeInfo {
        code: SHAPE,
        title: "the plan does not fit the plan format",
        explanation: "A field is unknown (often a typo), required but missing, or of the wrong type. \
                      `meshgen schema` prints the format; an editor with the schema completes fields.",
        bad: "mesh:\n  id: mdemo-mesh\n  verison: 1.15.3-mspider\n",
        fixed: "mesh:\n  id: mdemo-mesh\n  version: 1.15.3-mspider\n",
    },
    CodeInfo {
        code: LIMIT,
        title: "the plan exceeds a safety limit",
        explanation: "meshgen refuses a plan larger than 32 MiB, nested deeper than 32 levels, or whose \
                      YAML aliases would expand it past 4,000,000 nodes or 32 MiB of values (an \"alias \
                      bomb\"), before it costs time or memory. A real plan is kilobytes to megabytes: write the \
                      values out instead of repeating large anchors.",
        bad: "a: &a [x, x, x, x, x, x, x, x, x, x]\n\
              b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n\
              c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n\
              d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n\
              e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n\
              f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n\
              g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
        fixed: "a: [x, x, x, x, x, x, x, x, x, x]\n",
    },
    CodeInfo {
        code: INVALID_NAME,
        title: "not a valid Kubernetes name",
        explanation: "Mesh IDs, cluster names, network IDs, global cluster and demo namespace names become \
                      object names, label values and folder names, so they must be RFC 1123 labels: lower-case \
                      letters, digits and `-`, starting and ending with a letter or digit, at most 63 \
                      characters (a mesh ID at most 46, so that the hosted istiod Service \
                      `istiod-<id>-hosted-lb` fits). Node and pool names may also hold dots (RFC 1123 \
                      subdomains). This refuses `../`, `/`, upper case and Unicode look-alikes (a Cyrillic \
                      `а` is not an `a`). A helloworld version must also make `helloworld-<version>` a valid \
                      Deployment name. The hint suggests a valid name close to the one written.",
        bad: "\
mesh:
  id: Mdemo_Mesh
",
        fixed: "\
mesh:
  id: mdemo-mesh
",
    },
    CodeInfo {
        code: DUPLICATE_CLUSTER,
        title: "a cluster is listed twice",
        explanation: "Each cluster gets one folder, one MeshCluster and one set of LoadBalancer IPs; a name \
                      listed twice is usually a copied entry whose name was not changed. Rename the copy or \
                      remove it.",
        bad: "\
mesh:
  id: mesh1
  version: 1.15.3-mspider
  mode: hosted
  controlPlaneCluster: c1
  globalCluster: kpanda-global-cluster
  registry: release.daocloud.io/mspider
  networkMode: single
clusters:
  - name: c1
    type: standard-k8s
    kubernetesVersion: \"1.25\"
    podSubnet: 10.201.0.0/16
    masterIP: 10.64.30.130
    network: net1
    nodes: [{ name: master, region: region1, zone: zone1 }]
    loadBalancerIPs: { istiod: 10.64.30.71 }
  - name: c1
    type: standard-k8s
    kubernetesVersion: \"1.25\"
    podSubnet: 10.202.0.0/16
    masterIP: 10.64.30.131
    network: net1
    nodes: [{ name: master, region: region1, zone: zone2 }]
",
        fixed: "\
mesh:
  id: mesh1
  version: 1.15.3-mspider
  mode: hosted
  controlPlaneCluster: c1
  globalCluster: kpanda-global-cluster
  registry: release.daocloud.io/mspider
  networkMode: single
clusters:
  - name: c1
    type: standard-k8s
    kubernetesVersion: \"1.25\"
    podSubnet: 10.201.0.0/16
    masterIP: 10.64.30.130
    network: net1
    nodes: [{ name: master, region: region1, zone: zone1 }]
    loadBalancerIPs: { istiod: 10.64.30.71 }
  - name: c2
    type: standard-k8s
    kubernetesVersion: \"1.25\"
    podSubnet: 10.202.0.0/16
    masterIP: 10.64.30.131
    network: net1
    nodes: [{ name: master, region: region1, zone: zone2 }]
",
    },
    CodeInfo {
        code: DUPLICATE_NODE,
        title: "a node is listed twice in a cluster",
        explanation: "Each node gets one patch with its topology labels; a node listed twice would get two \
                      conflicting ones. List each node once, with the name `kubectl get nodes` shows.",
        bad: "\
clusters:
  - name: mdemo-cluster1
    nodes:
      - { name: master, region: region1, zone: zone1 }
      - { name: master, region: region1, zone: zone1 }
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    nodes:
      - { name: master, region: region1, zone: zone1 }
      - { name: worker1, region: region1, zone: zone1 }
",
    },
    CodeInfo {
        code: INVALID_LABEL_VALUE,
        title: "not a valid label value",
        explanation: "Regions, zones and subzones become node labels (`topology.kubernetes.io/region`, \
                      `topology.kubernetes.io/zone`, `topology.istio.io/subzone`) and a helloworld version \
                      becomes the pods' `version` label. Kubernetes accepts at most 63 letters, digits, `-`, \
                      `_` and `.`, starting and ending with a letter or digit; meshgen also refuses an empty \
                      topology value, which would place the node nowhere.",
        bad: "\
clusters:
  - name: mdemo-cluster1
    nodes:
      - name: master
        zone: zone 1
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    nodes:
      - name: master
        zone: zone-1
",
    },
    CodeInfo {
        code: DUPLICATE_POOL,
        title: "a pool is listed twice in a cluster",
        explanation: "Each pool becomes one MetalLB IPAddressPool object, named after the pool; two pools \
                      of one name would overwrite each other. Rename one, or merge their addresses into one \
                      pool.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    metallb:
      pools:
        - { name: first-pool, addresses: [10.6.136.25-10.6.136.29] }
        - { name: first-pool, addresses: [10.6.136.40-10.6.136.45] }
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    metallb:
      pools:
        - { name: first-pool, addresses: [10.6.136.25-10.6.136.29] }
        - { name: second-pool, addresses: [10.6.136.40-10.6.136.45] }
",
    },
    CodeInfo {
        code: INVALID_DNS_DOMAIN,
        title: "dnsDomain is not a valid DNS domain",
        explanation: "`mesh.dnsDomain` is the clusters' DNS domain (kubelet's `--cluster-domain`); the \
                      cross-network Gateway serves the hosts under it. It must be dot-separated lower-case \
                      labels, without a leading or trailing dot, e.g. `cluster.local`.",
        bad: "\
mesh:
  dnsDomain: cluster.local.
",
        fixed: "\
mesh:
  dnsDomain: cluster.local
",
    },
    CodeInfo {
        code: UNKNOWN_CONTROL_PLANE,
        title: "controlPlaneCluster is not one of the clusters",
        explanation: "The hosted control plane (istiod) runs in `mesh.controlPlaneCluster`, which must be \
                      the name of one of `clusters`. A typo here would send every remote cluster to a control \
                      plane that does not exist.",
        bad: "\
mesh:
  controlPlaneCluster: mdemo-cluster
",
        fixed: "\
mesh:
  controlPlaneCluster: mdemo-cluster1
",
    },
    CodeInfo {
        code: MISSING_ISTIOD_IP,
        title: "the control-plane cluster has no istiod IP",
        explanation: "The other clusters reach the hosted istiod through its LoadBalancer Service \
                      (`istiod-<meshID>-hosted-lb`); its address is the mesh's `remotePilotAddress`. Plan it: \
                      set `loadBalancerIPs.istiod` of the control-plane cluster to a free address of its \
                      MetalLB pools. (The seed procedure set remotePilotAddress to the ingress IP by mistake; \
                      planning the address once prevents that.)",
        bad: "\
clusters:
  - name: mdemo-cluster1
    loadBalancerIPs:
      istiod:                 # not planned
      eastWest: 10.64.30.73
      ingress: 10.64.30.72
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    loadBalancerIPs:
      istiod: 10.64.30.71
      eastWest: 10.64.30.73
      ingress: 10.64.30.72
",
    },
    CodeInfo {
        code: STRAY_ISTIOD_IP,
        title: "an istiod IP on a cluster that is not the control plane",
        explanation: "Only the control-plane cluster runs the hosted istiod Service, so only it has a use for \
                      `loadBalancerIPs.istiod`. Elsewhere the address would be reserved for nothing, or \
                      `mesh.controlPlaneCluster` names the wrong cluster.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    loadBalancerIPs:
      istiod: 10.6.136.25
      eastWest: 10.6.136.29
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    loadBalancerIPs:
      eastWest: 10.6.136.29
",
    },
    CodeInfo {
        code: INVALID_CIDR,
        title: "not a valid CIDR",
        explanation: "`podSubnet` and `serviceSubnet` are CIDRs: an address and a prefix length, with no \
                      host bits set (`10.201.0.1/16` is a host in `10.201.0.0/16`, not a network). For \
                      dual-stack write one IPv4 and one IPv6 CIDR separated by a comma. IPv4-mapped IPv6 \
                      (`::ffff:10.0.0.0/104`) is refused: write the IPv4 form.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    podSubnet: 10.202.0.1/16
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    podSubnet: 10.202.0.0/16
",
    },
    CodeInfo {
        code: INVALID_IP,
        title: "not a valid IP address",
        explanation: "`masterIP` is one IPv4 or IPv6 address; a LoadBalancer IP is one address, or for \
                      dual-stack an IPv4 and an IPv6 address separated by a comma. IPv4-mapped IPv6 \
                      (`::ffff:10.0.0.1`) is refused: Kubernetes and MetalLB treat it inconsistently, so write \
                      the IPv4 form.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    masterIP: 10.6.230.256
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    masterIP: 10.6.230.5
",
    },
    CodeInfo {
        code: POD_SUBNETS_OVERLAP,
        title: "pod subnets overlap where pods reach each other directly",
        explanation: "Clusters on one network (every cluster, in `networkMode: single`) reach each other's \
                      pods by address, so an address must name one pod: their pod subnets must not overlap. \
                      Change one subnet, or, in multi mode, give the clusters different network IDs (they then \
                      talk through east-west gateways).",
        bad: "\
clusters:
  - name: mdemo-cluster2
    network: network-c1
    podSubnet: 10.201.0.0/16
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    network: network-c1
    podSubnet: 10.202.0.0/16
",
    },
    CodeInfo {
        code: SERVICE_SUBNET_OVERLAPS_POD,
        title: "a service subnet overlaps its cluster's pod subnet",
        explanation: "A cluster tells Service IPs from pod IPs by address; kube-proxy and the CNI break when \
                      the ranges overlap. Pick a service subnet outside the pod subnet (kubeadm's default is \
                      `10.96.0.0/12`).",
        bad: "\
clusters:
  - name: mdemo-cluster3
    serviceSubnet: 10.100.128.0/17
",
        fixed: "\
clusters:
  - name: mdemo-cluster3
    serviceSubnet: 10.111.0.0/16
",
    },
    CodeInfo {
        code: POD_SUBNETS_OVERLAP_ACROSS_NETWORKS,
        title: "pod subnets overlap across networks (warning)",
        explanation: "Clusters on different networks talk through east-west gateways, so overlapping pod \
                      subnets work for ordinary Services. But Istio's DNS proxy and headless Services hand out \
                      pod addresses, and an address that exists in two networks can reach the wrong pod. Use \
                      distinct pod subnets where you can.",
        bad: "\
clusters:
  - name: mdemo-cluster3
    podSubnet: 10.201.0.0/16
",
        fixed: "\
clusters:
  - name: mdemo-cluster3
    podSubnet: 10.100.0.0/16
",
    },
    CodeInfo {
        code: SINGLE_MODE_SPLIT_NETWORKS,
        title: "single network mode, but the clusters name different networks",
        explanation: "`networkMode: single` says every pod reaches every other pod directly: one network, \
                      no east-west gateways. Clusters with different network IDs contradict that. Give every \
                      cluster the same network ID, or use `networkMode: multi` if the pod networks cannot reach \
                      each other.",
        bad: "\
mesh:
  networkMode: single
",
        fixed: "\
mesh:
  networkMode: multi
",
    },
    CodeInfo {
        code: NETWORK_WITHOUT_EAST_WEST,
        title: "a network has no east-west gateway",
        explanation: "In `networkMode: multi`, other networks reach a network's pods only through its \
                      east-west gateway, whose address goes into the mesh's meshNetworks. At least one \
                      cluster on each network must set `loadBalancerIPs.eastWest`.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    loadBalancerIPs:
      eastWest:               # not planned
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    loadBalancerIPs:
      eastWest: 10.6.136.29
",
    },
    CodeInfo {
        code: UNUSED_EAST_WEST,
        title: "an east-west IP in single network mode (warning)",
        explanation: "`networkMode: single` installs no east-west gateway, so `loadBalancerIPs.eastWest` \
                      reserves an address for nothing. Remove it, or use `networkMode: multi` if the pod \
                      networks cannot reach each other.",
        bad: "\
mesh:
  networkMode: single
clusters:
  - { name: mdemo-cluster1, network: flat }
  - { name: mdemo-cluster2, network: flat }
  - { name: mdemo-cluster3, network: flat }
",
        fixed: "\
mesh:
  networkMode: single
clusters:
  - { name: mdemo-cluster1, network: flat, loadBalancerIPs: { eastWest: } }
  - { name: mdemo-cluster2, network: flat, loadBalancerIPs: { eastWest: } }
  - { name: mdemo-cluster3, network: flat, loadBalancerIPs: { eastWest: } }
",
    },
    CodeInfo {
        code: LB_IP_OUTSIDE_POOLS,
        title: "a LoadBalancer IP is outside its cluster's pools",
        explanation: "MetalLB assigns a Service only an address of one of its cluster's pools; an address \
                      outside them (or a `.0`/`.255` address in a pool with `avoidBuggyIPs`) leaves the \
                      Service pending forever. Pick an address in a pool (the hint names them and a free \
                      address), or add the address to a pool. Clusters without `metallb` are not checked: \
                      their load balancers come from elsewhere.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    loadBalancerIPs:
      eastWest: 10.6.136.30
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    loadBalancerIPs:
      eastWest: 10.6.136.29
",
    },
    CodeInfo {
        code: LB_IP_IS_MASTER_IP,
        title: "a LoadBalancer IP is a master IP",
        explanation: "A master IP belongs to a node: the API server answers there. MetalLB announcing it for \
                      a Service would make two hosts claim one address. Pick a pool address instead.",
        bad: "\
clusters:
  - name: mdemo-cluster1
    loadBalancerIPs:
      ingress: 10.64.30.130
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    loadBalancerIPs:
      ingress: 10.64.30.72
",
    },
    CodeInfo {
        code: LB_IP_IN_SUBNET,
        title: "a LoadBalancer IP lies inside a pod or service subnet",
        explanation: "Inside the cluster, addresses of the pod and service subnets are routed to pods and \
                      Services, so a LoadBalancer IP there is unreachable or reaches the wrong thing. Pick a \
                      pool address outside both subnets.",
        bad: "\
clusters:
  - name: mdemo-cluster3
    loadBalancerIPs:
      eastWest: 10.100.0.77
",
        fixed: "\
clusters:
  - name: mdemo-cluster3
    loadBalancerIPs:
      eastWest: 10.64.30.77
",
    },
    CodeInfo {
        code: INVALID_POOL_ENTRY,
        title: "a pool entry is not a valid CIDR or range",
        explanation: "A MetalLB pool entry is a CIDR (`10.0.0.0/28`, no host bits) or a range \
                      (`10.0.0.1-10.0.0.9`, lower address first, one family). IPv4-mapped IPv6 is refused. A \
                      pool needs at least one entry.",
        bad: "\
clusters:
  - name: mdemo-cluster3
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.77-10.64.30.75] }
",
        fixed: "\
clusters:
  - name: mdemo-cluster3
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.75-10.64.30.77] }
",
    },
    CodeInfo {
        code: POOLS_OVERLAP,
        title: "MetalLB pools overlap",
        explanation: "An address in two pools (of one cluster, or of two clusters sharing a layer-2 \
                      network) can be handed to two Services at once, and two clusters answering ARP for one \
                      address break both. Split the addresses so each belongs to one pool. The check sorts all \
                      pool entries once and reports each overlapping entry with one entry it overlaps.",
        bad: "\
clusters:
  - name: mdemo-cluster3
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.73-10.64.30.77] }
",
        fixed: "\
clusters:
  - name: mdemo-cluster3
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.75-10.64.30.77] }
",
    },
    CodeInfo {
        code: POOL_HOLDS_MASTER_IP,
        title: "a pool holds a master IP",
        explanation: "MetalLB could hand a node's own address (its cluster's, or another cluster's on the same \
                      network) to a Service. Leave master IPs out of every pool.",
        bad: "\
clusters:
  - name: mdemo-cluster1
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.71-10.64.30.73, 10.64.30.128/30] }
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.71-10.64.30.73] }
",
    },
    CodeInfo {
        code: POOLS_EXHAUSTED,
        title: "the pools hold too few addresses for the LoadBalancer Services",
        explanation: "Checked for each cluster with `metallb` whose pool entries all parse. Its LoadBalancer \
                      Services are: the ingress gateway (every cluster); the east-west gateway (in \
                      `networkMode: multi`, where `eastWest` is set: only there is one installed); the hosted istiod (the control-plane cluster). A Service with \
                      a pinned IP (`loadBalancerIPs`) takes that address from the pool holding it, whatever \
                      that pool's `autoAssign`. Each Service without a pinned IP needs one address of the \
                      cluster's primary family (that of its first `podSubnet` CIDR) from a pool with \
                      `autoAssign` (default true). Addresses are counted as MetalLB hands them out: with \
                      `avoidBuggyIPs`, IPv4 addresses ending in `.0` or `.255` do not count. The error comes \
                      when the Services without a pinned IP outnumber the addresses left in autoAssign pools \
                      after the pinned IPs. Add addresses to a pool, or pin each Service's IP.",
        bad: "\
clusters:
  - name: mdemo-cluster3
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.77/32] }
",
        fixed: "\
clusters:
  - name: mdemo-cluster3
    metallb:
      pools:
        - { name: first-pool, addresses: [10.64.30.75-10.64.30.77] }
",
    },
    CodeInfo {
        code: LB_IP_REUSED,
        title: "a LoadBalancer IP is used twice",
        explanation: "Every LoadBalancer Service in the mesh needs its own address: two Services (in one \
                      cluster or in two) cannot both be reached at one address. Pick another address; the hint \
                      names a free one of the cluster's pools.",
        bad: "\
clusters:
  - name: mdemo-cluster1
    loadBalancerIPs:
      ingress: 10.64.30.73
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    loadBalancerIPs:
      ingress: 10.64.30.72
",
    },
    CodeInfo {
        code: LB_IPS_SPLIT_OVER_POOLS,
        title: "a dual-stack LoadBalancer IP pair is split over two pools",
        explanation: "A dual-stack Service asks MetalLB for one address per family (`metallb.io/loadBalancerIPs: \
                      v4,v6`), and MetalLB grants requested addresses only when a single pool holds all of them; \
                      otherwise the Service stays without an address. Put both families' ranges in one pool.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    metallb:
      pools:
        - name: first-pool
          addresses: [10.6.136.25-10.6.136.29]
        - name: v6-pool
          addresses: [fd00:6::10-fd00:6::1f]
    loadBalancerIPs:
      eastWest: 10.6.136.29,fd00:6::10
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    metallb:
      pools:
        - name: first-pool
          addresses: [10.6.136.25-10.6.136.29, fd00:6::10-fd00:6::1f]
    loadBalancerIPs:
      eastWest: 10.6.136.29,fd00:6::10
",
    },
    CodeInfo {
        code: INVALID_INTERFACE,
        title: "a MetalLB L2 interface is not a network interface name",
        explanation: "`metallb.interfaces` names the nodes' network interfaces MetalLB announces from \
                      (L2Advertisement `interfaces`). Linux takes a name of 1 to 15 bytes without `/`, `:` \
                      or white space, other than `.` and `..` (`dev_valid_name`, net/core/dev.c); meshgen \
                      also refuses control and invisible characters (bidi controls, zero-width spaces, line \
                      separators), which no reviewer can see. Write the name `ip link` shows.",
        bad: "\
clusters:
  - name: mdemo-cluster1
    metallb:
      interfaces: [\"enp1s0\\u200B\"]
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    metallb:
      interfaces: [enp1s0]
",
    },
    CodeInfo {
        code: INVALID_MESH_VERSION,
        title: "the mesh version is not MAJOR.MINOR.PATCH[-suffix]",
        explanation: "`mesh.version` is the Mspider mesh release, e.g. `1.15.3-mspider`; it is also the image \
                      tag of the mesh components, and its MAJOR.MINOR is the Istio release used to judge \
                      Kubernetes support (MG062). No leading `v`; a suffix holds letters, digits, `.` and `-`.",
        bad: "\
mesh:
  version: v1.15.3
",
        fixed: "\
mesh:
  version: 1.15.3-mspider
",
    },
    CodeInfo {
        code: INVALID_KUBERNETES_VERSION,
        title: "kubernetesVersion is not MAJOR.MINOR[.PATCH]",
        explanation: "A cluster's `kubernetesVersion` is `MAJOR.MINOR` or `MAJOR.MINOR.PATCH`, e.g. `\"1.25\"`. \
                      Quote it in YAML: unquoted, `1.30` is a number to YAML tools and to the plan's schema \
                      (an editor flags it), and a tool that rewrites the file may turn it into 1.3.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    kubernetesVersion: v1.25
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    kubernetesVersion: \"1.25\"
",
    },
    CodeInfo {
        code: UNSUPPORTED_KUBERNETES_VERSION,
        title: "Kubernetes version outside what the mesh's Istio release supports (warning)",
        explanation: "Istio publishes which Kubernetes minors each release supports (istio.io, Supported \
                      Releases); meshgen embeds that table. The mesh version's MAJOR.MINOR (`1.15` of \
                      `1.15.3-mspider`) is the Istio release. A cluster outside its range may work, but Istio \
                      does not test or patch that pairing. An Istio release newer than the table gives no \
                      warning. `--deny-warnings` makes this an error.",
        bad: "\
clusters:
  - name: mdemo-cluster2
    kubernetesVersion: \"1.28\"
",
        fixed: "\
clusters:
  - name: mdemo-cluster2
    kubernetesVersion: \"1.25\"
",
    },
    CodeInfo {
        code: UNKNOWN_DEMO_CLUSTER,
        title: "the demo names a cluster that is not in the plan",
        explanation: "`demo.helloworld.versions` (cluster to version) and `demo.sleep.clusters` place the demo \
                      apps in clusters by name; each name must be one of `clusters`.",
        bad: "\
demo:
  sleep:
    clusters: [mdemo-cluster1, mdemo-cluster2, mdemo-cluster03]
",
        fixed: "\
demo:
  sleep:
    clusters: [mdemo-cluster1, mdemo-cluster2, mdemo-cluster3]
",
    },
    CodeInfo {
        code: DUPLICATE_HELLOWORLD_VERSION,
        title: "a helloworld version is used twice",
        explanation: "The verification loop (`curl helloworld.sample:5000/hello` from sleep) tells the \
                      clusters apart by the version that answers; two clusters with one version cannot be told \
                      apart. Give each cluster its own version.",
        bad: "\
demo:
  helloworld:
    versions:
      mdemo-cluster3: vc2
",
        fixed: "\
demo:
  helloworld:
    versions:
      mdemo-cluster3: vc3
",
    },
    CodeInfo {
        code: DUPLICATE_SLEEP_CLUSTER,
        title: "sleep lists a cluster twice",
        explanation: "sleep runs once per cluster; a cluster listed twice is usually a typo for another \
                      cluster (the seed's own demo table names cluster1 three times).",
        bad: "\
demo:
  sleep:
    clusters: [mdemo-cluster1, mdemo-cluster2, mdemo-cluster2]
",
        fixed: "\
demo:
  sleep:
    clusters: [mdemo-cluster1, mdemo-cluster2, mdemo-cluster3]
",
    },
    CodeInfo {
        code: INVALID_IMAGE_REFERENCE,
        title: "a registry or image does not look like an image reference (warning)",
        explanation: "`mesh.registry` is a registry and repository prefix (`release.daocloud.io/mspider`, no \
                      tag: the mesh version is the tag); demo images are image references \
                      (`[host[:port]/]path[:tag][@digest]`, path in lower case). meshgen writes these values \
                      exactly as given, safely quoted, but a container runtime will not pull a malformed \
                      reference.",
        bad: "\
mesh:
  registry: release.daocloud.io/mspider:1.15.3
",
        fixed: "\
mesh:
  registry: release.daocloud.io/mspider
",
    },
    // gitops
    CodeInfo {
        code: GITOPS_NO_DESTINATION,
        title: "a cluster has no GitOps destination",
        explanation: concat!(
            "With `gitops.argocd` (or `gitops.flux`) enabled, every cluster of the mesh needs an entry ",
            "in its `clusters` map: meshgen writes one Application (Kustomization) per stage of every ",
            "cluster and cannot guess how to reach a cluster. The global cluster needs none: GitOps ",
            "syncs only the stage folders of the mesh clusters, never the patches in global/.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  argocd:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { name: in-cluster }\n",
            "      mdemo-cluster2: { server: \"https://10.6.230.5:6443\" }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  argocd:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { name: in-cluster }\n",
            "      mdemo-cluster2: { server: \"https://10.6.230.5:6443\" }\n",
            "      mdemo-cluster3: { server: \"https://10.64.30.131:6443\" }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_UNKNOWN_CLUSTER,
        title: "a GitOps destination names no cluster of the plan",
        explanation: concat!(
            "The keys of `gitops.argocd.clusters` and `gitops.flux.clusters` are cluster names from ",
            "`clusters[].name`. A key that names no cluster is a typo or a leftover of a removed ",
            "cluster. The global cluster is not a key: nothing is synced to it (its changes are ",
            "patches, applied by the runbook).",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-clustr3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_REPO_URL,
        title: "gitops.repoURL is not a git URL that both Argo CD and Flux accept",
        explanation: concat!(
            "The repository URL goes into the Argo CD Applications and the Flux GitRepository. Flux ",
            "accepts only `http://`, `https://` and `ssh://` URLs, so meshgen asks for one of those, ",
            "with a host and no spaces. Write an scp-like address (`git@host:org/repo.git`) as ",
            "`ssh://git@host/org/repo.git`.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: git@github.com:example/mesh.git\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: ssh://git@github.com/example/mesh.git\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_REVISION,
        title: "gitops.revision is not a branch, full ref or commit",
        explanation: concat!(
            "The revision is what Argo CD (`targetRevision`) and Flux (`ref`) follow: a branch name, a ",
            "full ref such as `refs/tags/v1.2.0`, or a 40-hex commit SHA. It must be a valid git ref ",
            "name: no spaces or control characters, no `..`, `@{`, `~`, `^`, `:`, `?`, `*`, `[` or `\\`, ",
            "no part starting with `.`, no leading `-` or `/`, no trailing `/`, `.` or `.lock`. Name ",
            "the branch rather than `HEAD`. Flux reads a short name as a branch, so write a tag as ",
            "`refs/tags/NAME`.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  revision: release 1.0\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  revision: refs/tags/release-1.0\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_PATH,
        title: "gitops.path is not a folder inside the repository",
        explanation: concat!(
            "The path is the folder of the rendered tree (the `-o` folder) relative to the root of the ",
            "repository, with `/` between parts, e.g. `deploy/mesh`; `.` is the root. An absolute path, ",
            "an empty part, a `..` part or a backslash cannot name a folder of the repository.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  path: ../deploy/mesh\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  path: deploy/mesh\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_INTERVAL,
        title: "gitops.flux.interval is not a Flux duration",
        explanation: concat!(
            "Flux reads intervals as Go durations: one or more numbers, each followed by a unit `ms`, ",
            "`s`, `m` or `h`, such as `30s`, `10m` or `1h30m` (no spaces, no days). The interval must ",
            "be longer than zero.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  flux:\n",
            "    interval: 10 minutes\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  flux:\n",
            "    interval: 10m\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_NAME,
        title: "a name in the gitops section is not a valid Kubernetes name",
        explanation: concat!(
            "Namespaces (`gitops.argocd.namespace`, `gitops.flux.namespace`) are RFC 1123 labels; the ",
            "Argo CD project and Secret names are RFC 1123 subdomains (lower-case letters, digits, `-` ",
            "and `.`); a Secret key holds letters, digits, `-`, `_` and `.`. meshgen names each ",
            "Application and Kustomization `<cluster>-<stage>`, and Flux (and Argo CD's label tracking) ",
            "put that name in a label, so a cluster name must leave room for the longest stage suffix ",
            "within 63 characters.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  flux:\n",
            "    namespace: Flux_System\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  flux:\n",
            "    namespace: flux-system\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_DESTINATION,
        title: "a GitOps destination is malformed",
        explanation: concat!(
            "An Argo CD destination sets exactly one of `server` (the API server URL as registered in ",
            "Argo CD, `https://...`) and `name` (the cluster's name in Argo CD). A Flux target sets ",
            "exactly one of `local: true` (the cluster Flux runs in) and `kubeConfigSecret` (the Secret ",
            "holding a remote cluster's kubeconfig); `kubeConfigKey` goes only with `kubeConfigSecret`.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  argocd:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { name: in-cluster }\n",
            "      mdemo-cluster2: { server: \"https://10.6.230.5:6443\" }\n",
            "      mdemo-cluster3: { server: \"10.64.30.131:6443\", name: cluster3 }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  argocd:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { name: in-cluster }\n",
            "      mdemo-cluster2: { server: \"https://10.6.230.5:6443\" }\n",
            "      mdemo-cluster3: { server: \"https://10.64.30.131:6443\" }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_NO_TOOL,
        title: "the gitops section enables neither Argo CD nor Flux",
        explanation: concat!(
            "A `gitops` section without `argocd` or `flux` renders nothing. Add the tool you use, or ",
            "remove the section.",
        ),
        bad: concat!("gitops:\n", "  repoURL: https://git.example.com/mesh.git\n",),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  flux:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { local: true }\n",
            "      mdemo-cluster2: { kubeConfigSecret: mdemo-cluster2-kubeconfig }\n",
            "      mdemo-cluster3: { kubeConfigSecret: mdemo-cluster3-kubeconfig }\n",
        ),
    },
    CodeInfo {
        code: GITOPS_SHARED_DESTINATION,
        title: "two clusters have the same GitOps destination",
        explanation: concat!(
            "Two clusters of the mesh are different clusters, so they cannot be reached at the same API ",
            "server, Argo CD cluster name or kubeconfig Secret, and only one can be the cluster Flux ",
            "runs in. One entry was most likely copied and not edited; as written, both clusters' ",
            "stages would be applied to one cluster.",
        ),
        bad: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  argocd:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { name: in-cluster }\n",
            "      mdemo-cluster2: { server: \"https://10.6.230.5:6443\" }\n",
            "      mdemo-cluster3: { server: \"https://10.6.230.5:6443\" }\n",
        ),
        fixed: concat!(
            "gitops:\n",
            "  repoURL: https://git.example.com/mesh.git\n",
            "  argocd:\n",
            "    clusters:\n",
            "      mdemo-cluster1: { name: in-cluster }\n",
            "      mdemo-cluster2: { server: \"https://10.6.230.5:6443\" }\n",
            "      mdemo-cluster3: { server: \"https://10.64.30.131:6443\" }\n",
        ),
    },
    CodeInfo {
        code: FALLBACK_HOST_PORTS_EXHAUSTED,
        title: "the NodePort fallback host ports run out",
        explanation: "Each cluster's kind configuration forwards a host port to the east-west gateway's \
                      NodePort fallback, so that kind clusters on one machine reach each other: the cluster at \
                      place N of the plan (from 0) gets port 35443 + N. Ports end at 65535, so a cluster with \
                      an east-west gateway must be among the first 30,093 of the plan. List the clusters with \
                      an east-west gateway first, or split the mesh into more plans. (A test generates the \
                      30,094-cluster plan of this example.)",
        bad: "\
# 30,093 clusters, then one more with an east-west gateway:
clusters:
  # - name: cluster-00000 ... cluster-30092
  - name: cluster-30093
    loadBalancerIPs:
      eastWest: 100.67.171.104
",
        fixed: "\
# the same clusters, those with an east-west gateway listed first
clusters:
  - name: cluster-30093
    loadBalancerIPs:
      eastWest: 100.67.171.104
  # - name: cluster-00000 ... cluster-30092
",
    },
    CodeInfo {
        code: FILE_NAME_TOO_LONG,
        title: "a node or pool name makes a file name longer than 255 bytes",
        explanation: "A Kubernetes node or object name may have 253 characters, but meshgen writes each node's \
                      label patch to `patches/node-<name>.yaml` and each MetalLB pool to \
                      `metallb/ipaddresspool-<name>.yaml`, and a file name has at most 255 bytes (`NAME_MAX`), \
                      so `render` could not write the file. Node names are at most 245 characters here, pool \
                      names 236; real ones are far shorter, so such a name is usually a pasting mistake.",
        bad: "\
clusters:
  - name: mdemo-cluster1
    nodes:
      - name: node-01.rack-07.room-3.building-b.campus-north.region-emea.example-corporation.internal.cluster-one.kubernetes.infrastructure.platform-team.operations.department.company-holding.example.com.some-more-parts.and-even-more-parts-to-pass-the-limit.xy
        region: region1
        zone: zone1
",
        fixed: "\
clusters:
  - name: mdemo-cluster1
    nodes:
      - name: master
        region: region1
        zone: zone1
",
    },
];

/// The entry for `code` (case-insensitive), if meshgen has one.
pub fn info(code: &str) -> Option<&'static CodeInfo> {
    ALL.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

// gitops
/// A mesh cluster has no destination for an enabled GitOps tool.
pub const GITOPS_NO_DESTINATION: &str = "MG090";
/// A key of `gitops.*.clusters` names no cluster of the plan.
pub const GITOPS_UNKNOWN_CLUSTER: &str = "MG091";
/// `gitops.repoURL` is not an http(s) or ssh URL.
pub const GITOPS_REPO_URL: &str = "MG092";
/// `gitops.revision` is not a branch, ref or commit.
pub const GITOPS_REVISION: &str = "MG093";
/// `gitops.path` is not a relative folder.
pub const GITOPS_PATH: &str = "MG094";
/// `gitops.flux.interval` is not a Flux duration.
pub const GITOPS_INTERVAL: &str = "MG095";
/// A namespace, project, Secret name or Secret key in the gitops section is not valid.
pub const GITOPS_NAME: &str = "MG096";
/// A destination does not set exactly one target, or its server URL or name is malformed.
pub const GITOPS_DESTINATION: &str = "MG097";
/// (warning) The gitops section enables neither Argo CD nor Flux.
pub const GITOPS_NO_TOOL: &str = "MG098";
/// (warning) Two clusters have the same destination.
pub const GITOPS_SHARED_DESTINATION: &str = "MG099";

// Limits of the rendered tree (MG100).
/// The NodePort fallback host ports (35443-65535) run out: too many clusters before one with an east-west gateway.
pub const FALLBACK_HOST_PORTS_EXHAUSTED: &str = "MG100";
/// A node or pool name makes a file name longer than 255 bytes.
pub const FILE_NAME_TOO_LONG: &str = "MG101";
