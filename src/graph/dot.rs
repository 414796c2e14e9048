//! The topology in Graphviz's DOT language (`dot -Tsvg`): each network a `cluster_*`
//! subgraph, which Graphviz draws as a box. `newrank=true` ranks the whole graph at once:
//! with the default per-cluster ranking, Graphviz 2.43 (Debian 12) fails on a summarised
//! fleet ("trouble in init_rank", "lost ... edge").

use std::fmt::Write;

use super::{EdgeKind, Graph, Node, Shape};

pub(super) fn write(graph: &Graph) -> String {
    let mut out = String::from("digraph mesh {\n");
    let mut label = graph.title.clone();
    if let Some(summary) = &graph.summary {
        label = format!("{label}\n{summary}");
    }
    let _ = writeln!(
        out,
        "  graph [rankdir=LR, newrank=true, labelloc=t, fontname=\"Helvetica\", label=\"{}\"];",
        text(&label)
    );
    out.push_str("  node [fontname=\"Helvetica\", shape=box];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for group in &graph.groups {
        let _ = writeln!(out, "  subgraph cluster_{} {{", group.id);
        let _ = writeln!(out, "    label=\"{}\";", text(&group.label));
        for node in &group.nodes {
            let _ = writeln!(out, "    {}", node_line(node));
        }
        out.push_str("  }\n");
    }
    for node in &graph.outside {
        let _ = writeln!(out, "  {}", node_line(node));
    }
    for edge in &graph.edges {
        let mut attributes: Vec<String> = match edge.kind {
            EdgeKind::Runs => vec!["dir=none".into()],
            EdgeKind::CrossNetwork => vec!["dir=both".into()],
            EdgeKind::ControlPlane => vec!["style=dashed".into()],
            EdgeKind::Configures | EdgeKind::Reads => vec!["style=dotted".into()],
            EdgeKind::ReadEachOther => vec!["style=dotted".into(), "dir=both".into()],
        };
        if let Some(label) = &edge.label {
            attributes.push(format!("label=\"{}\"", text(label)));
        }
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            edge.from,
            edge.to,
            attributes.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

fn node_line(node: &Node) -> String {
    let label: Vec<String> = node.lines.iter().map(|l| text(l)).collect();
    let shape = match node.shape {
        Shape::Cluster => "box",
        Shape::Gateway => "trapezium",
        Shape::Istiod => "ellipse",
        Shape::Global => "cylinder",
        Shape::More => "note",
    };
    format!(
        "{} [label=\"{}\", shape={shape}];",
        node.id,
        label.join("\\n")
    )
}

/// Text inside a DOT quoted string: `"` and `\` escaped, lines as `\n`.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_end_early() {
        assert_eq!(text("a\"b\\c\nd\re"), "a\\\"b\\\\c\\nd e");
    }
}
