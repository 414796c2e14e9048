//! Free text that names images (MG080, a warning): meshgen writes the registry, the
//! kubeadm image repositories and the images exactly as given, but a value that is not an image reference will not pull.
//! The grammar is [`crate::grammar::image`].

use super::shown;
use crate::codes::Code;
use crate::diag::{Diagnostic, Diagnostics};
use crate::grammar::image;
use crate::plan::Plan;

pub(super) fn check(plan: &Plan, out: &mut Diagnostics) {
    if let Some(registry) = &plan.mesh.registry
        && let Err(problem) = image::registry(registry)
    {
        out.push(warning(
            "mesh.registry",
            "registry",
            registry,
            &problem,
            "a registry and repository prefix without a tag, e.g. release.daocloud.io/mspider",
        ));
    }
    for (i, cluster) in plan.clusters.iter().enumerate() {
        let repository = cluster
            .kubeadm
            .as_ref()
            .and_then(|k| k.image_repository.as_deref());
        if let Some(repository) = repository
            && let Err(problem) = image::registry(repository)
        {
            out.push(warning(
                &format!("clusters[{i}].kubeadm.imageRepository"),
                "image repository",
                repository,
                &problem,
                "a registry and repository prefix without a tag, e.g. \
                 registry.aliyuncs.com/google_containers",
            ));
        }
    }
    if let Some(demo) = &plan.demo {
        let images = [
            ("demo.helloworld.image", &demo.helloworld.image),
            ("demo.sleep.image", &demo.sleep.image),
        ];
        for (path, image) in images {
            if let Err(problem) = image::reference(image) {
                out.push(warning(
                    path,
                    "image",
                    image,
                    &problem,
                    "an image reference, e.g. docker.m.daocloud.io/istio/examples-helloworld-v1 or \
                     curlimages/curl:8.7.1",
                ));
            }
        }
    }
}

fn warning(path: &str, what: &str, value: &str, problem: &str, form: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::InvalidImageReference,
        path,
        format!(
            "{what} `{}` does not look like an image reference: it {problem}",
            shown(value)
        ),
    )
    .hint(format!(
        "meshgen writes it exactly as given, but the container runtime will not pull it; write {form}"
    ))
}
