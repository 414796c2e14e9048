//! Values of the `gitops:` section that are neither names nor URLs: the git revision
//! Flux and Argo CD follow, the folder inside the repository, and Flux's interval.

use super::text;

/// A branch, full ref or commit, by the rules of `git check-ref-format` (git
/// `Documentation/git-check-ref-format.txt`); meshgen also refuses invisible characters,
/// which git allows, because a revision that cannot be read in a review cannot be checked.
pub fn revision(revision: &str) -> Result<(), &'static str> {
    if revision.is_empty() {
        return Err("is empty");
    }
    if revision == "HEAD" || revision == "@" {
        return Err("is not a branch: Flux cannot follow HEAD");
    }
    if revision
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c))
    {
        return Err("holds a space, control character or one of ~ ^ : ? * [ \\");
    }
    if revision.chars().any(text::is_invisible) {
        return Err("holds an invisible character (a bidi control, zero-width or line separator)");
    }
    if revision.contains("..") || revision.contains("@{") || revision.contains("//") {
        return Err("holds `..`, `@{` or `//`");
    }
    if revision.starts_with(['-', '/']) || revision.ends_with(['/', '.']) {
        return Err("starts with `-` or `/`, or ends with `/` or `.`");
    }
    if revision
        .split('/')
        .any(|part| part.starts_with('.') || part.ends_with(".lock"))
    {
        return Err("has a part that starts with `.` or ends with `.lock`");
    }
    Ok(())
}

/// The repository folder in canonical form (`a/b`, or `` for the root): leading `./` and a
/// trailing `/` are dropped. `Err` says why it is not a folder inside the repository.
pub fn normalize_path(path: &str) -> Result<String, &'static str> {
    if path.chars().any(char::is_control) || path.contains('\\') {
        return Err("holds a control character or a backslash");
    }
    if path.chars().any(text::is_invisible) {
        return Err("holds an invisible character (a bidi control, zero-width or line separator)");
    }
    if path.starts_with('/') {
        return Err("is absolute");
    }
    let trimmed = path.trim_end_matches('/');
    let mut parts = Vec::new();
    for (i, part) in trimmed.split('/').enumerate() {
        match part {
            "." if i == 0 => {}
            "" if trimmed.is_empty() => {}
            "" | "." => return Err("has an empty or `.` part"),
            ".." => return Err("leaves the repository with `..`"),
            part => parts.push(part),
        }
    }
    if path.is_empty() {
        return Err("is empty (write `.` for the repository root)");
    }
    Ok(parts.join("/"))
}

/// A Go duration as Flux's CRDs accept it (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`), longer than zero.
pub fn duration(text: &str) -> Result<(), &'static str> {
    let mut rest = text;
    let mut nonzero = false;
    if rest.is_empty() {
        return Err("is empty");
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err("is not a Go duration");
        }
        let (mut number, mut after) = rest.split_at(digits);
        nonzero |= number.bytes().any(|b| b != b'0');
        if let Some(fraction) = after.strip_prefix('.') {
            let n = fraction.len()
                - fraction
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            if n == 0 {
                return Err("is not a Go duration");
            }
            number = &fraction[..n];
            nonzero |= number.bytes().any(|b| b != b'0');
            after = &fraction[n..];
        }
        rest = if let Some(r) = after.strip_prefix("ms") {
            r
        } else if let Some(r) = after.strip_prefix(['s', 'm', 'h']) {
            r
        } else {
            return Err("has a number without a unit (ms, s, m or h)");
        };
    }
    if nonzero { Ok(()) } else { Err("is zero") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for good in ["10m", "30s", "1h30m", "1.5h", "500ms", "0.5s"] {
            assert_eq!(duration(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "10",
            "10 m",
            "1d",
            "m",
            "0s",
            "0m0s",
            "1.h",
            "-1m",
            "10minutes",
        ] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths() {
        assert_eq!(normalize_path("."), Ok(String::new()));
        assert_eq!(normalize_path("./"), Ok(String::new()));
        assert_eq!(normalize_path("deploy/mesh"), Ok("deploy/mesh".to_owned()));
        assert_eq!(
            normalize_path("./deploy/mesh/"),
            Ok("deploy/mesh".to_owned())
        );
        for bad in [
            "",
            "/deploy",
            "../x",
            "a/../b",
            "a//b",
            "a/./b",
            "a\\b",
            "a\nb",
            "a\u{2028}b",
        ] {
            assert!(normalize_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn revisions() {
        for good in [
            "main",
            "release/1.0",
            "refs/tags/v1.2.0",
            "0123456789abcdef0123456789abcdef01234567",
        ] {
            assert_eq!(revision(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "HEAD",
            "a b",
            "a..b",
            "a~1",
            "x^",
            "a:b",
            "-x",
            "x/",
            "x.",
            "x.lock",
            "a/.b",
            "@{u}",
            "a//b",
            "ma\u{202E}in",
            "main\u{200B}",
        ] {
            assert!(revision(bad).is_err(), "{bad}");
        }
    }
}
