//! `OUT/.meshgen/manifest`: the files meshgen owns in OUT, each with its sha256.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::tree::{META_DIR, Tree, is_plain_relative_path};

pub use crate::layout::MANIFEST;

/// The files meshgen owns in OUT and their sha256 ([`MANIFEST`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    files: BTreeMap<String, [u8; 32]>,
}

impl Manifest {
    /// The manifest of a tree: every file, with the sha256 of its bytes.
    pub fn of(tree: &Tree) -> Manifest {
        Manifest {
            files: tree
                .iter()
                .map(|(path, bytes)| (path.to_owned(), sha256(bytes)))
                .collect(),
        }
    }

    /// Record a file about to be written; its path must fit the others ([`Tree::insert`]).
    pub(super) fn add(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        crate::tree::check_new_path(&self.files, path)?;
        self.files.insert(path.to_owned(), sha256(bytes));
        Ok(())
    }

    /// `<sha256>  <path>` lines, sorted by path (the `sha256sum` format).
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.files.len() * 100);
        for (path, hash) in &self.files {
            // By hand: a `format!` per byte was a twentieth of a large render's instructions.
            const HEX: &[u8; 16] = b"0123456789abcdef";
            for byte in hash {
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
            out.push_str("  ");
            out.push_str(path);
            out.push('\n');
        }
        out
    }

    /// Read a manifest; a line that is not `<sha256>  <plain relative path>` is an
    /// error (its 1-based number and why), so a tampered manifest can never name a
    /// file outside OUT.
    pub fn parse(text: &str) -> Result<Manifest, (usize, String)> {
        let mut files = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let number = i + 1;
            let Some((hex, path)) = line.split_once("  ") else {
                return Err((number, "expected `<sha256>  <path>`".to_owned()));
            };
            let hash = parse_hex(hex)
                .ok_or_else(|| (number, "expected 64 hexadecimal digits".to_owned()))?;
            if !is_plain_relative_path(path) || path.split('/').next() == Some(META_DIR) {
                return Err((
                    number,
                    format!("`{}` is not a path inside the folder", path.escape_debug()),
                ));
            }
            if files.insert(path.to_owned(), hash).is_some() {
                return Err((number, format!("`{path}` is listed twice")));
            }
        }
        Ok(Manifest { files })
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Keep a line of a previous manifest (a file a `--cluster` write leaves as it is).
    pub(super) fn keep(&mut self, path: &str, hash: [u8; 32]) {
        self.files.insert(path.to_owned(), hash);
    }

    /// The sha256 meshgen recorded for `path`.
    pub(super) fn hash(&self, path: &str) -> Option<&[u8; 32]> {
        self.files.get(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

pub(super) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> Tree {
        let mut tree = Tree::default();
        for (path, text) in files {
            tree.insert(path, text.as_bytes().to_vec()).unwrap();
        }
        tree
    }

    #[test]
    fn a_manifest_reads_back_and_matches_sha256sum() {
        let manifest = Manifest::of(&tree(&[("b/x.yaml", "x\n"), ("a.md", "")]));
        let text = manifest.to_text();
        // What `sha256sum a.md b/x.yaml` prints for these contents.
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a.md\n\
             73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac  b/x.yaml\n"
        );
        assert_eq!(Manifest::parse(&text), Ok(manifest));
    }

    #[test]
    fn a_tampered_manifest_names_no_file_outside_the_folder() {
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for (text, line) in [
            (format!("{hash}  ../etc/passwd\n"), 1),
            (format!("{hash}  /etc/passwd\n"), 1),
            (format!("{hash}  a\n{hash}  a/../../b\n"), 2),
            (format!("{hash}  .meshgen/manifest\n"), 1),
            (format!("{hash}  a\n{hash}  a\n"), 2),
            (format!("{hash} a\n"), 1),
            ("zz  a\n".to_owned(), 1),
        ] {
            assert_eq!(Manifest::parse(&text).map_err(|e| e.0), Err(line), "{text}");
        }
        assert_eq!(Manifest::parse(""), Ok(Manifest::default()));
    }
}
