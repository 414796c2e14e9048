//! Image references: `[host[:port]/]path[:tag][@algorithm:hex]`, path components lower
//! case, as docker, containerd and Kubernetes read them.
//!
//! Source: distribution/reference `regexp.go` (`ReferenceRegexp`, `domainAndPort`,
//! `pathComponent`, `tag`, `digest`) and its `normalize.go` (a first component is a
//! registry host when it holds `.` or `:` or is `localhost`).

use super::host::HostPort;
use super::text;

/// An image to pull: `[host[:port]/]path[:tag][@digest]`.
pub fn reference(text: &str) -> Result<(), String> {
    reference_problem(text, true).map_or(Ok(()), Err)
}

/// A registry and repository prefix that meshgen completes with `/<image>:<tag>`
/// (`release.daocloud.io/mspider`): an image name without tag or digest.
pub fn registry(text: &str) -> Result<(), String> {
    reference_problem(text, false).map_or(Ok(()), Err)
}

/// Why `text` is not an image reference (with tag and digest only if `tagged`), if it is not.
fn reference_problem(text: &str, tagged: bool) -> Option<String> {
    if text.is_empty() {
        return Some("is empty".to_owned());
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || text::is_invisible(*c))
    {
        return Some(if c == ' ' {
            "contains a space".to_owned()
        } else if text::is_invisible(c) {
            text::invisible_char(c)
        } else {
            format!("contains the invisible character U+{:04X}", c as u32)
        });
    }
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => (rest, Some(digest)),
        None => (text, None),
    };
    // A tag is a `:` after the last `/` (an earlier `:` is a registry port).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest.get(last_slash..).and_then(|tail| tail.find(':')) {
        Some(colon) if tagged => rest.split_at(last_slash + colon),
        _ => (rest, ""),
    };
    let tag = tag.strip_prefix(':');
    if !tagged && (digest.is_some() || registry_tag(rest)) {
        return Some("has a tag or digest; the mesh version is the tag".to_owned());
    }
    if let Some(digest) = digest
        && !valid_digest(digest)
    {
        return Some(format!(
            "has a malformed digest `@{digest}` (want sha256:<64 hex digits>)"
        ));
    }
    if let Some(tag) = tag
        && self::tag(tag).is_err()
    {
        return Some(format!(
            "has a malformed tag `:{tag}` (letters, digits, `_`, `.`, `-`, at most 128, not starting with `.` or `-`)"
        ));
    }
    if name.len() > 255 {
        return Some(format!("is {} characters long, more than 255", name.len()));
    }
    let mut components = name.split('/');
    let first = components.next().unwrap_or_default();
    // As container runtimes read it: the first component is a registry host when it has a
    // `.` or `:` or is `localhost`, and (in an image) something follows it.
    let looks_like_host = first.contains(['.', ':', '[']) || first == "localhost";
    let is_host = looks_like_host && (!tagged || name.contains('/'));
    if is_host {
        if HostPort::parse(first).is_err() {
            return Some(format!("has a malformed registry host `{first}`"));
        }
    } else if let Some(problem) = path_component_problem(first) {
        return Some(problem);
    }
    components.find_map(path_component_problem)
}

/// A registry prefix that ends in `:something` after its last `/` (a tag, not a port).
fn registry_tag(text: &str) -> bool {
    match text.rsplit_once('/') {
        Some((_, last)) => last.contains(':'),
        None => false,
    }
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or `-`+.
fn path_component_problem(part: &str) -> Option<String> {
    if part.is_empty() {
        return Some("has an empty path component (`//`, or a `/` at an end)".to_owned());
    }
    if let Some(c) = part.chars().find(|c| c.is_ascii_uppercase()) {
        return Some(format!("has upper-case `{c}` in the path `{part}`"));
    }
    if let Some(c) = part
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
    {
        return Some(format!("contains `{c}`"));
    }
    let bytes = part.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return Some(format!(
            "has a path component `{part}` that does not start and end with a letter or digit"
        ));
    }
    // Separators: one `.`, one or two `_`, or any number of `-`.
    for separator in part
        .split(|c: char| c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
    {
        let ok = separator == "."
            || separator == "_"
            || separator == "__"
            || separator.chars().all(|c| c == '-');
        if !ok {
            return Some(format!("has the separator `{separator}` in `{part}`"));
        }
    }
    None
}

/// An image tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (distribution/reference `tag`).
pub fn tag(tag: &str) -> Result<(), String> {
    let b = tag.as_bytes();
    let valid = !b.is_empty()
        && b.len() <= 128
        && b.first()
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(
            "is not a tag (letters, digits, `_`, `.`, `-`, at most 128, not starting with `.` or `-`)"
                .to_owned(),
        )
    }
}

/// `algorithm:hex`, algorithm components `[A-Za-z][A-Za-z0-9]*` joined by `+.-_`, 32+ hex digits.
fn valid_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['+', '.', '-', '_']).all(|part| {
        let b = part.as_bytes();
        b.first().is_some_and(u8::is_ascii_alphabetic) && b.iter().all(u8::is_ascii_alphanumeric)
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        for ok in [
            "curlimages/curl",
            "curlimages/curl:8.7.1",
            "docker.m.daocloud.io/istio/examples-helloworld-v1",
            "localhost:5000/a/b:v1",
            "[fd00::1]:5000/a",
            "busybox",
            "a/b__c/d-e---f.g",
            "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(reference(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "curl images/curl",
            "a\nb",
            "Curlimages/curl",
            "docker.io/Istio/x",
            "a//b",
            "a/b/",
            "a/b:",
            "a/b:-x",
            "a/b@sha256:12",
            "a/-b",
            "a/b..c",
            "a/b{{x}}",
            "ex:ample/a",
            "localhost:99999/a",
            "a/b\u{202E}c",
        ] {
            assert!(reference(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            reference("curl\u{200B}").unwrap_err(),
            "contains the invisible character U+200B (zero-width space)"
        );
        assert_eq!(tag("1.15.3-mspider"), Ok(()));
        assert!(tag(".x").is_err());
        assert!(tag(&"t".repeat(129)).is_err());
    }

    #[test]
    fn registry_prefixes() {
        for ok in [
            "release.daocloud.io/mspider",
            "docker.io",
            "localhost:5000",
            "registry.example.com:5000/team",
            "istio",
        ] {
            assert_eq!(registry(ok), Ok(()), "{ok}");
        }
        for bad in [
            "release.daocloud.io/mspider:1.15",
            "release.daocloud.io/mspider/",
            "release.daocloud.io/Mspider",
            "registry..io/x",
            "reg: x",
        ] {
            assert!(registry(bad).is_err(), "{bad:?}");
        }
    }
}
