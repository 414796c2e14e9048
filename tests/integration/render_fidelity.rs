//! Issue 11: what a real Mspider platform, kubeadm, MetalLB, Istio and Argo CD do with the
//! rendered files. Each test pins a rendered fact that the upstream source named in the
//! model (or the README) decides; the patches are applied with `kubectl patch --local` to
//! stand-in objects shaped as those sources show them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use meshgen::{Format, Options, Source, Tree};

const CASES: [&str; 5] = [
    "demo",
    "dual-stack",
    "five-clusters",
    "gitops",
    "single-network",
];
const PARAMS: &str = "istio.custom_params.values.global.";
const EXCLUDE_LABEL: &str = "node.kubernetes.io/exclude-from-external-load-balancers";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn plan_text(case: &str) -> String {
    std::fs::read_to_string(root().join(format!("golden/{case}/plan.yaml"))).unwrap()
}

fn compile_text(text: &str) -> Result<Tree, meshgen::CompileError> {
    let source = Source::new("plan.yaml", text.to_owned(), Format::Yaml);
    meshgen::compile(&source, &Options::default()).map(|(tree, _)| tree)
}

fn tree(case: &str) -> Tree {
    compile_text(&plan_text(case)).unwrap_or_else(|e| panic!("{case}: {e:?}"))
}

fn text<'a>(tree: &'a Tree, path: &str) -> &'a str {
    let bytes = tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not rendered"));
    std::str::from_utf8(bytes).unwrap()
}

fn yaml(tree: &Tree, path: &str) -> Value {
    let mut docs: Vec<Value> = serde_saphyr::from_multiple(text(tree, path)).unwrap();
    docs.remove(0)
}

fn yaml_docs(tree: &Tree, path: &str) -> Vec<Value> {
    serde_saphyr::from_multiple(text(tree, path)).unwrap()
}

/// `kubectl`, or `None` (and a visible note) when it is not installed.
fn kubectl(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("kubectl"))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        eprintln!("SKIPPED {test}: kubectl is not on PATH");
    }
    found
}

/// `kubectl patch --local` of `object` with the patch file `patch` (`merge` or `json`): the
/// object kubectl prints, or kubectl's error. No API server and no kubeconfig are involved.
fn kubectl_patch(
    kubectl: &Path,
    object: &Value,
    kind: &str,
    patch: &Path,
) -> Result<Value, String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("object.json");
    std::fs::write(&file, serde_json::to_vec(object).unwrap()).unwrap();
    let output = Command::new(kubectl)
        .env("KUBECONFIG", dir.path().join("no-kubeconfig"))
        .args(["patch", "--local", "-o", "json", "--type", kind, "-f"])
        .arg(&file)
        .arg("--patch-file")
        .arg(patch)
        .output()
        .expect("kubectl runs");
    if output.status.success() {
        Ok(serde_json::from_slice(&output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// A Node as kubeadm registers a control-plane node
/// (`cmd/kubeadm/app/phases/markcontrolplane/markcontrolplane.go`).
fn kubeadm_node(name: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "node-role.kubernetes.io/control-plane": "",
            EXCLUDE_LABEL: "",
        }},
        "spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}
    })
}

/// Every patch file of the golden trees applies with `kubectl patch --local` to a stand-in
/// of the object it changes, and the result is what the patch means: nodes keep kubeadm's
/// labels and gain the topology (losing the exclude label where the cluster has no
/// worker), `istio-system` gains its network, Services their MetalLB settings, the
/// GlobalMesh keeps its other params, each MeshCluster entry as the seed documents it gains
/// only the network ID (and, where pinned, the istiod-remote family), and `argocd-cm`
/// gains the Application health check beside its own keys.
#[test]
fn every_patch_of_the_golden_trees_applies_with_kubectl() {
    let Some(kubectl) = kubectl("every_patch_of_the_golden_trees_applies_with_kubectl") else {
        return;
    };
    let mut applied = BTreeSet::new();
    for case in CASES {
        let out = root().join(format!("golden/{case}/out"));
        let plan: meshgen::Plan = serde_saphyr::from_str(&plan_text(case)).unwrap();
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let rel = file
                .strip_prefix(&out)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let body = std::fs::read_to_string(&file).unwrap();
            let parts: Vec<&str> = rel.split('/').collect();
            let result = match parts.as_slice() {
                ["clusters", cluster, "patches", name] => {
                    let patch: Value = if name.ends_with(".json") {
                        serde_json::from_str(&body).unwrap()
                    } else {
                        serde_saphyr::from_str(&body).unwrap()
                    };
                    let meta = &patch["metadata"];
                    let object = match patch["kind"].as_str().unwrap() {
                        "Node" => kubeadm_node(meta["name"].as_str().unwrap()),
                        "Namespace" => json!({"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": "istio-system", "labels": {
                                "kubernetes.io/metadata.name": "istio-system"}}}),
                        "Service" => json!({"apiVersion": "v1", "kind": "Service",
                            "metadata": {"name": meta["name"], "namespace": "istio-system",
                                "annotations": {"mspider.io/owner": "kept"}},
                            "spec": {"type": "LoadBalancer", "ipFamilyPolicy": "SingleStack",
                                "ports": [{"name": "tls", "port": 15443}]}}),
                        other => panic!("{case}/{rel}: no stand-in for a {other}"),
                    };
                    let got = kubectl_patch(&kubectl, &object, "merge", &file)
                        .unwrap_or_else(|e| panic!("{case}/{rel}: {e}"));
                    check_patched(case, cluster, &plan, &object, &patch, &got);
                    got
                }
                ["global", "globalmesh.yaml"] => {
                    let object = json!({"apiVersion": "discovery.mspider.io/v3alpha1",
                        "kind": "GlobalMesh",
                        "metadata": {"name": plan.mesh.id, "namespace": "mspider-system"},
                        "spec": {"mode": "HOSTED", "ownerCluster": plan.mesh.control_plane_cluster,
                            "ownerConfig": {"deployNamespace": "istio-system", "controlPlaneParams": {
                                "global.high_available": "true"}}}});
                    let got = kubectl_patch(&kubectl, &object, "merge", &file)
                        .unwrap_or_else(|e| panic!("{case}/{rel}: {e}"));
                    let params = &got["spec"]["ownerConfig"]["controlPlaneParams"];
                    assert_eq!(params["global.high_available"], "true", "{case}: kept");
                    assert!(params[format!("{PARAMS}remotePilotAddress")].is_string());
                    assert_eq!(got["spec"]["mode"], "HOSTED");
                    got
                }
                ["global", name] if name.starts_with("meshcluster-") => {
                    let cluster = name
                        .trim_start_matches("meshcluster-")
                        .trim_end_matches(".json");
                    let seed_entry = json!({"params": {
                        "global.meshID": plan.mesh.id,
                        "global.clusterRole": "HOSTED_WORKLOAD_CLUSTER"}});
                    let object = json!({"apiVersion": "discovery.mspider.io/v3alpha1",
                        "kind": "MeshCluster",
                        "metadata": {"name": cluster, "namespace": "mspider-system"},
                        "spec": {"clusterName": cluster, "meshedParams": [seed_entry]}});
                    let got = kubectl_patch(&kubectl, &object, "json", &file)
                        .unwrap_or_else(|e| panic!("{case}/{rel}: {e}"));
                    let params = got["spec"]["meshedParams"][0]["params"]
                        .as_object()
                        .unwrap();
                    let network = &plan
                        .clusters
                        .iter()
                        .find(|c| c.name == cluster)
                        .unwrap()
                        .network;
                    assert_eq!(
                        params[&format!("{PARAMS}network")],
                        json!(network),
                        "{case}/{rel}"
                    );
                    assert_eq!(params["global.meshID"], json!(plan.mesh.id));
                    assert_eq!(params["global.clusterRole"], "HOSTED_WORKLOAD_CLUSTER");
                    let added: BTreeSet<&str> = params
                        .keys()
                        .map(String::as_str)
                        .filter(|k| !k.starts_with("global."))
                        .collect();
                    assert!(
                        added.iter().all(|k| [
                            format!("{PARAMS}network"),
                            format!("{PARAMS}ipFamilyPolicy"),
                            format!("{PARAMS}ipFamilies[0]")
                        ]
                        .iter()
                        .any(|allowed| allowed == k)),
                        "{case}/{rel}: {added:?}"
                    );
                    // Another mesh's entry first: the test op refuses the whole patch.
                    let other = json!({"apiVersion": "discovery.mspider.io/v3alpha1",
                        "kind": "MeshCluster", "metadata": {"name": cluster},
                        "spec": {"meshedParams": [{"params": {"global.meshID": "other"}}]}});
                    assert!(kubectl_patch(&kubectl, &other, "json", &file).is_err());
                    got
                }
                ["gitops", "argocd", "argocd-cm-application-health.yaml"] => {
                    let object = json!({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "argocd-cm", "namespace": "argocd",
                            "labels": {"app.kubernetes.io/part-of": "argocd"}},
                        "data": {"url": "https://argocd.example.com"}});
                    let got = kubectl_patch(&kubectl, &object, "merge", &file)
                        .unwrap_or_else(|e| panic!("{case}/{rel}: {e}"));
                    assert_eq!(got["data"]["url"], "https://argocd.example.com");
                    let lua = got["data"]["resource.customizations.health.argoproj.io_Application"]
                        .as_str()
                        .unwrap();
                    assert!(
                        lua.contains("hs.status = obj.status.health.status"),
                        "{lua}"
                    );
                    assert_eq!(
                        got["metadata"]["labels"]["app.kubernetes.io/part-of"],
                        "argocd"
                    );
                    got
                }
                _ => continue,
            };
            assert!(result.is_object());
            applied.insert(format!("{case}/{rel}"));
        }
    }
    // Every kind of patch was met (a tree that lost its patches would pass vacuously).
    for expected in [
        "demo/clusters/mdemo-cluster1/patches/node-master.json",
        "demo/clusters/mdemo-cluster1/patches/namespace-istio-system.yaml",
        "demo/clusters/mdemo-cluster1/patches/service-istio-ingressgateway.yaml",
        "demo/global/globalmesh.yaml",
        "demo/global/meshcluster-mdemo-cluster2.json",
        "dual-stack/clusters/ds-one/patches/service-istiod-ds-mesh-hosted-lb.yaml",
        "dual-stack/global/meshcluster-ds-two.json",
        "five-clusters/clusters/alpha/patches/node-alpha-cp-1.yaml",
        "gitops/gitops/argocd/argocd-cm-application-health.yaml",
    ] {
        assert!(applied.contains(expected), "{expected} was not applied");
    }
}

/// What a patched Node, Namespace or Service must hold.
fn check_patched(
    case: &str,
    cluster: &str,
    plan: &meshgen::Plan,
    before: &Value,
    patch: &Value,
    got: &Value,
) {
    let kind = patch["kind"].as_str().unwrap();
    let labels = &got["metadata"]["labels"];
    match kind {
        "Node" => {
            let c = plan.clusters.iter().find(|c| c.name == cluster).unwrap();
            let name = patch["metadata"]["name"].as_str().unwrap();
            let node = c.nodes.iter().find(|n| n.name == name).unwrap();
            assert_eq!(labels["topology.kubernetes.io/region"], json!(node.region));
            assert_eq!(labels["topology.kubernetes.io/zone"], json!(node.zone));
            assert_eq!(
                labels["kubernetes.io/hostname"],
                json!(name),
                "kubeadm's kept"
            );
            // kubeadm's exclude label goes exactly on clusters without a worker node
            // (MetalLB announces nothing from a node that has it).
            let has_worker = c.nodes.iter().enumerate().any(|(i, n)| {
                n.role
                    .map_or(i > 0, |r| r == meshgen::plan::NodeRole::Worker)
            });
            assert_eq!(
                labels.get(EXCLUDE_LABEL).is_some(),
                has_worker,
                "{case}/{cluster}/{name}: {labels}"
            );
        }
        "Namespace" => {
            let c = plan.clusters.iter().find(|c| c.name == cluster).unwrap();
            assert_eq!(labels["topology.istio.io/network"], json!(c.network));
            assert_eq!(labels["kubernetes.io/metadata.name"], "istio-system");
        }
        "Service" => {
            let annotations = &got["metadata"]["annotations"];
            assert_eq!(annotations["mspider.io/owner"], "kept");
            for (key, value) in patch["metadata"]["annotations"]
                .as_object()
                .into_iter()
                .flatten()
            {
                assert_eq!(&annotations[key], value, "{case}/{cluster}");
            }
            let policy = patch["spec"]["ipFamilyPolicy"].clone();
            let expected = if policy.is_null() {
                before["spec"]["ipFamilyPolicy"].clone()
            } else {
                policy
            };
            assert_eq!(got["spec"]["ipFamilyPolicy"], expected);
            assert!(got["spec"].get("loadBalancerIP").is_none());
        }
        other => panic!("{other}"),
    }
}

/// Item 2: a kubeadm cluster without workers gets `taints: []` (kubeadm
/// `NodeRegistrationOptions.Taints`: unset means the control-plane `NoSchedule` taint), the
/// one-line command is followed by the untaint, and the node patch removes kubeadm's exclude
/// label (checked by the runbook). A cluster with workers gets neither.
#[test]
fn single_node_kubeadm_clusters_schedule_and_announce() {
    let demo = tree("demo");
    let init = &yaml_docs(&demo, "bootstrap/mdemo-cluster1/kubeadm-config.yaml")[0];
    assert_eq!(init["nodeRegistration"]["taints"], json!([]));
    let readme = text(&demo, "README.md");
    assert!(readme.contains(
        "kubectl --kubeconfig /etc/kubernetes/admin.conf taint nodes master node-role.kubernetes.io/control-plane:NoSchedule-"
    ));
    assert!(readme.contains(
        "kubectl --context mdemo-cluster1 get node master -o jsonpath='{.spec.taints}{\"|\"}{.metadata.labels.node\\.kubernetes\\.io/exclude-from-external-load-balancers}{\"\\n\"}'"
    ));
    let patch: Value = serde_json::from_str(text(
        &demo,
        "clusters/mdemo-cluster1/patches/node-master.json",
    ))
    .unwrap();
    assert_eq!(patch["metadata"]["labels"][EXCLUDE_LABEL], Value::Null);
    assert!(patch["metadata"]["labels"].get(EXCLUDE_LABEL).is_some());

    let five = tree("five-clusters");
    let init = &yaml_docs(&five, "bootstrap/alpha/kubeadm-config.yaml")[0];
    assert!(init["nodeRegistration"].get("taints").is_none());
    let patch = yaml(&five, "clusters/alpha/patches/node-alpha-cp-1.yaml");
    assert!(patch["metadata"]["labels"].get(EXCLUDE_LABEL).is_none());
    assert!(!text(&five, "README.md").contains("taint nodes"));

    // kind removes the label only from a one-node cluster: two control planes, no worker.
    let plan = plan_text("dual-stack").replace(
        "      - { name: two-worker, region: eu, zone: eu-2, subzone: hall-c }",
        "      - { name: two-control-plane2, role: control-plane, region: eu, zone: eu-2 }",
    );
    let kind = compile_text(&plan).unwrap();
    assert!(text(&kind, "README.md").contains(
        "kubectl --context ds-two label nodes --all node.kubernetes.io/exclude-from-external-load-balancers-"
    ));
    assert!(!text(&tree("dual-stack"), "README.md").contains("label nodes --all"));
}

/// Item 3: the hosted istiod is probed on 15017 (Mspider v0.17.0 removed 443 from its
/// Service), expecting the `400` a TLS port answers to plain HTTP.
#[test]
fn the_hosted_istiod_is_probed_on_its_webhook_port() {
    for case in CASES {
        let t = tree(case);
        let readme = text(&t, "README.md");
        assert!(!readme.contains(":443"), "{case}");
        assert!(!readme.contains("curl -sSI"), "{case}");
        if readme.contains("run istiod-probe") {
            assert!(readme.contains(":15017/"), "{case}");
            assert!(readme.contains("Each prints `400`."), "{case}");
        }
    }
}

/// Item 4: a DNS domain other than `cluster.local` reaches Istio as
/// `global.proxy.clusterDomain`, in the GlobalMesh params and every east-west gateway.
#[test]
fn a_custom_dns_domain_reaches_istio() {
    let five = tree("five-clusters");
    let mesh = yaml(&five, "global/globalmesh.yaml");
    let params = &mesh["spec"]["ownerConfig"]["controlPlaneParams"];
    assert_eq!(
        params[format!("{PARAMS}proxy.clusterDomain")],
        "corp.internal"
    );
    for cluster in ["alpha", "gamma", "delta", "epsilon"] {
        let iop = yaml(
            &five,
            &format!("clusters/{cluster}/istio/eastwest-gateway.yaml"),
        );
        assert_eq!(
            iop["spec"]["values"]["global"]["proxy"]["clusterDomain"], "corp.internal",
            "{cluster}"
        );
    }
    assert!(text(&five, "README.md").contains(
        "kubectl --context beta get configmap istio-sidecar-injector -n istio-system -o yaml | grep -c corp.internal"
    ));
    let demo = tree("demo");
    let mesh = yaml(&demo, "global/globalmesh.yaml");
    let params = mesh["spec"]["ownerConfig"]["controlPlaneParams"]
        .as_object()
        .unwrap();
    assert!(!params.keys().any(|k| k.contains("clusterDomain")));
    let iop = yaml(&demo, "clusters/mdemo-cluster1/istio/eastwest-gateway.yaml");
    assert!(iop["spec"]["values"]["global"].get("proxy").is_none());
}

/// Item 5: ds-two's Services are IPv6 first and the hosted istiod is reached at IPv4, so its
/// MeshCluster pins the istiod-remote Service to IPv4 (the chart reads `global.ipFamilies`
/// from Istio 1.20); ds-one, IPv4 first, needs nothing. Where no setting can help, the plan is
/// refused (MG023).
#[test]
fn dual_stack_remotes_reach_istiod_in_its_family() {
    let t = tree("dual-stack");
    let ops = |cluster: &str| -> Vec<(String, Value)> {
        let ops: Value =
            serde_json::from_str(text(&t, &format!("global/meshcluster-{cluster}.json"))).unwrap();
        ops.as_array()
            .unwrap()
            .iter()
            .map(|op| (op["path"].as_str().unwrap().to_owned(), op["value"].clone()))
            .collect()
    };
    let entry = "/spec/meshedParams/0/params/";
    let two = ops("ds-two");
    assert!(two.contains(&(format!("{entry}{PARAMS}ipFamilies[0]"), json!("IPv4"))));
    assert!(two.contains(&(
        format!("{entry}{PARAMS}ipFamilyPolicy"),
        json!("SingleStack")
    )));
    assert!(!ops("ds-one").iter().any(|(p, _)| p.contains("ipFamil")));
    assert!(text(&t, "README.md").contains(
        "kubectl --context ds-two get service istiod-remote istiod -n istio-system --ignore-not-found -o jsonpath="
    ));

    let refused = |plan: String, path: &str| {
        let Err(meshgen::CompileError::Plan(d)) = compile_text(&plan) else {
            panic!("{path}: accepted");
        };
        assert!(
            d.iter().any(|d| d.code == "MG023" && d.path == path),
            "{path}: {:?}",
            d.iter()
                .map(|d| (d.code.as_str(), d.path.clone()))
                .collect::<Vec<_>>()
        );
    };
    // Istio 1.19's chart has no ipFamilies: an IPv6-first cluster cannot be pinned.
    refused(
        plan_text("dual-stack").replace("version: 1.24.5-mspider", "version: 1.19.3-mspider"),
        "clusters[1].serviceSubnet",
    );
    // An IPv6-only Service network has no family of the IPv4 istiod address.
    refused(
        plan_text("dual-stack").replace(
            "serviceSubnet: fd00:20:96::/112,10.97.0.0/16",
            "serviceSubnet: fd00:20:96::/112",
        ),
        "clusters[1].serviceSubnet",
    );
    // An IPv6 remotePilotAddress is an ExternalName host before Istio 1.30.
    refused(
        plan_text("dual-stack").replace(
            "istiod: 192.168.50.100,fd00:50::100",
            "istiod: \"fd00:50::100\"",
        ),
        "clusters[0].loadBalancerIPs.istiod",
    );
}

/// Item 8: `metallb.version` picks the annotation prefix, the manifest and the webhook
/// Service; releases before the CRDs are refused.
#[test]
fn the_metallb_version_picks_what_metallb_reads() {
    let old = tree("single-network");
    let patch = yaml(
        &old,
        "clusters/flat-east/patches/service-istio-ingressgateway.yaml",
    );
    let keys: Vec<&String> = patch["metadata"]["annotations"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert!(
        keys.iter().all(|k| k.starts_with("metallb.universe.tf/")),
        "{keys:?}"
    );
    let readme = text(&old, "README.md");
    assert!(readme.contains("metallb/v0.14.8/config/manifests/metallb-native.yaml"));
    // The webhook Service was renamed in v0.14.4 (`config/manifests/metallb-native.yaml`).
    assert!(readme.contains("(`metallb-webhook-service`)"));
    let older = compile_text(&plan_text("single-network").replace("v0.14.8", "v0.14.3")).unwrap();
    assert!(text(&older, "README.md").contains("(`webhook-service`)"));
    assert!(readme.contains("`metallb.universe.tf/loadBalancerIPs=192.168.10.200`"));
    let new = tree("demo");
    let iop = yaml(&new, "clusters/mdemo-cluster2/istio/eastwest-gateway.yaml");
    let annotations = &iop["spec"]["components"]["ingressGateways"][0]["k8s"]["serviceAnnotations"];
    assert_eq!(annotations["metallb.io/loadBalancerIPs"], "10.6.136.29");
    assert!(text(&new, "README.md").contains("(`metallb-webhook-service`)"));
    for (version, refused) in [("v0.12.1", true), ("\"0.14\"", true), ("v0.13.0", false)] {
        let plan = format!("{}metallb:\n  version: {version}\n", plan_text("demo"));
        let result = compile_text(&plan);
        match result {
            Err(meshgen::CompileError::Plan(d)) => {
                assert!(refused, "{version}: {d:?}");
                assert!(
                    d.iter()
                        .any(|d| d.code == "MG063" && d.path == "metallb.version")
                );
            }
            Ok(_) => assert!(!refused, "{version} accepted"),
            Err(e) => panic!("{e:?}"),
        }
    }
}

/// Item 9: meshNetworks lists every east-west gateway of a network, as istiod registers
/// every labelled gateway Service anyway.
#[test]
fn mesh_networks_list_every_gateway_of_a_network() {
    let t = tree("five-clusters");
    let mesh = yaml(&t, "global/globalmesh.yaml");
    let params = &mesh["spec"]["ownerConfig"]["controlPlaneParams"];
    let key = |i: usize, f: &str| format!("{PARAMS}meshNetworks.net-b.gateways[{i}].{f}");
    // gamma (kind, NodePort fallback) first, then delta at its LoadBalancer address.
    assert_eq!(params[key(0, "address")], "172.20.0.2");
    assert_eq!(params[key(0, "port")], "35445");
    assert_eq!(params[key(1, "address")], "172.20.1.3");
    assert_eq!(params[key(1, "port")], "15443");
    assert!(params.get(key(2, "address")).is_none());
}

/// Item 10: the NodePort fallback is a plan field: the `tls` port's nodePort in the
/// IstioOperator, meshNetworks at a node (kubeadm) or the host and its forwarded port (kind),
/// the kind port mapping only where it is on, and no hand-edit in the README.
#[test]
fn the_node_port_fallback_is_a_plan_option() {
    let t = tree("five-clusters");
    let tls = |cluster: &str| {
        let iop = yaml(
            &t,
            &format!("clusters/{cluster}/istio/eastwest-gateway.yaml"),
        );
        iop["spec"]["components"]["ingressGateways"][0]["k8s"]["service"]["ports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "tls")
            .cloned()
            .unwrap()
    };
    assert_eq!(tls("gamma")["nodePort"], 31443);
    assert_eq!(tls("epsilon")["nodePort"], 30443);
    assert!(tls("delta").get("nodePort").is_none());
    let mesh = yaml(&t, "global/globalmesh.yaml");
    let params = &mesh["spec"]["ownerConfig"]["controlPlaneParams"];
    assert_eq!(
        params[format!("{PARAMS}meshNetworks.net-c.gateways[0].address")],
        "10.30.0.100"
    );
    assert_eq!(
        params[format!("{PARAMS}meshNetworks.net-c.gateways[0].port")],
        "30443"
    );
    let gamma = yaml(&t, "bootstrap/gamma/kind-cluster.yaml");
    assert_eq!(
        gamma["nodes"][0]["extraPortMappings"],
        json!([{"containerPort": 31443, "hostPort": 35445}])
    );
    let delta = yaml(&t, "bootstrap/delta/kind-cluster.yaml");
    assert!(delta["nodes"][0].get("extraPortMappings").is_none());
    let readme = text(&t, "README.md");
    assert!(readme.contains("| gamma | net-b | 172.20.0.2 | 35445 | 31443 |"));
    assert!(readme.contains("| epsilon | net-c | 10.30.0.100 | 30443 | 30443 |"));
    assert!(!readme.contains("\"op\": \"replace\""));
    // Outside the NodePort range, or without an east-west gateway: refused.
    for (from, to, path) in [
        (
            "eastWestNodePort: 30443",
            "eastWestNodePort: 35443",
            "clusters[4].eastWestNodePort",
        ),
        (
            "    masterIP: 10.10.0.3\n",
            "    masterIP: 10.10.0.3\n    eastWestNodePort: 30444\n",
            "clusters[1].eastWestNodePort",
        ),
    ] {
        let plan = plan_text("five-clusters").replace(from, to);
        assert_ne!(plan, plan_text("five-clusters"));
        let Err(meshgen::CompileError::Plan(d)) = compile_text(&plan) else {
            panic!("{path}: accepted");
        };
        assert!(
            d.iter().any(|d| d.code == "MG042" && d.path == path),
            "{d:?}"
        );
    }
}

/// Item 11: the kubeconfig script is POSIX and shellcheck-clean, and gives a kubeadm
/// `admin.conf` (user `kubernetes-admin`) the cluster's own names with the credentials
/// intact, so merged kubeconfigs keep one user per cluster.
#[test]
fn the_kubeconfig_script_renames_a_kubeadm_admin_conf() {
    let demo = tree("demo");
    let script = text(&demo, "bootstrap/rename-kubeconfig.sh");
    assert!(script.starts_with("#!/bin/sh\n# Generated by meshgen"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rename-kubeconfig.sh");
    std::fs::write(&path, script).unwrap();
    match Command::new("shellcheck")
        .args(["-s", "sh"])
        .arg(&path)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "shellcheck: {}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(_) => eprintln!("SKIPPED shellcheck: not on PATH"),
    }
    let Some(kubectl) = kubectl("the_kubeconfig_script_renames_a_kubeadm_admin_conf") else {
        return;
    };
    let kubectl_dir = kubectl.parent().unwrap().to_owned();
    // admin.conf as kubeadm writes it (cmd/kubeadm/app/phases/kubeconfig/kubeconfig.go).
    let admin = |server: &str, secret: &str| {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kubernetes\n  cluster:\n    server: {server}\n    certificate-authority-data: Q0Ete3NlY3JldH0=\ncontexts:\n- name: kubernetes-admin@kubernetes\n  context:\n    cluster: kubernetes\n    user: kubernetes-admin\ncurrent-context: kubernetes-admin@kubernetes\nusers:\n- name: kubernetes-admin\n  user:\n    client-certificate-data: {secret}\n    client-key-data: S0VZ{secret}\n"
        )
    };
    let mut merged = Vec::new();
    for (name, server, secret) in [
        ("mdemo-cluster1", "https://10.64.30.130:6443", "Q0VSVDE="),
        ("mdemo-cluster2", "https://10.6.230.5:6443", "Q0VSVDI="),
    ] {
        let src = dir.path().join(format!("{name}.admin.conf"));
        std::fs::write(&src, admin(server, secret)).unwrap();
        let out = dir.path().join(name);
        let run = Command::new("sh")
            .arg(&path)
            .arg(&src)
            .arg(name)
            .arg(&out)
            .env("PATH", &kubectl_dir)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let view = Command::new(&kubectl)
            .args(["config", "view", "--raw", "-o", "json", "--kubeconfig"])
            .arg(&out)
            .output()
            .unwrap();
        let config: Value = serde_json::from_slice(&view.stdout).unwrap();
        assert_eq!(config["current-context"], name);
        assert_eq!(config["clusters"][0]["name"], name);
        assert_eq!(config["clusters"][0]["cluster"]["server"], server);
        assert_eq!(
            config["clusters"][0]["cluster"]["certificate-authority-data"],
            "Q0Ete3NlY3JldH0="
        );
        assert_eq!(config["users"][0]["name"], format!("{name}-admin"));
        assert_eq!(
            config["users"][0]["user"]["client-certificate-data"],
            secret
        );
        assert_eq!(
            config["users"][0]["user"]["client-key-data"],
            format!("S0VZ{secret}")
        );
        merged.push(out);
    }
    let list = std::env::join_paths(&merged).unwrap();
    let view = Command::new(&kubectl)
        .args(["config", "view", "--raw", "-o", "json"])
        .env("KUBECONFIG", list)
        .output()
        .unwrap();
    let config: Value = serde_json::from_slice(&view.stdout).unwrap();
    let users: BTreeSet<&str> = config["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        users,
        ["mdemo-cluster1-admin", "mdemo-cluster2-admin"].into()
    );
    let readme = text(&demo, "README.md");
    assert!(readme.contains(
        "sh bootstrap/rename-kubeconfig.sh ~/.kube/mdemo-mesh/mdemo-cluster1.admin.conf mdemo-cluster1 ~/.kube/mdemo-mesh/mdemo-cluster1"
    ));
    let ds = text(&tree("dual-stack"), "README.md").to_owned();
    assert!(ds.contains(
        "kubectl --kubeconfig ~/.kube/ds-mesh/ds-two config rename-context kind-ds-two ds-two"
    ));
}

/// Item 12: a GitOps tree says where GitOps fits, how the tools are bootstrapped and the
/// clusters registered, and carries the `argocd-cm` Application health check (Argo CD's
/// sync waves wait only with it).
#[test]
fn gitops_trees_say_how_to_start_the_tools() {
    let t = tree("gitops");
    let cm = yaml(&t, "gitops/argocd/argocd-cm-application-health.yaml");
    assert_eq!(cm["kind"], "ConfigMap");
    assert_eq!(cm["metadata"]["name"], "argocd-cm");
    assert_eq!(cm["metadata"]["namespace"], "argocd");
    let readme = text(&t, "README.md");
    let section = &readme[readme.find("\n## GitOps\n").expect("a GitOps section")..];
    for expected in [
        "kubectl --context mdemo-cluster1 patch configmap argocd-cm -n argocd --type merge --patch-file gitops/argocd/argocd-cm-application-health.yaml",
        "argocd cluster add mdemo-cluster2",
        "kubectl --context mdemo-cluster1 apply -f gitops/argocd/root.yaml",
        "kubectl --context mdemo-cluster1 create secret generic mdemo-cluster3-kubeconfig -n flux-system --from-file=value.yaml=$HOME/.kube/mdemo-mesh/mdemo-cluster3",
        "kubectl --context mdemo-cluster1 apply -f gitops/flux/sync.yaml",
        "the cross-network Gateway",
    ] {
        assert!(
            section.contains(expected),
            "GitOps section lacks: {expected}"
        );
    }
    // The Gateway is in no GitOps stage: no synced folder holds it.
    for (path, bytes) in t.iter() {
        if path.starts_with("gitops/") {
            assert!(
                !String::from_utf8_lossy(bytes).contains("global/istio"),
                "{path}"
            );
        }
    }
    assert!(!text(&tree("demo"), "README.md").contains("## GitOps"));
}

/// Item 13: the runbook's truths: MetalLB waits by rollout status, the free-an-address fix
/// is not a controller restart, injected workloads restart after a network ID change, a
/// single-network tree has no cross-network troubleshooting, and the departures list names
/// every departure.
#[test]
fn the_runbook_tells_what_clusters_do() {
    let demo = tree("demo");
    let readme = text(&demo, "README.md");
    for expected in [
        "kubectl --context mdemo-cluster1 rollout status -n metallb-system deployment/controller --timeout=300s",
        "kubectl --context mdemo-cluster2 rollout restart deployment -n istio-system -l 'istio in (ingressgateway,eastwestgateway)'",
        "kubectl --context mdemo-cluster2 rollout restart deployment -n sample",
        "so restarting its controller frees\nnothing",
        "{.metadata.namespace}/{.metadata.name} {.status.loadBalancer.ingress[*].ip}",
    ] {
        assert!(readme.contains(expected), "README lacks: {expected}");
    }
    assert!(!readme.contains("rollout restart deployment/controller"));
    assert!(!readme.contains("--for=condition=Ready pod -l app=metallb"));
    let departures = {
        let start = readme.find("## Where this runbook departs").unwrap();
        &readme[start..readme.find("## Runbook").unwrap()]
    };
    for departure in [
        "in the mesh's control plane",
        "probed on port 15017, not 443",
        "`--cri-socket`",
        "`--image-repository`",
        "`taints: []`",
        "exclude-from-external-load-balancers",
        "`status-port` 15021 and `tls` 15443",
        "`autoAssign: false`",
        "load\n  balancer annotations",
        "metallb.universe.tf/",
    ] {
        assert!(
            departures.contains(departure),
            "departures lack: {departure}"
        );
    }
    let single = tree("single-network");
    let readme = text(&single, "README.md");
    for absent in [
        "points at its cluster's east-west gateway",
        "meshNetworks params (step",
        "## NodePort fallback",
        "gen-eastwest-gateway.sh",
    ] {
        assert!(
            !readme.contains(absent),
            "single-network README has: {absent}"
        );
    }
}

/// Item 14: the seed's `--cri-socket` and `--image-repository` are plan fields, in the
/// kubeadm config and the one-line command alike; a bare socket path becomes the `unix://`
/// URL kubeadm otherwise prepends with a deprecation warning, and a bad one is refused.
#[test]
fn the_seeds_kubeadm_flags_are_plan_fields() {
    let t = tree("five-clusters");
    let docs = yaml_docs(&t, "bootstrap/epsilon/kubeadm-config.yaml");
    assert_eq!(
        docs[0]["nodeRegistration"]["criSocket"],
        "unix:///var/run/cri-dockerd.sock"
    );
    assert_eq!(
        docs[1]["imageRepository"],
        "registry.aliyuncs.com/google_containers"
    );
    let readme = text(&t, "README.md");
    assert!(readme.contains(
        "--node-name=epsilon-cp-1 --cri-socket=unix:///var/run/cri-dockerd.sock --image-repository=registry.aliyuncs.com/google_containers"
    ));
    assert!(readme.contains("plus\n`--cri-socket=unix:///var/run/cri-dockerd.sock`"));
    let alpha = yaml_docs(&t, "bootstrap/alpha/kubeadm-config.yaml");
    assert!(alpha[0]["nodeRegistration"].get("criSocket").is_none());
    assert!(alpha[1].get("imageRepository").is_none());
    let plan = plan_text("five-clusters").replace(
        "criSocket: /var/run/cri-dockerd.sock",
        "criSocket: cri-dockerd.sock",
    );
    let Err(meshgen::CompileError::Plan(d)) = compile_text(&plan) else {
        panic!("a relative socket was accepted");
    };
    assert!(
        d.iter()
            .any(|d| d.code == "MG081" && d.path == "clusters[4].kubeadm.criSocket")
    );
}

/// The "Other" findings: kind stand-ins listen on 6443 (kind's default is a random
/// port, which no destination written from the plan names), and a pool that serves planned
/// addresses does not auto-assign them unless the plan says so.
#[test]
fn kind_listens_on_6443_and_planned_addresses_stay_reserved() {
    // The demo's L2 announcements name the seed host's interface; its kind stand-ins say so.
    assert!(text(&tree("demo"), "README.md").contains(
        "MetalLB announces only on\nenp1s0, the plan's interfaces, and a kind node's interface is `eth0`"
    ));
    for case in CASES {
        let t = tree(case);
        for (path, _) in t.iter() {
            if path.ends_with("kind-cluster.yaml") {
                assert_eq!(
                    yaml(&t, path)["networking"]["apiServerPort"],
                    6443,
                    "{path}"
                );
            }
        }
    }
    let five = tree("five-clusters");
    // mesh-pool says autoAssign: false itself; apps-pool serves the ingress IP; delta's its
    // east-west IP.
    for (path, expected) in [
        (
            "clusters/alpha/metallb/ipaddresspool-mesh-pool.yaml",
            json!(false),
        ),
        (
            "clusters/alpha/metallb/ipaddresspool-apps-pool.yaml",
            json!(false),
        ),
        (
            "clusters/delta/metallb/ipaddresspool-delta-pool.yaml",
            json!(false),
        ),
    ] {
        assert_eq!(yaml(&five, path)["spec"]["autoAssign"], expected, "{path}");
    }
    let plan = plan_text("five-clusters").replace(
        "        - name: apps-pool\n          addresses: [10.10.1.0/28]",
        "        - name: apps-pool\n          addresses: [10.10.1.0/28]\n          autoAssign: true",
    );
    let t = compile_text(&plan).unwrap();
    assert_eq!(
        yaml(&t, "clusters/alpha/metallb/ipaddresspool-apps-pool.yaml")["spec"]["autoAssign"],
        true,
        "the plan's autoAssign wins"
    );
}
