//! Stage 4, render: the model through the templates in `templates/` into a [`Tree`].
//!
//! Each template gets one context struct of [`crate::model`] (the README a
//! view of the whole model, [`readme`]) and only places its values. The environment's formatter
//! escapes every `{{ value }}` for the template's format (see [`escape`]), so
//! no template can forget it, and every rendered file is parsed back before it
//! enters the tree. A template error is a meshgen bug, never the user's.
//!
//! Where each file goes is [`crate::layout`]'s, and the model stores it in the file's
//! context. The files every mesh has are rendered here; a control-plane flavor's own
//! files by its module ([`hosted`]), from its templates (`templates/hosted/`).
//!
//! With [`Options::cluster`], only that cluster's files: its `clusters/` and
//! `bootstrap/` folders and its flavor's files for it (hosted: its MeshCluster
//! patch); the README and the other mesh-wide files are left out.

mod environment;
pub mod escape;
pub mod gitops;
mod hosted;
mod json;
mod readme;
mod upstream;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use minijinja::{Environment, Error, Value};
use serde::Serialize;

use crate::layout;
use crate::model::cluster::Kustomization;
use crate::model::demo::ClusterDemo;
use crate::model::flavor::{ClusterFlavor, MeshFlavor};
use crate::model::{ClusterModel, Model};
use crate::options::Options;
use crate::tree::Tree;
use environment::environment;

pub use escape::yaml_scalar;

/// Render the whole tree into memory (tests, `--stdout`, and the library's [`crate::compile`]).
pub fn render(model: &Model, options: &Options) -> Result<Tree, String> {
    let mut tree = Tree::default();
    render_each(model, options, |part| tree.merge(part)).map_err(|e| match e {
        Failed::Render(e) | Failed::Take(e) => e,
    })?;
    Ok(tree)
}

/// Why [`render_each`] stopped.
#[derive(Debug)]
pub enum Failed<E> {
    /// A template or the model is wrong: a meshgen bug.
    Render(String),
    /// `take` refused a part.
    Take(E),
}

/// Render the tree in parts, one per cluster plus one for the mesh-wide files, and
/// hand each part to `take` as soon as it is ready. Clusters render on every core while
/// this thread takes the parts, so a writer holds a few clusters' files at a time, never
/// the whole tree. Parts come in no fixed order; every consumer orders by path.
pub fn render_each<E>(
    model: &Model,
    options: &Options,
    mut take: impl FnMut(Tree) -> Result<(), E>,
) -> Result<(), Failed<E>> {
    let only = options.cluster.as_deref();
    let out = Renderer::new(&model.mesh.id).map_err(Failed::Render)?;
    let clusters: Vec<&ClusterModel> = model
        .clusters
        .iter()
        .map(Arc::as_ref)
        .filter(|c| only.is_none_or(|name| name == c.name))
        .collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = AtomicUsize::new(0);
    // Bounded, so rendering waits for a slow disk instead of piling parts up in memory.
    let (send, parts) = mpsc::sync_channel::<Result<Tree, String>>(2 * workers);
    std::thread::scope(|scope| {
        let mut threads = Vec::with_capacity(workers + 1);
        for _ in 0..workers {
            let (send, out, clusters, next) = (send.clone(), &out, &clusters, &next);
            threads.push(scope.spawn(move || {
                while let Some(cluster) = clusters.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let mut part = Tree::default();
                    let part = render_cluster(out, &mut part, cluster).map(|()| part);
                    // The receiver is gone when the taker stopped: so do we.
                    if send.send(part).is_err() {
                        break;
                    }
                }
            }));
        }
        let (mesh_wide, out) = (send, &out);
        threads.push(scope.spawn(move || {
            let _ = mesh_wide.send(render_mesh_wide(out, model, options));
        }));
        let mut result = Ok(());
        for part in parts {
            result = match part {
                Ok(part) => take(part).map_err(Failed::Take),
                Err(e) => Err(Failed::Render(e)),
            };
            if result.is_err() {
                break;
            }
        }
        for thread in threads {
            if thread.join().is_err() && result.is_ok() {
                result = Err(Failed::Render("a render thread panicked".to_owned()));
            }
        }
        result
    })
}

/// The files that cover the whole mesh: README, the flavor's mesh-wide files, GitOps
/// objects (none of them with `--cluster`).
fn render_mesh_wide(out: &Renderer, model: &Model, options: &Options) -> Result<Tree, String> {
    let mut tree = Tree::default();
    if options.cluster.is_none() {
        out.markdown(
            &mut tree,
            layout::README,
            "README.md",
            &readme::context(model),
        )?;
        match &model.flavor {
            MeshFlavor::Hosted(mesh) => hosted::render_mesh(out, &mut tree, mesh)?,
            // Their mesh-wide part is the README's.
            MeshFlavor::MultiPrimary(_) | MeshFlavor::PrimaryRemote(_) => {}
        }
        let script = &model.kubeconfig_script;
        out.script(
            &mut tree,
            &script.path,
            "bootstrap/rename-kubeconfig.sh",
            script,
        )?;
        out.script(&mut tree, layout::VERIFY, "verify.sh", &model.verify)?;
        if let Some(config) = &model.control_plane_config {
            let gateway = &config.cross_network_gateway;
            out.yaml(
                &mut tree,
                &gateway.path,
                "istio/cross-network-gateway.yaml",
                gateway,
            )?;
        }
    }
    // A cluster's copies with `--cluster`, the mesh-wide one without.
    for entry in model.traffic.iter().flat_map(|t| &t.failover) {
        for file in &entry.files {
            if options.cluster.is_none() || file.cluster == options.cluster {
                out.yaml(
                    &mut tree,
                    &file.path,
                    "istio/destinationrule.yaml",
                    &entry.destination_rule,
                )?;
            }
        }
    }
    gitops::render_gitops(model.gitops.as_ref(), options, out, &mut tree)?;
    Ok(tree)
}

/// Every file of one cluster: the shared ones here, the flavor's in its own module.
fn render_cluster(out: &Renderer, tree: &mut Tree, cluster: &ClusterModel) -> Result<(), String> {
    for node in &cluster.nodes {
        match &node.patch_path {
            Some(path) if node.removed_labels.is_empty() => {
                out.yaml(tree, path, "patches/node.yaml", node)?;
            }
            Some(path) => out.json(tree, path, &json::node_merge_patch(node))?,
            None => {}
        }
    }
    for service in &cluster.lb_services {
        if let Some(path) = &service.patch_path {
            out.yaml(tree, path, "patches/service.yaml", service)?;
        }
    }
    if let Some(metallb) = &cluster.metallb {
        for pool in &metallb.pools {
            out.yaml(tree, &pool.path, "metallb/ipaddresspool.yaml", pool)?;
        }
        let advertisement = &metallb.advertisement;
        out.yaml(
            tree,
            &advertisement.path,
            "metallb/l2advertisement.yaml",
            advertisement,
        )?;
    }
    if let Some(gateway) = &cluster.cross_network_gateway {
        out.yaml(
            tree,
            &gateway.path,
            "istio/cross-network-gateway.yaml",
            gateway,
        )?;
    }
    if let Some(demo) = &cluster.demo {
        render_demo(out, tree, demo)?;
    }
    match &cluster.flavor {
        ClusterFlavor::Hosted(hosted) => hosted::render_cluster(out, tree, hosted)?,
        ClusterFlavor::MultiPrimary(upstream) | ClusterFlavor::PrimaryRemote(upstream) => {
            upstream::render_cluster(out, tree, upstream)?
        }
    }
    for stage in &cluster.stages {
        let kustomization = &stage.kustomization;
        out.kustomization(tree, kustomization)?;
        for resource in &kustomization.resources {
            let path = format!("{}/{resource}", stage.dir);
            if tree.get(&path).is_none() {
                return Err(format!(
                    "{} lists {resource}, which was not rendered",
                    kustomization.path
                ));
            }
        }
    }
    out.kustomization(tree, &cluster.kustomization)?;
    let kind = &cluster.kind_config;
    out.yaml(tree, &kind.path, "bootstrap/kind-cluster.yaml", kind)?;
    let kubeadm = &cluster.kubeadm_config;
    out.yaml(
        tree,
        &kubeadm.path,
        "bootstrap/kubeadm-config.yaml",
        kubeadm,
    )
}

fn render_demo(out: &Renderer, tree: &mut Tree, demo: &ClusterDemo) -> Result<(), String> {
    let namespace = &demo.namespace;
    out.yaml(tree, &namespace.path, "demo/namespace.yaml", namespace)?;
    if let Some(service) = &demo.helloworld_service {
        out.yaml(tree, &service.path, "demo/helloworld-service.yaml", service)?;
    }
    if let Some(deployment) = &demo.helloworld {
        out.yaml(
            tree,
            &deployment.path,
            "demo/helloworld-deployment.yaml",
            deployment,
        )?;
    }
    if let Some(sleep) = &demo.sleep {
        out.yaml(
            tree,
            &sleep.service_account_path,
            "demo/sleep-serviceaccount.yaml",
            sleep,
        )?;
        out.yaml(tree, &sleep.service_path, "demo/sleep-service.yaml", sleep)?;
        out.yaml(
            tree,
            &sleep.deployment_path,
            "demo/sleep-deployment.yaml",
            sleep,
        )?;
    }
    Ok(())
}

/// The template environment and the file headers; adds checked files to a tree.
pub(crate) struct Renderer {
    env: Environment<'static>,
    header: String,
}

impl Renderer {
    pub(crate) fn new(mesh_id: &str) -> Result<Renderer, String> {
        // The header names the mesh, never a date or the plan's file name, so the
        // bytes depend only on the plan's content. A valid mesh ID is a DNS
        // label; anything else is masked so it cannot end the comment.
        let mesh: String = mesh_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Ok(Renderer {
            env: environment()?,
            header: format!(
                "Generated by meshgen from the plan of mesh {mesh}. Do not edit: change the plan and re-render."
            ),
        })
    }

    /// Render a YAML template, parse it back, and add it with its header.
    pub(crate) fn yaml<T: Serialize>(
        &self,
        tree: &mut Tree,
        path: &str,
        template: &str,
        context: &T,
    ) -> Result<(), String> {
        let text = self.file(&format!("# {}\n", self.header), path, template, context)?;
        escape::check_yaml(path, &text)?;
        tree.insert(path, text.into_bytes())
    }

    /// Render a POSIX shell script: `#!/bin/sh`, the header as a comment, the template.
    /// Placed values are shell words ([`escape::shell_word`]).
    pub(crate) fn script<T: Serialize>(
        &self,
        tree: &mut Tree,
        path: &str,
        template: &str,
        context: &T,
    ) -> Result<(), String> {
        let text = self.file(
            &format!("#!/bin/sh\n# {}\n", self.header),
            path,
            template,
            context,
        )?;
        escape::check_script(path, &text)?;
        tree.insert(path, text.into_bytes())
    }

    /// Write `value` as JSON (one array entry per line, see [`json`]), parse it back,
    /// and add it. JSON has no comments, so it carries no header; the README lists it
    /// among the generated files.
    pub(crate) fn json<T: Serialize>(
        &self,
        tree: &mut Tree,
        path: &str,
        value: &T,
    ) -> Result<(), String> {
        let text = json::one_entry_per_line(value).map_err(|e| format!("{path}: {e}"))?;
        escape::check_json(path, &text)?;
        tree.insert(path, text.into_bytes())
    }

    /// A folder's `kustomization.yaml`.
    pub(crate) fn kustomization(
        &self,
        tree: &mut Tree,
        kustomization: &Kustomization,
    ) -> Result<(), String> {
        self.yaml(
            tree,
            &kustomization.path,
            "kustomization.yaml",
            kustomization,
        )
    }

    /// Render a Markdown template, check its structure, and add it with its header.
    pub(crate) fn markdown<T: Serialize>(
        &self,
        tree: &mut Tree,
        path: &str,
        template: &str,
        context: &T,
    ) -> Result<(), String> {
        let text = self.file(
            &format!("<!-- {} -->\n", self.header),
            path,
            template,
            context,
        )?;
        escape::check_markdown(path, &text)?;
        tree.insert(path, text.into_bytes())
    }

    /// `header` and the rendered template, with LF line endings and exactly one
    /// trailing newline. Rendered in place: the README of a large mesh is tens of megabytes.
    fn file<T: Serialize>(
        &self,
        header: &str,
        path: &str,
        template: &str,
        context: &T,
    ) -> Result<String, String> {
        let bug = |e: Error| {
            // An include's error is the cause of the includer's: name every one.
            let mut message = format!("template {template} (for {path}): {e:#}");
            let mut cause = std::error::Error::source(&e);
            while let Some(inner) = cause {
                message.push_str(&format!("\ncaused by: {inner}"));
                cause = inner.source();
            }
            message
        };
        let mut bytes = header.as_bytes().to_vec();
        self.env
            .get_template(template)
            .map_err(bug)?
            .render_captured_to(Value::from(minijinja::value::Serde(context)), &mut bytes)
            .map_err(bug)?;
        // The formatter writes only strings, so the output is UTF-8.
        let mut text = String::from_utf8(bytes)
            .map_err(|_| format!("template {template} (for {path}) renders invalid UTF-8"))?;
        text.truncate(text.trim_end().len());
        let body = &text[header.len().min(text.len())..];
        if body.is_empty() || body.starts_with('\n') {
            return Err(format!(
                "template {template} (for {path}) renders empty or starts with a blank line"
            ));
        }
        if body.contains('\r') {
            return Err(format!("template {template} (for {path}) renders a CR"));
        }
        text.push('\n');
        // The tree holds every file until it is written: no spare capacity.
        text.shrink_to_fit();
        Ok(text)
    }
}

#[cfg(test)]
mod tests;
