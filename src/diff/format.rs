//! The change plan as text (a terminal) or Markdown (a pull-request comment). The JSON
//! form is the plan's own serialization.

use std::fmt::Write;

use super::{Change, ChangePlan, Impact, PlanInfo, Severity, Side, Step};
use crate::render::escape::{markdown_code, markdown_text};

fn plan_name(info: &PlanInfo) -> String {
    info.file.clone().unwrap_or_else(|| "<stdin>".to_owned())
}

/// `1 step`, `7 steps`.
fn steps(plan: &ChangePlan) -> String {
    match plan.steps.len() {
        1 => "1 step".to_owned(),
        n => format!("{n} steps"),
    }
}

fn counts(plan: &ChangePlan) -> String {
    let count = |change: Change| plan.files.iter().filter(|f| f.change == change).count();
    format!(
        "{} differ ({} added, {} changed, {} removed)",
        match plan.files.len() {
            1 => "1 file".to_owned(),
            n => format!("{n} files"),
        },
        count(Change::Added),
        count(Change::Changed),
        count(Change::Removed)
    )
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Disruptive => "disruptive",
        Severity::Restart => "restart",
        Severity::Order => "order",
        Severity::Info => "info",
    }
}

/// Where a step acts, as a heading: the cluster, the global side, or the tree.
fn place(step: &Step) -> String {
    match (step.side, &step.cluster, &step.context) {
        (Side::Global, Some(cluster), Some(context)) => format!("global {context}, for {cluster}"),
        (Side::Global, None, Some(context)) => format!("global {context}"),
        (Side::ControlPlane, _, Some(context)) => format!("mesh control plane, via {context}"),
        (Side::Cluster, Some(cluster), _) => cluster.clone(),
        _ => "tree".to_owned(),
    }
}

/// Plain text for a terminal.
pub fn text(plan: &ChangePlan) -> String {
    let mut out = String::new();
    let header = format!(
        "meshgen diff {} → {} (mesh {}{})",
        plan_name(&plan.old),
        plan_name(&plan.new),
        plan.old.mesh,
        if plan.old.mesh == plan.new.mesh {
            String::new()
        } else {
            format!(" → {}", plan.new.mesh)
        }
    );
    if !plan.changed {
        let _ = writeln!(
            out,
            "{header}: the plans compile to the same tree; nothing to do."
        );
        return out;
    }
    let _ = writeln!(out, "{header}: {}; {}.", steps(plan), counts(plan));
    out.push_str(
        "Run the commands in order, from the folder holding NEW's rendered tree \
         (`meshgen render NEW -o DIR`).\n",
    );
    if !plan.impacts.is_empty() {
        out.push_str("\nImpact:\n");
        for impact in &plan.impacts {
            let _ = writeln!(out, "  [{}] {}", severity(impact.severity), impact.message);
            let _ = writeln!(out, "      source: {}", impact.source);
        }
    }
    out.push_str("\nSteps:\n");
    for step in &plan.steps {
        let _ = writeln!(
            out,
            "{:>3}. [{}] {}",
            step.number,
            place(step),
            step.summary
        );
        if let Some(before) = &step.before {
            let _ = writeln!(out, "       before: {before}");
        }
        for command in &step.commands {
            let _ = writeln!(out, "       {command}");
        }
        if !step.files.is_empty() {
            let _ = writeln!(out, "       files: {}", step.files.join(", "));
        }
    }
    out
}

/// Markdown for a pull-request comment.
pub fn markdown(plan: &ChangePlan) -> String {
    let mut out = String::new();
    let mesh = if plan.old.mesh == plan.new.mesh {
        markdown_code(&plan.new.mesh)
    } else {
        format!(
            "{} → {}",
            markdown_code(&plan.old.mesh),
            markdown_code(&plan.new.mesh)
        )
    };
    let _ = writeln!(out, "### meshgen diff: mesh {mesh}\n");
    let _ = writeln!(
        out,
        "{} → {}",
        markdown_code(&plan_name(&plan.old)),
        markdown_code(&plan_name(&plan.new))
    );
    out.push('\n');
    if !plan.changed {
        out.push_str("The plans compile to the same tree: nothing to do.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{}; {}. Run the commands in order, from the folder holding the new plan's \
         rendered tree.\n",
        steps(plan),
        counts(plan)
    );
    if !plan.impacts.is_empty() {
        out.push_str("#### Impact\n\n");
        for impact in &plan.impacts {
            markdown_impact(&mut out, impact);
        }
        out.push('\n');
    }
    out.push_str("#### Steps\n");
    for step in &plan.steps {
        let _ = writeln!(
            out,
            "\n{}. **{}**: {}",
            step.number,
            markdown_text(&place(step)),
            markdown_text(&step.summary)
        );
        if let Some(before) = &step.before {
            let _ = writeln!(out, "\n   Before: {}", markdown_text(before));
        }
        if !step.commands.is_empty() {
            out.push_str("\n   ```sh\n");
            for command in &step.commands {
                let _ = writeln!(out, "   {command}");
            }
            out.push_str("   ```\n");
        }
        if !step.files.is_empty() {
            let files: Vec<String> = step.files.iter().map(|f| markdown_code(f)).collect();
            let _ = writeln!(out, "\n   Files: {}", files.join(", "));
        }
    }
    out
}

fn markdown_impact(out: &mut String, impact: &Impact) {
    let _ = writeln!(
        out,
        "- **{}**: {} (source: {})",
        severity(impact.severity),
        markdown_text(&impact.message),
        markdown_text(&impact.source)
    );
}
