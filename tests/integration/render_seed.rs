//! The demo plan's tree holds every object and param of the seed page
//! (reference/mspider/multicluster-install.en.md) with the plan's values, and
//! none of the seed's mistakes. Patches are applied to objects shaped like the
//! ones Mspider creates, to show they apply as they are.

use serde_json::{Value, json};

use meshgen::{Format, Options, Source, Tree};

const CLUSTERS: [(&str, &str, &str, &str); 3] = [
    // name, network, east-west IP, helloworld version
    ("mdemo-cluster1", "network-c1", "10.64.30.73", "vc1"),
    ("mdemo-cluster2", "network-c2", "10.6.136.29", "vc2"),
    ("mdemo-cluster3", "network-c3", "10.64.30.77", "vc3"),
];
const PARAMS: &str = "istio.custom_params.values.global.";

fn demo_tree() -> Tree {
    let text = std::fs::read_to_string("golden/demo/plan.yaml").unwrap();
    let source = Source::new("plan.yaml", text, Format::Yaml);
    match meshgen::compile(&source, &Options::default()) {
        Ok((tree, _)) => tree,
        Err(e) => panic!("demo plan does not compile: {e:?}"),
    }
}

fn text<'a>(tree: &'a Tree, path: &str) -> &'a str {
    let bytes = tree
        .get(path)
        .unwrap_or_else(|| panic!("{path} is not rendered"));
    std::str::from_utf8(bytes).unwrap()
}

/// The one document of a YAML file.
fn yaml(tree: &Tree, path: &str) -> Value {
    let mut documents: Vec<Value> = serde_saphyr::from_multiple(text(tree, path)).unwrap();
    assert_eq!(documents.len(), 1, "{path}: one document");
    documents.remove(0)
}

/// RFC 7386 JSON merge patch (what `kubectl patch --type merge` does).
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// The `test` and `add` operations of RFC 6902 (what `kubectl patch --type json` does).
fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    for op in ops.as_array().unwrap() {
        let path = op["path"].as_str().unwrap();
        let tokens: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let (last, parents) = tokens.split_last().unwrap();
        let mut node = &mut *target;
        for token in parents {
            node = match node {
                Value::Object(map) => map.get_mut(token),
                Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
                _ => None,
            }
            .ok_or_else(|| format!("{path}: no {token}"))?;
        }
        match op["op"].as_str().unwrap() {
            "test" => {
                if node.get(last.as_str()) != Some(&op["value"]) {
                    return Err(format!("test failed at {path}"));
                }
            }
            "add" => {
                node.as_object_mut()
                    .ok_or_else(|| format!("{path}: parent is not an object"))?
                    .insert(last.clone(), op["value"].clone());
            }
            other => return Err(format!("unexpected op {other}")),
        }
    }
    Ok(())
}

#[test]
fn global_mesh_params_carry_the_planned_addresses() {
    let tree = demo_tree();
    let patch = yaml(&tree, "global/globalmesh.yaml");
    assert_eq!(patch["kind"], "GlobalMesh");
    assert_eq!(patch["metadata"]["name"], "mdemo-mesh");
    assert_eq!(patch["metadata"]["namespace"], "mspider-system");
    let mut expected = serde_json::Map::new();
    // The planned istiod IP, not the ingress IP (.72) the seed sets.
    expected.insert(format!("{PARAMS}remotePilotAddress"), json!("10.64.30.71"));
    for (_, network, east_west, _) in CLUSTERS {
        let key = format!("{PARAMS}meshNetworks.{network}.gateways[0]");
        expected.insert(format!("{key}.address"), json!(east_west));
        expected.insert(format!("{key}.port"), json!("15443"));
    }
    assert_eq!(
        patch["spec"]["ownerConfig"]["controlPlaneParams"],
        Value::Object(expected)
    );

    // Merged into a GlobalMesh as Mspider writes it, every other param stays.
    let mut global_mesh = json!({
        "apiVersion": "discovery.mspider.io/v3alpha1",
        "kind": "GlobalMesh",
        "metadata": {"name": "mdemo-mesh", "namespace": "mspider-system"},
        "spec": {
            "mode": "HOSTED",
            "ownerCluster": "mdemo-cluster1",
            "ownerConfig": {
                "controlPlaneParams": {"global.high_available": "true"},
                "deployNamespace": "istio-system"
            }
        }
    });
    merge(&mut global_mesh, &patch);
    let params = &global_mesh["spec"]["ownerConfig"]["controlPlaneParams"];
    assert_eq!(params["global.high_available"], "true");
    assert_eq!(params[format!("{PARAMS}remotePilotAddress")], "10.64.30.71");
    assert_eq!(global_mesh["spec"]["mode"], "HOSTED");
}

/// Issue 11 item 6: the patch tests the field the seed documents (`global.meshID` in
/// `.spec.meshedParams[].params`), never the undocumented `meshName`, and adds only the
/// network ID; `global.meshID`, `global.clusterRole` and `isHostedOwner` are Mspider's and
/// stay as its controller set them (the runbook confirms them).
#[test]
fn mesh_cluster_patches_set_the_network_and_apply_as_they_are() {
    let tree = demo_tree();
    for (name, network, _, _) in CLUSTERS {
        let path = format!("global/meshcluster-{name}.json");
        let ops: Value = serde_json::from_str(text(&tree, &path)).unwrap();
        let owner = name == "mdemo-cluster1";
        // A MeshCluster as the seed documents it: no `meshName`, the params Mspider set.
        let mut entry = json!({
            "params": {
                "global.meshID": "mdemo-mesh",
                "global.clusterRole": "HOSTED_WORKLOAD_CLUSTER",
                "global.other": "kept"
            }
        });
        if owner {
            entry["isHostedOwner"] = json!(true);
        }
        let mut mesh_cluster = json!({
            "apiVersion": "discovery.mspider.io/v3alpha1",
            "kind": "MeshCluster",
            "metadata": {"name": name, "namespace": "mspider-system"},
            "spec": {"clusterName": name, "meshedParams": [entry.clone()]}
        });
        json_patch(&mut mesh_cluster, &ops).unwrap();
        let patched = &mesh_cluster["spec"]["meshedParams"][0];
        let mut expected = entry.clone();
        expected["params"][format!("{PARAMS}network")] = json!(network);
        assert_eq!(patched, &expected, "{name}: only the network ID is added");
        assert!(
            ops.as_array().unwrap().iter().all(|op| {
                let path = op["path"].as_str().unwrap();
                !path.contains("meshName")
                    && !path.ends_with("/global.clusterRole")
                    && !path.ends_with("/isHostedOwner")
                    && (op["op"] == "test" || !path.ends_with("/global.meshID"))
            }),
            "{name}: {ops}"
        );

        // An entry of another mesh first: the test op refuses, nothing changes.
        let mut other = json!({"spec": {"meshedParams": [{"params": {"global.meshID": "other"}}]}});
        assert!(json_patch(&mut other, &ops).is_err());
    }
    let readme = text(&tree, "README.md");
    assert!(readme.contains(
        "-o jsonpath='{range .spec.meshedParams[*]}{.params.global\\.meshID} {.params.global\\.clusterRole} {.isHostedOwner}{\"\\n\"}{end}'"
    ));
    assert!(readme.contains("| mdemo-cluster1 | mdemo-mesh, HOSTED\\_WORKLOAD\\_CLUSTER, true |"));
}

#[test]
fn the_network_id_agrees_everywhere() {
    let tree = demo_tree();
    let global = yaml(&tree, "global/globalmesh.yaml");
    let params = &global["spec"]["ownerConfig"]["controlPlaneParams"];
    for (name, network, east_west, _) in CLUSTERS {
        let dir = format!("clusters/{name}");
        let namespace = yaml(&tree, &format!("{dir}/patches/namespace-istio-system.yaml"));
        assert_eq!(namespace["kind"], "Namespace");
        assert_eq!(namespace["metadata"]["name"], "istio-system");
        assert_eq!(
            namespace["metadata"]["labels"]["topology.istio.io/network"],
            network
        );

        let iop = yaml(&tree, &format!("{dir}/istio/eastwest-gateway.yaml"));
        let gateway = &iop["spec"]["components"]["ingressGateways"][0];
        assert_eq!(gateway["label"]["topology.istio.io/network"], network);
        assert_eq!(
            gateway["k8s"]["env"][0]["name"],
            "ISTIO_META_REQUESTED_NETWORK_VIEW"
        );
        assert_eq!(gateway["k8s"]["env"][0]["value"], network);
        assert_eq!(iop["spec"]["values"]["global"]["network"], network);
        assert_eq!(
            params[format!("{PARAMS}meshNetworks.{network}.gateways[0].address")],
            east_west
        );
        let json = text(&tree, &format!("global/meshcluster-{name}.json"));
        assert!(
            json.contains(&format!("\"value\": \"{network}\"")),
            "{name}"
        );
    }
}

#[test]
fn east_west_gateways_follow_upstream_and_the_plan() {
    let tree = demo_tree();
    for (name, network, east_west, _) in CLUSTERS {
        let iop = yaml(
            &tree,
            &format!("clusters/{name}/istio/eastwest-gateway.yaml"),
        );
        assert_eq!(iop["apiVersion"], "install.istio.io/v1alpha1");
        assert_eq!(iop["kind"], "IstioOperator");
        assert_eq!(iop["metadata"]["namespace"], "istio-system");
        let spec = &iop["spec"];
        assert_eq!(spec["profile"], "empty");
        assert_eq!(spec["tag"], "1.15.3-mspider");
        let gateway = &spec["components"]["ingressGateways"][0];
        assert_eq!(gateway["name"], "istio-eastwestgateway");
        assert_eq!(gateway["enabled"], true);
        assert_eq!(gateway["label"]["istio"], "eastwestgateway");
        assert_eq!(gateway["label"]["app"], "istio-eastwestgateway");
        let service = &gateway["k8s"]["service"];
        assert_eq!(service["type"], "LoadBalancer");
        assert!(service.get("loadBalancerIP").is_none());
        let ports: Vec<(String, u64, u64, String)> = service["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_owned(),
                    p["port"].as_u64().unwrap(),
                    p["targetPort"].as_u64().unwrap(),
                    p["protocol"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let tcp = |n: &str, p| (n.to_owned(), p, p, "TCP".to_owned());
        // Issue 11 item 9: the hosted istiod is served by Mspider's own hosted-lb Service, so
        // the east-west gateway publishes only what the mode needs (the seed's gateway: tls
        // 15443), and upstream's status port.
        assert_eq!(ports, vec![tcp("status-port", 15021), tcp("tls", 15443)]);
        let annotations = &gateway["k8s"]["serviceAnnotations"];
        assert_eq!(annotations["metallb.io/loadBalancerIPs"], east_west);
        assert_eq!(annotations["metallb.io/address-pool"], "first-pool");
        let values = &spec["values"];
        assert_eq!(
            values["gateways"]["istio-ingressgateway"]["injectionTemplate"],
            "gateway"
        );
        assert_eq!(values["global"]["hub"], "release.daocloud.io/mspider");
        assert_eq!(values["global"]["meshID"], "mdemo-mesh");
        assert_eq!(values["global"]["multiCluster"]["clusterName"], name);
        assert_eq!(values["global"]["network"], network);
    }
}

/// Issue 11 item 1: a hosted mesh's istiod reads Istio config only from the mesh's own
/// virtual cluster (DaoCloud-docs `docs/en/docs/mspider/best-practice/managed-mesh-to-sync.md`),
/// so the cross-network Gateway is rendered once under `global/istio/`, is in no cluster's
/// kustomization (nor, so, in a GitOps stage), and the runbook creates and checks it there.
#[test]
fn the_cross_network_gateway_lives_in_the_mesh_control_plane() {
    let tree = demo_tree();
    let gw = yaml(&tree, "global/istio/cross-network-gateway.yaml");
    // Mesh 1.15 predates networking.istio.io/v1 (1.22).
    assert_eq!(gw["apiVersion"], "networking.istio.io/v1beta1");
    assert_eq!(gw["kind"], "Gateway");
    assert_eq!(gw["metadata"]["name"], "cross-network-gateway");
    assert_eq!(gw["metadata"]["namespace"], "istio-system");
    assert_eq!(gw["spec"]["selector"]["istio"], "eastwestgateway");
    let server = &gw["spec"]["servers"][0];
    assert_eq!(server["hosts"], json!(["*.local"]));
    assert_eq!(
        server["port"],
        json!({"number": 15443, "name": "tls", "protocol": "TLS"})
    );
    assert_eq!(server["tls"]["mode"], "AUTO_PASSTHROUGH");
    for (path, bytes) in tree.iter() {
        let text = String::from_utf8_lossy(bytes);
        if path.starts_with("clusters/") {
            assert!(!path.ends_with("cross-network-gateway.yaml"), "{path}");
            assert!(!text.contains("kind: Gateway\n"), "{path}");
            assert!(!text.contains("cross-network-gateway"), "{path}");
        }
    }
    let readme = text(&tree, "README.md");
    for expected in [
        "### 13. Create the cross-network Gateway in the mesh's control plane",
        "kubectl --context mdemo-cluster1 get pods -A | grep mdemo-mesh-hosted-apiserver",
        "kubectl --context mdemo-cluster1 exec -i -n NAMESPACE POD -- kubectl apply -f - < global/istio/cross-network-gateway.yaml",
        "istioctl --context mdemo-cluster2 proxy-config listeners deploy/istio-eastwestgateway -n istio-system --port 15443",
    ] {
        assert!(readme.contains(expected), "README lacks: {expected}");
    }
    assert!(!readme.contains("apply -f clusters/mdemo-cluster1/istio/cross-network-gateway.yaml"));
}

#[test]
fn metallb_pools_are_each_clusters_own() {
    let tree = demo_tree();
    let pools = [
        ("mdemo-cluster1", "10.64.30.71-10.64.30.73"),
        ("mdemo-cluster2", "10.6.136.25-10.6.136.29"),
        // The seed shows the generic example here; the plan's pool is its own.
        ("mdemo-cluster3", "10.64.30.75-10.64.30.77"),
    ];
    for (name, addresses) in pools {
        let pool = yaml(
            &tree,
            &format!("clusters/{name}/metallb/ipaddresspool-first-pool.yaml"),
        );
        assert_eq!(pool["apiVersion"], "metallb.io/v1beta1");
        assert_eq!(pool["kind"], "IPAddressPool");
        assert_eq!(pool["metadata"]["namespace"], "metallb-system");
        assert_eq!(pool["spec"]["addresses"], json!([addresses]));
        let l2 = yaml(
            &tree,
            &format!("clusters/{name}/metallb/l2advertisement.yaml"),
        );
        assert_eq!(l2["kind"], "L2Advertisement");
        assert_eq!(l2["spec"]["ipAddressPools"], json!(["first-pool"]));
    }
    let l2 = yaml(
        &tree,
        "clusters/mdemo-cluster1/metallb/l2advertisement.yaml",
    );
    assert_eq!(l2["spec"]["interfaces"], json!(["enp1s0"]));

    // Issue 11 item 7: the hosted istiod's address reaches its Service one way, the
    // console's load balancer annotations (Mspider owns the Service): no patch of it.
    assert!(
        tree.get("clusters/mdemo-cluster1/patches/service-istiod-mdemo-mesh-hosted-lb.yaml")
            .is_none()
    );
    let readme = text(&tree, "README.md");
    assert!(readme.contains(
        "| Load balancer annotations | `metallb.io/address-pool=first-pool`, `metallb.io/loadBalancerIPs=10.64.30.71` |"
    ));
    assert!(!readme.contains("| Load balancer IP |"));
    assert!(readme.contains(
        "-o jsonpath='{.spec.loadBalancerIP}|{.metadata.annotations.metallb\\.io/loadBalancerIPs}|{.status.loadBalancer.ingress[*].ip}{\"\\n\"}'"
    ));
    assert!(readme.contains("The first prints `|10.64.30.71|10.64.30.71`"));
    assert!(readme.contains("--field-selector involvedObject.name=istiod-mdemo-mesh-hosted-lb | grep -i LoadBalancerFailed"));
    // Other notes: a pool that serves planned addresses auto-assigns none of them.
    for (name, _) in pools {
        let pool = yaml(
            &tree,
            &format!("clusters/{name}/metallb/ipaddresspool-first-pool.yaml"),
        );
        assert_eq!(pool["spec"]["autoAssign"], false, "{name}");
    }
    let ingress = yaml(
        &tree,
        "clusters/mdemo-cluster1/patches/service-istio-ingressgateway.yaml",
    );
    assert_eq!(
        ingress["metadata"]["annotations"]["metallb.io/loadBalancerIPs"],
        "10.64.30.72"
    );
}

#[test]
fn nodes_get_their_topology_labels() {
    let tree = demo_tree();
    for (i, (name, _, _, _)) in CLUSTERS.iter().enumerate() {
        // A JSON merge patch: it removes a label with `null` (RFC 7386).
        let node: Value = serde_json::from_str(text(
            &tree,
            &format!("clusters/{name}/patches/node-master.json"),
        ))
        .unwrap();
        assert_eq!(node["kind"], "Node");
        assert_eq!(node["metadata"]["name"], "master");
        let n = i + 1;
        // The demo's clusters have no worker: the patch also removes kubeadm's exclude label.
        assert_eq!(
            node["metadata"]["labels"],
            json!({
                "topology.kubernetes.io/region": "region1",
                "topology.kubernetes.io/zone": format!("zone{n}"),
                "topology.istio.io/subzone": format!("subzone{n}"),
                "node.kubernetes.io/exclude-from-external-load-balancers": null,
            })
        );
    }
}

#[test]
fn every_cluster_runs_its_own_demo_version() {
    let tree = demo_tree();
    for (name, _, _, version) in CLUSTERS {
        let dir = format!("clusters/{name}/demo");
        let namespace = yaml(&tree, &format!("{dir}/namespace.yaml"));
        assert_eq!(namespace["metadata"]["name"], "sample");
        assert_eq!(
            namespace["metadata"]["labels"]["istio-injection"],
            "enabled"
        );
        let service = yaml(&tree, &format!("{dir}/helloworld-service.yaml"));
        assert_eq!(service["spec"]["ports"][0]["port"], 5000);
        assert_eq!(service["spec"]["selector"]["app"], "helloworld");
        let deployment = yaml(&tree, &format!("{dir}/helloworld-{version}.yaml"));
        assert_eq!(
            deployment["metadata"]["name"],
            format!("helloworld-{version}")
        );
        assert_eq!(deployment["metadata"]["namespace"], "sample");
        let labels = json!({"app": "helloworld", "version": version});
        assert_eq!(deployment["spec"]["selector"]["matchLabels"], labels);
        assert_eq!(deployment["spec"]["template"]["metadata"]["labels"], labels);
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            container["image"],
            "docker.m.daocloud.io/istio/examples-helloworld-v1"
        );
        assert_eq!(
            container["env"],
            json!([{"name": "SERVICE_VERSION", "value": version}])
        );
        let sleep = yaml(&tree, &format!("{dir}/sleep-deployment.yaml"));
        assert_eq!(
            sleep["spec"]["template"]["spec"]["containers"][0]["image"],
            "curlimages/curl"
        );
        assert_eq!(
            sleep["spec"]["template"]["spec"]["serviceAccountName"],
            "sleep"
        );
        assert_eq!(
            yaml(&tree, &format!("{dir}/sleep-serviceaccount.yaml"))["kind"],
            "ServiceAccount"
        );
        assert_eq!(
            yaml(&tree, &format!("{dir}/sleep-service.yaml"))["kind"],
            "Service"
        );
        let kustomization = yaml(&tree, &format!("{dir}/kustomization.yaml"));
        let resources = kustomization["resources"].as_array().unwrap();
        assert_eq!(resources.len(), 6, "{name}: {resources:?}");
        // One helloworld Deployment per cluster, its own version (the seed's table names cluster1 three times).
        let others: Vec<&str> = tree
            .iter()
            .map(|(p, _)| p)
            .filter(|p| p.starts_with(&format!("{dir}/helloworld-v")))
            .collect();
        assert_eq!(others, vec![format!("{dir}/helloworld-{version}.yaml")]);
    }
}

#[test]
fn bootstrap_configs_use_the_planned_addresses() {
    let tree = demo_tree();
    let kubeadm: Vec<Value> =
        serde_saphyr::from_multiple(text(&tree, "bootstrap/mdemo-cluster3/kubeadm-config.yaml"))
            .unwrap();
    assert_eq!(kubeadm[0]["apiVersion"], "kubeadm.k8s.io/v1beta3");
    assert_eq!(kubeadm[0]["kind"], "InitConfiguration");
    assert_eq!(
        kubeadm[0]["localAPIEndpoint"]["advertiseAddress"],
        "10.64.30.131"
    );
    assert_eq!(kubeadm[1]["kind"], "ClusterConfiguration");
    assert_eq!(kubeadm[1]["networking"]["podSubnet"], "10.100.0.0/16");
    assert_eq!(kubeadm[1]["networking"]["serviceSubnet"], "10.111.0.0/16");
    assert_eq!(kubeadm[1]["kubernetesVersion"], "v1.25.16");
    let kind = yaml(&tree, "bootstrap/mdemo-cluster3/kind-cluster.yaml");
    assert_eq!(kind["apiVersion"], "kind.x-k8s.io/v1alpha4");
    assert_eq!(kind["networking"]["podSubnet"], "10.100.0.0/16");
    assert_eq!(kind["networking"]["serviceSubnet"], "10.111.0.0/16");
    assert_eq!(kind["networking"]["apiServerAddress"], "10.64.30.131");
    assert_eq!(kind["nodes"][0]["image"], "kindest/node:v1.25.16");
    assert_eq!(
        kind["nodes"][0]["labels"]["topology.kubernetes.io/zone"],
        "zone3"
    );
    let readme = text(&tree, "README.md");
    assert!(readme.contains(
        "kubeadm init --apiserver-advertise-address=10.64.30.131 --pod-network-cidr=10.100.0.0/16 --service-cidr=10.111.0.0/16"
    ));
}

#[test]
fn the_runbook_gives_every_step_for_this_plan() {
    let tree = demo_tree();
    let readme = text(&tree, "README.md");
    for expected in [
        // Planning form, with the seed's tables filled from the plan.
        "| mdemo-cluster1 | Hosted control plane, work cluster | network-c1 | 10.64.30.71 | 10.64.30.73 | 10.64.30.72 |",
        "| mdemo-cluster3 | first-pool | 10.64.30.75-10.64.30.77 | 10.64.30.77 (east-west gateway) |",
        "| mdemo-cluster1 | vc1 | yes |",
        "| mdemo-cluster2 | vc2 | yes |",
        "| mdemo-cluster3 | vc3 | yes |",
        // MetalLB with strictARP.
        "sed -e 's/strictARP: false/strictARP: true/'",
        "kubectl --context mdemo-cluster3 apply -f https://raw.githubusercontent.com/metallb/metallb/v0.16.1/config/manifests/metallb-native.yaml",
        "kubectl --context mdemo-cluster3 apply -k clusters/mdemo-cluster3/metallb",
        // Patches, each with its command.
        "kubectl --context mdemo-cluster2 patch node master --type merge --patch-file clusters/mdemo-cluster2/patches/node-master.json",
        "kubectl --context kpanda-global-cluster patch globalmeshes.discovery.mspider.io mdemo-mesh -n mspider-system --type merge --patch-file global/globalmesh.yaml",
        "kubectl --context kpanda-global-cluster patch meshclusters.discovery.mspider.io mdemo-cluster3 -n mspider-system --type json --patch-file global/meshcluster-mdemo-cluster3.json",
        "kubectl --context mdemo-cluster3 patch namespace istio-system --type merge --patch-file clusters/mdemo-cluster3/patches/namespace-istio-system.yaml",
        // East-west gateway, Gateway, demo.
        "kubectl --context mdemo-cluster2 apply -k clusters/mdemo-cluster2/istio",
        "kubectl --context mdemo-cluster3 apply -k clusters/mdemo-cluster3/demo",
        // Verification: LB IPs, istiod reachable from the other clusters, the loop.
        "kubectl --context mdemo-cluster1 get service istiod-mdemo-mesh-hosted-lb -n istio-system -o jsonpath='{.status.loadBalancer.ingress[*].ip}'",
        "kubectl --context mdemo-cluster2 run istiod-probe --rm -i --restart=Never --image=curlimages/curl -- curl -sS -o /dev/null -w '%{http_code}\\n' http://10.64.30.71:15017/",
        "kubectl --context mdemo-cluster3 run istiod-probe --rm -i --restart=Never --image=curlimages/curl -- curl -sS -o /dev/null -w '%{http_code}\\n' http://10.64.30.71:15017/",
        "Each prints `400`.",
        "for i in $(seq 1 30); do kubectl --context mdemo-cluster1 exec -n sample deploy/sleep -c sleep -- curl -sS helloworld.sample:5000/hello; done",
        "vc1, vc2, vc3",
    ] {
        assert!(readme.contains(expected), "README lacks: {expected}");
    }
    // No probe from the control-plane cluster itself.
    assert!(!readme.contains("--context mdemo-cluster1 run istiod-probe"));
    // The steps come in order.
    let mut last = 0;
    for step in 1..=16 {
        let at = readme
            .find(&format!("\n### {step}. "))
            .unwrap_or_else(|| panic!("no step {step}"));
        assert!(at > last, "step {step} out of order");
        last = at;
    }
}

#[test]
fn none_of_the_seeds_mistakes() {
    let tree = demo_tree();
    let readme = text(&tree, "README.md");
    let (runbook, departures) = {
        let start = readme.find("## Where this runbook departs").unwrap();
        let end = readme.find("## Runbook").unwrap();
        (
            format!("{}{}", &readme[..start], &readme[end..]),
            &readme[start..end],
        )
    };
    for mistake in [
        "metallb.universe.tf",
        "loadBalancerIP:",
        "istiod-mdemo-cluster-hosted-lb",
        "istio_ingressgateway",
        "remotePilotAddress: \"10.64.30.72\"",
    ] {
        for (path, bytes) in tree.iter() {
            if path != "README.md" {
                let text = String::from_utf8_lossy(bytes);
                assert!(!text.contains(mistake), "{path} contains {mistake}");
            }
        }
        assert!(
            !runbook.contains(mistake),
            "README runbook contains {mistake}"
        );
    }
    // The departures section names the seed's mistakes to explain them.
    assert!(departures.contains("metallb.universe.tf"));
    assert!(
        readme.contains("| istio.custom\\_params.values.global.remotePilotAddress | 10.64.30.71 |")
    );
    assert!(!readme.contains("remotePilotAddress | 10.64.30.72"));
}
