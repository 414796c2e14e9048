//! Every diagnostic code meshgen emits, with the long explanation `meshgen explain` prints.
//!
//! Codes are stable: scripts match on them. A code is never reused for another meaning.

/// The plan text does not parse (YAML/TOML syntax, encoding, empty file).
pub const SYNTAX: &str = "MG001";
/// The plan parses but does not fit the format: unknown, missing or mistyped field.
pub const SHAPE: &str = "MG002";

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
