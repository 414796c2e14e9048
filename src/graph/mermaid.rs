//! The topology in Mermaid's flowchart syntax (mermaid-js, `packages/mermaid/src/diagrams/flowchart/`):
//! GitHub, GitLab and most Markdown editors draw it.
//!
//! Every label is a quoted string (`id["..."]`), in which Mermaid reads `#name;` and
//! `#number;` as entity codes: the characters that could end the string or be read as
//! markup are written as codes, lines are joined with `<br/>`.

use std::fmt::Write;

use super::{EdgeKind, Graph, Node, Shape};

pub(super) fn write(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let _ = writeln!(
        out,
        "  %% Topology of {} (meshgen graph)",
        comment(&graph.title)
    );
    if let Some(summary) = &graph.summary {
        let _ = writeln!(out, "  %% {}", comment(summary));
    }
    for group in &graph.groups {
        let _ = writeln!(out, "  subgraph {}[\"{}\"]", group.id, text(&group.label));
        for node in &group.nodes {
            let _ = writeln!(out, "    {}", node_line(node));
        }
        out.push_str("  end\n");
    }
    for node in &graph.outside {
        let _ = writeln!(out, "  {}", node_line(node));
    }
    for edge in &graph.edges {
        let arrow = match edge.kind {
            EdgeKind::Runs => "---",
            EdgeKind::CrossNetwork => "<-->",
            EdgeKind::ControlPlane => "-.->",
            EdgeKind::Configures | EdgeKind::Reads => "-.->",
            EdgeKind::ReadEachOther => "<-.->",
        };
        match &edge.label {
            Some(label) => {
                let _ = writeln!(
                    out,
                    "  {} {arrow}|\"{}\"| {}",
                    edge.from,
                    text(label),
                    edge.to
                );
            }
            None => {
                let _ = writeln!(out, "  {} {arrow} {}", edge.from, edge.to);
            }
        }
    }
    out
}

fn node_line(node: &Node) -> String {
    let label: Vec<String> = node.lines.iter().map(|l| text(l)).collect();
    let label = label.join("<br/>");
    let (open, close) = match node.shape {
        Shape::Cluster => ("[", "]"),
        Shape::Gateway => ("[/", "\\]"),
        Shape::Istiod => ("([", "])"),
        Shape::Global => ("[(", ")]"),
        Shape::More => ("{{", "}}"),
    };
    format!("{}{open}\"{label}\"{close}", node.id)
}

/// A label's text inside Mermaid's quotes.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A `%%` comment's text: one line.
fn comment(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_end_their_string_or_carry_markup() {
        assert_eq!(
            text("a\"b<c>#d&`|\ne"),
            "a#quot;b#lt;c#gt;#35;d#amp;#96;#124; e"
        );
        assert_eq!(text("10.0.0.1,fd00::1"), "10.0.0.1,fd00::1");
    }
}
