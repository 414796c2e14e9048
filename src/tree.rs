//! Stage 5: the rendered tree, an ordered map of relative path to bytes, and
//! what can be done with it: write it, diff it against a folder ([`crate::write`]), print it.

use std::collections::BTreeMap;

pub use crate::layout::META_DIR;

/// Relative path (with `/`) to file bytes. Ordering gives deterministic output and diffs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, Vec<u8>>,
}

/// A path meshgen may own inside OUT: relative, `/`-separated, with no empty, `.` or
/// `..` part, no backslash and no control character (so it can never leave OUT and
/// always fits on one manifest line).
pub fn is_plain_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'))
}

/// Whether `path` may join `files` (a map by path): see [`Tree::insert`]. The writer
/// checks the same of what it streams to disk.
pub(crate) fn check_new_path<V>(files: &BTreeMap<String, V>, path: &str) -> Result<(), String> {
    if !is_plain_relative_path(path) {
        return Err(format!(
            "refusing to add `{}` to the tree: not a plain relative path",
            path.escape_debug()
        ));
    }
    if path.split('/').next() == Some(META_DIR) {
        return Err(format!(
            "refusing to add `{path}` to the tree: {META_DIR}/ is meshgen's bookkeeping"
        ));
    }
    // `a/b` as a file and `a/b/c` as a file cannot both be written.
    let mut folder = path;
    while let Some((parent, _)) = folder.rsplit_once('/') {
        if files.contains_key(parent) {
            return Err(format!("`{parent}` is a file, so `{path}` cannot be added"));
        }
        folder = parent;
    }
    let prefix = format!("{path}/");
    if files
        .range(prefix.clone()..)
        .next()
        .is_some_and(|(p, _)| p.starts_with(&prefix))
    {
        return Err(format!("`{path}` is a folder in the tree, not a file"));
    }
    if files.contains_key(path) {
        return Err(format!("two files render to `{path}`"));
    }
    Ok(())
}

impl Tree {
    /// Add a file. Paths are plain relative paths ([`is_plain_relative_path`]) outside
    /// [`META_DIR`], and no file may sit where another file needs a folder.
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        check_new_path(&self.files, path)?;
        self.files.insert(path.to_owned(), bytes);
        Ok(())
    }

    /// Add every file of `other`, with the same rules as [`Tree::insert`].
    pub fn merge(&mut self, other: Tree) -> Result<(), String> {
        for (path, bytes) in other.files {
            self.insert(&path, bytes)?;
        }
        Ok(())
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Total bytes of all files.
    pub fn size(&self) -> usize {
        self.files.values().map(Vec::len).sum()
    }

    /// The YAML files `include` picks, as one multi-document stream (`render --stdout`),
    /// each file preceded by a `# Source:` comment.
    pub fn to_yaml_stream(&self, include: impl Fn(&str) -> bool) -> String {
        let mut out = String::new();
        for (path, bytes) in &self.files {
            if !(path.ends_with(".yaml") || path.ends_with(".yml")) || !include(path) {
                continue;
            }
            out.push_str("---\n# Source: ");
            out.push_str(path);
            out.push('\n');
            let text = String::from_utf8_lossy(bytes);
            out.push_str(&without_leading_document_start(&text));
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }
}

/// A file's text without a `---` that opens its first document: after the stream's own
/// `---` it would start an extra, empty document. Leading comments stay.
fn without_leading_document_start(text: &str) -> std::borrow::Cow<'_, str> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end();
        if content.is_empty() || content.starts_with('#') {
            offset += line.len();
            continue;
        }
        if content == "---" {
            let mut kept = String::with_capacity(text.len());
            kept.push_str(&text[..offset]);
            kept.push_str(&text[offset + line.len()..]);
            return kept.into();
        }
        break;
    }
    text.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_enter_the_tree() {
        let mut tree = Tree::default();
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a\nb",
            "a\rb",
            ".meshgen/manifest",
            ".meshgen",
        ] {
            assert!(tree.insert(bad, vec![]).is_err(), "{bad:?} must be refused");
        }
        tree.insert("clusters/a/x.yaml", vec![]).unwrap();
        assert!(tree.insert("clusters/a/x.yaml", vec![]).is_err());
        assert!(tree.insert("clusters/a/x.yaml/y", vec![]).is_err());
        assert!(tree.insert("clusters/a", vec![]).is_err());
        tree.insert("clusters/a/y.yaml", vec![]).unwrap();
        tree.insert(".meshgenx/ok", vec![]).unwrap();
        assert_eq!(tree.len(), 3);
    }

    #[test]
    fn the_stream_holds_the_chosen_yaml_files_with_no_empty_documents() {
        let mut tree = Tree::default();
        tree.insert("README.md", b"# hi\n".to_vec()).unwrap();
        tree.insert("c/kustomization.yaml", b"resources: []\n".to_vec())
            .unwrap();
        tree.insert(
            "c/a.yaml",
            b"# header\n---\nkind: A\n---\nkind: B\n".to_vec(),
        )
        .unwrap();
        tree.insert("c/b.yml", b"kind: C".to_vec()).unwrap();
        assert_eq!(
            tree.to_yaml_stream(|path| !path.ends_with("kustomization.yaml")),
            "---\n# Source: c/a.yaml\n# header\nkind: A\n---\nkind: B\n\
             ---\n# Source: c/b.yml\nkind: C\n"
        );
    }
}
