//! check() never panics, whatever lands in the plan's string fields, and a plan that passes
//! stays clean when its clusters are listed in another order (the checks do not depend on
//! sort accidents).

use crate::support::check as check_support;

use meshgen::plan::Plan;
use proptest::prelude::*;

/// Text that looks like addresses, names and versions, broken in many ways.
fn texty() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-fA-F:.,/ -]{0,40}",
        "[a-z0-9.-]{0,70}",
        "\\PC{0,20}",
        Just("::ffff:10.0.0.1".to_owned()),
        Just("10.0.0.0/0".to_owned()),
        Just("::/0".to_owned()),
        Just("255.255.255.255-0.0.0.0".to_owned()),
        Just("0.0.0.0-255.255.255.255".to_owned()),
    ]
}

/// Put `value` into string field number `field` of the demo plan.
fn set(plan: &mut Plan, field: usize, value: String) {
    let c = field % 3;
    let demo = plan.demo.as_mut().unwrap();
    match field / 3 {
        0 => plan.clusters[c].pod_subnet = value,
        1 => plan.clusters[c].service_subnet = Some(value),
        2 => plan.clusters[c].master_ip = value,
        3 => plan.clusters[c].load_balancer_ips.istiod = Some(value),
        4 => plan.clusters[c].load_balancer_ips.east_west = Some(value),
        5 => plan.clusters[c].load_balancer_ips.ingress = Some(value),
        6 => plan.clusters[c].metallb.as_mut().unwrap().pools[0]
            .addresses
            .push(value),
        7 => plan.clusters[c].name = value,
        8 => plan.clusters[c].network = value,
        9 => plan.clusters[c].kubernetes_version = value,
        10 => plan.clusters[c].nodes[0].zone = value,
        11 => plan.clusters[c].metallb.as_mut().unwrap().pools[0].name = value,
        12 => plan.mesh.version = value,
        13 => plan.mesh.control_plane_cluster = Some(value),
        14 => plan.mesh.registry = Some(value),
        15 => plan.mesh.dns_domain = value,
        16 => {
            demo.helloworld.versions.insert(value.clone(), value);
        }
        _ => demo.sleep.clusters.push(value),
    }
}

proptest! {
    #[test]
    fn check_never_panics(changes in prop::collection::vec((0usize..54, texty()), 1..8), single in any::<bool>()) {
        let mut plan = check_support::demo();
        if single {
            plan.mesh.network_mode = meshgen::plan::NetworkMode::Single;
        }
        for (field, value) in changes {
            set(&mut plan, field, value);
        }
        let diagnostics = meshgen::check::check(&plan);
        for d in diagnostics.iter() {
            prop_assert!(d.code.as_str().starts_with("MG0"));
            prop_assert!(!d.hint.is_empty(), "{} has no hint", d.code);
            prop_assert!(!d.message.contains('\n') && !d.hint.contains('\n'), "{}: {:?} {:?}", d.code, d.message, d.hint);
        }
    }

    #[test]
    fn cluster_order_does_not_change_what_is_found(rotate in 0usize..3, changes in prop::collection::vec((0usize..18, texty()), 0..3)) {
        let mut plan = check_support::demo();
        for (field, value) in changes {
            set(&mut plan, field, value);
        }
        let before = meshgen::check::check(&plan);
        plan.clusters.rotate_left(rotate);
        let after = meshgen::check::check(&plan);
        let codes = |d: &meshgen::Diagnostics| {
            let mut c: Vec<&str> = d.iter().map(|d| d.code.as_str()).collect();
            c.sort();
            c.dedup();
            c
        };
        prop_assert_eq!(codes(&before), codes(&after));
    }
}
