//! Stage 5: the rendered tree, an ordered map of relative path to bytes, and
//! what can be done with it: write it, diff it against a folder, print it.

use std::collections::BTreeMap;

/// Relative path (with `/`) to file bytes. Ordering gives deterministic output and diffs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    files: BTreeMap<String, Vec<u8>>,
}

impl Tree {
    /// Add a file. Paths are relative, `/`-separated, with no empty, `.` or `..` part.
    pub fn insert(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), String> {
        let valid = !path.is_empty()
            && !path.starts_with('/')
            && path.split('/').all(|part| {
                !part.is_empty() && part != "." && part != ".." && !part.contains('\\')
            });
        if !valid {
            return Err(format!(
                "refusing to add `{path}` to the tree: not a plain relative path"
            ));
        }
        if self.files.insert(path.to_owned(), bytes).is_some() {
            return Err(format!("two files render to `{path}`"));
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

    /// Every YAML file as one multi-document stream, each document preceded by a
    /// `# Source:` comment (`render --stdout`).
    pub fn to_yaml_stream(&self) -> String {
        let mut out = String::new();
        for (path, bytes) in &self.files {
            // Kustomizations are build instructions, not objects a cluster accepts.
            let name = path.rsplit('/').next().unwrap_or(path);
            if !(name.ends_with(".yaml") || name.ends_with(".yml"))
                || name.starts_with("kustomization.")
            {
                continue;
            }
            out.push_str("---\n# Source: ");
            out.push_str(path);
            out.push('\n');
            out.push_str(&String::from_utf8_lossy(bytes));
        }
        out
    }
}
