//! Kubernetes names and label values, and DNS domains.
//!
//! Source: kubernetes/kubernetes `staging/src/k8s.io/apimachinery/pkg/api/validate/content/`
//! (`dns.go`: `IsDNS1123Label`, `IsDNS1123Subdomain`; `kube.go`: `IsLabelValue`), which
//! `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go` re-exports and
//! where `IsConfigMapKey` and `IsFullyQualifiedDomainName` live. The regular expressions
//! are written out as code here so that a refusal can say which character or part is wrong.

use super::text;

/// `DNS1123LabelMaxLength`, `LabelValueMaxLength`: 63.
pub const LABEL_MAX: usize = 63;
/// `DNS1123SubdomainMaxLength`: 253.
pub const SUBDOMAIN_MAX: usize = 253;

/// An RFC 1123 label, `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, of at most `max` characters
/// (63 in Kubernetes; less where meshgen builds a longer label from the value).
/// Namespaces, Services, and every name that becomes a label or a DNS label.
pub fn dns1123_label(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("is empty".to_owned());
    }
    if let Some(c) = value.chars().find(|c| !is_label_char(*c)) {
        return Err(char_problem(c));
    }
    edges_and_length(value, max)
}

/// An RFC 1123 subdomain: `dns1123_label` parts joined by `.`, at most 253 characters.
/// Most object names (Nodes, Secrets, Deployments, custom resources).
///
/// Kubernetes' subdomain regular expression does not limit the length of a part: a
/// 64-character node name without a dot is a valid name (but see [`dns_domain`]).
pub fn dns1123_subdomain(value: &str) -> Result<(), String> {
    subdomain(value, SUBDOMAIN_MAX)
}

/// A DNS domain as a resolver takes it (the cluster DNS domain, `cluster.local`): an
/// RFC 1123 subdomain whose parts are at most 63 characters each (RFC 1035 2.3.4; as
/// `IsFullyQualifiedDomainName` checks each part with `IsDNS1123Label`), without a
/// leading or trailing dot.
pub fn dns_domain(value: &str) -> Result<DnsDomain, String> {
    subdomain(value, LABEL_MAX)?;
    Ok(DnsDomain(value.to_owned()))
}

/// A label value as part of an object name (DNS-1123): lower case, `_` and `.` as `-`
/// (the helloworld Deployment `helloworld-<version>`).
pub fn name_part(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            'a'..='z' | '0'..='9' | '-' => c,
            _ => '-',
        })
        .collect()
}

/// A DNS domain that [`dns_domain`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsDomain(String);

impl DnsDomain {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last part: `local` of `cluster.local` (never empty).
    pub fn last_label(&self) -> &str {
        self.0.rsplit('.').next().unwrap_or(&self.0)
    }
}

impl std::fmt::Display for DnsDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn subdomain(value: &str, part_max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("is empty".to_owned());
    }
    if let Some(c) = value.chars().find(|c| !(is_label_char(*c) || *c == '.')) {
        return Err(char_problem(c));
    }
    if value.len() > SUBDOMAIN_MAX {
        return Err(format!(
            "is {} characters long, more than {SUBDOMAIN_MAX}",
            value.len()
        ));
    }
    for part in value.split('.') {
        if part.is_empty() {
            return Err("has an empty part between dots".to_owned());
        }
        edges_and_length(part, part_max).map_err(|p| format!("has a part `{part}` that {p}"))?;
    }
    Ok(())
}

/// A label value: empty, or `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?` of at most 63
/// characters (`IsLabelValue`).
pub fn label_value(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| !is_label_value_char(*c)) {
        return Err(char_problem(c));
    }
    if value.len() > LABEL_MAX {
        return Err(format!(
            "is {} characters long, more than {LABEL_MAX}",
            value.len()
        ));
    }
    match (value.chars().next(), value.chars().last()) {
        (Some(c), _) if !c.is_ascii_alphanumeric() => Err(format!("starts with `{c}`")),
        (_, Some(c)) if !c.is_ascii_alphanumeric() => Err(format!("ends with `{c}`")),
        _ => Ok(()),
    }
}

/// A label key, `[prefix/]name` (`IsQualifiedName`): the prefix a [`dns1123_subdomain`],
/// the name a label value that is not empty.
pub fn label_key(value: &str) -> Result<(), String> {
    let name = match value.split_once('/') {
        Some((prefix, name)) => {
            dns1123_subdomain(prefix).map_err(|p| format!("has a prefix `{prefix}` that {p}"))?;
            name
        }
        None => value,
    };
    if name.is_empty() {
        return Err("has an empty name part".to_owned());
    }
    label_value(name).map_err(|p| format!("has a name part `{name}` that {p}"))
}

/// A key of a Secret's or ConfigMap's data: `[-._a-zA-Z0-9]+`, at most 253 characters,
/// and not `.`, `..` or starting with `..` (`IsConfigMapKey`: a key is a file name when
/// the Secret is mounted).
pub fn config_map_key(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("is empty".to_owned());
    }
    if let Some(c) = value.chars().find(|c| !is_label_value_char(*c)) {
        return Err(char_problem(c));
    }
    if value.len() > SUBDOMAIN_MAX {
        return Err(format!(
            "is {} characters long, more than {SUBDOMAIN_MAX}",
            value.len()
        ));
    }
    if value == "." || value.starts_with("..") {
        return Err("is `.` or starts with `..`".to_owned());
    }
    Ok(())
}

/// A Linux network interface name (MetalLB's L2Advertisement `interfaces`): 1 to 15
/// bytes (`IFNAMSIZ` 16 with the NUL), not `.` or `..`, without `/`, `:` or white space
/// (torvalds/linux `net/core/dev.c`, `dev_valid_name`). meshgen also refuses control
/// and invisible characters, which the kernel takes but no reviewer can see.
pub fn interface_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("is empty".to_owned());
    }
    if let Some(c) = name.chars().find(|c| {
        matches!(c, '/' | ':') || c.is_whitespace() || c.is_control() || text::is_invisible(*c)
    }) {
        return Err(char_problem(c));
    }
    if name.len() > 15 {
        return Err(format!("is {} bytes long, more than 15", name.len()));
    }
    if name == "." || name == ".." {
        return Err(format!("is `{name}`"));
    }
    Ok(())
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
}

fn is_label_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Length and first/last character of a label whose characters are already valid.
fn edges_and_length(value: &str, max: usize) -> Result<(), String> {
    if value.len() > max {
        return Err(format!(
            "is {} characters long, more than {max}",
            value.len()
        ));
    }
    if value.starts_with('-') {
        return Err("starts with `-`".to_owned());
    }
    if value.ends_with('-') {
        return Err("ends with `-`".to_owned());
    }
    Ok(())
}

/// Name the first character that is not allowed, so look-alikes and hidden characters show.
pub fn char_problem(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if c.is_ascii_uppercase() {
        format!("contains upper-case `{c}`")
    } else if c == ' ' {
        "contains a space".to_owned()
    } else if text::is_invisible(c) {
        text::invisible_char(c)
    } else if c.is_control() || c.is_whitespace() {
        format!("contains the invisible character {code}")
    } else if !c.is_ascii() {
        format!("contains `{c}` ({code}), which is not ASCII (a look-alike of an ASCII letter?)")
    } else {
        format!("contains `{c}`")
    }
}

/// A valid label close to `value`, if there is one: lower case, other characters as `-`.
pub fn suggest_label(value: &str, max: usize) -> Option<String> {
    let mut out = String::with_capacity(value.len());
    for c in value.chars().map(|c| c.to_ascii_lowercase()) {
        let c = if is_label_char(c) { c } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.truncate(max);
    let out = out.trim_end_matches('-').to_owned();
    (!out.is_empty() && out != value && dns1123_label(&out, max).is_ok()).then_some(out)
}

/// A valid label value close to `value`, if there is one.
pub fn suggest_label_value(value: &str) -> Option<String> {
    let mapped: String = value
        .chars()
        .map(|c| if is_label_value_char(c) { c } else { '-' })
        .collect();
    let trimmed = mapped.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let mut out: String = trimmed.chars().take(LABEL_MAX).collect();
    while out.ends_with(|c: char| !c.is_ascii_alphanumeric()) {
        out.pop();
    }
    (!out.is_empty() && out != value && label_value(&out).is_ok()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of kubernetes/kubernetes `staging/src/k8s.io/apimachinery/pkg/api/validate/content/dns_test.go`.
    #[test]
    fn dns1123_labels_as_kubernetes_tests_them() {
        let a63 = "a".repeat(63);
        for good in [
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "012",
            "1a",
            "1-a",
            "1--a--b--2",
            &a63,
        ] {
            assert_eq!(dns1123_label(good, LABEL_MAX), Ok(()), "{good}");
        }
        let a64 = "a".repeat(64);
        for bad in [
            "", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_", "a_",
            "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a.b", "1.", ".1", "1.2", " ", "a ",
            " a", "a b", "1 ", " 1", "1 2", &a64,
        ] {
            assert!(dns1123_label(bad, LABEL_MAX).is_err(), "{bad:?}");
        }
        // Trailing newline: Go's `$` matches only at the end of the text.
        assert!(dns1123_label("a\n", LABEL_MAX).is_err());
    }

    #[test]
    fn dns1123_subdomains_as_kubernetes_tests_them() {
        let a253 = "a".repeat(253);
        for good in [
            "a",
            "a--1--2--b",
            "a.a",
            "a-1.a",
            "a--1--2--b.a",
            "a.1",
            "0.a",
            "012.a",
            "1--a--b--2.1",
            "a.b.c.d.e",
            "1.2.3.4.5",
            "11.22.33.44.55",
            &a253,
            // No limit on a part: only the whole is limited.
            &format!("{}.b", "a".repeat(64)),
        ] {
            assert_eq!(dns1123_subdomain(good), Ok(()), "{good}");
        }
        let a254 = "a".repeat(254);
        for bad in [
            "",
            "A",
            "aBc",
            "1-A",
            "-",
            "a-",
            "-a",
            "_",
            "a_b",
            ".",
            "a.",
            ".a",
            "a..b",
            "1..2",
            " ",
            "a b",
            "A.a",
            "ab.A",
            "a.B.c.d.e",
            "a@b",
            "a,b",
            "a;b",
            "a:b",
            "a%b",
            "a?b",
            "a$b",
            &a254,
        ] {
            assert!(dns1123_subdomain(bad).is_err(), "{bad:?}");
        }
    }

    /// The cases of `kube_test.go` (`TestIsLabelValue`).
    #[test]
    fn label_values_as_kubernetes_tests_them() {
        let a63 = "a".repeat(63);
        for good in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "end-with-num-1",
            "1234",
            &a63,
            "",
            "Region_1.a",
        ] {
            assert_eq!(label_value(good), Ok(()), "{good}");
        }
        let a64 = "a".repeat(64);
        for bad in [
            "nospecialchars%^=@",
            "Tama-nui-te-rā.is.Māori.sun",
            "\\backslashes\\are\\bad",
            "-starts-with-dash",
            "ends-with-dash-",
            ".starts.with.dot",
            "ends.with.dot.",
            &a64,
        ] {
            assert!(label_value(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dns_domains_limit_each_part() {
        assert_eq!(dns_domain("cluster.local").unwrap().last_label(), "local");
        assert_eq!(dns_domain("corp").unwrap().last_label(), "corp");
        let long = format!("{}.local", "a".repeat(64));
        assert!(dns_domain(&long).unwrap_err().contains("more than 63"));
        assert_eq!(
            dns_domain("cluster.local.").unwrap_err(),
            "has an empty part between dots"
        );
        assert!(dns_domain("Cluster.local").is_err());
    }

    #[test]
    fn interface_names() {
        for good in [
            "enp1s0",
            "eth0",
            "br-1a2b3c4d5e6f",
            "vlan.100",
            "wg_0",
            "ens192",
        ] {
            assert_eq!(interface_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "eth0:1",
            "a/b",
            "eth 0",
            "eth0\n",
            "a-very-long-name",
            "enp1s0\u{200B}",
            "\u{202E}0hte",
        ] {
            assert!(interface_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            interface_name("enp1s0\u{200B}").unwrap_err(),
            "contains the invisible character U+200B (zero-width space)"
        );
    }

    #[test]
    fn config_map_keys() {
        for good in [
            "value",
            "c2.kubeconfig",
            "KEY_NAME",
            "key-name",
            ".hidden",
            "a..b",
        ] {
            assert_eq!(config_map_key(good), Ok(()), "{good}");
        }
        for bad in ["", ".", "..", "..x", "a/b", "a b", &"k".repeat(254)] {
            assert!(config_map_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn refusals_name_the_character() {
        let label = |v: &str| dns1123_label(v, LABEL_MAX).unwrap_err();
        assert_eq!(label("Mdemo"), "contains upper-case `M`");
        assert_eq!(label("../etc"), "contains `.`");
        assert!(label("mdemо").contains("U+043E"));
        assert_eq!(label("-a"), "starts with `-`");
        assert!(label(&"a".repeat(64)).contains("64 characters"));
        assert_eq!(
            label("a\u{200B}b"),
            "contains the invisible character U+200B (zero-width space)"
        );
        assert_eq!(
            label("a\u{2028}"),
            "contains the invisible character U+2028 (line separator)"
        );
        assert_eq!(label("a\tb"), "contains the invisible character U+0009");
        assert_eq!(dns1123_subdomain("../etc").unwrap_err(), "contains `/`");
        assert_eq!(dns1123_subdomain("node-1.example.com"), Ok(()));
        assert_eq!(
            dns1123_subdomain("a..b").unwrap_err(),
            "has an empty part between dots"
        );
        // As the gitops rules use them.
        assert!(dns1123_label("flux-system", LABEL_MAX).is_ok());
        assert!(dns1123_label("Flux_System", LABEL_MAX).is_err());
        assert!(dns1123_subdomain("c2.kubeconfig").is_ok());
        assert!(dns1123_subdomain("c2..kubeconfig").is_err());
        assert_eq!(label_value("zone 1").unwrap_err(), "contains a space");
        assert_eq!(label_value("zone-").unwrap_err(), "ends with `-`");
    }

    #[test]
    fn suggestions_are_valid() {
        assert_eq!(
            suggest_label("Mdemo_Cluster 1", 63).as_deref(),
            Some("mdemo-cluster-1")
        );
        assert_eq!(suggest_label("---", 63), None);
        assert_eq!(suggest_label("abcdef", 3).as_deref(), Some("abc"));
        assert_eq!(suggest_label_value("zone 1").as_deref(), Some("zone-1"));
        assert_eq!(suggest_label_value("ok"), None);
    }

    #[test]
    fn label_keys() {
        for good in [
            "topology.istio.io/network",
            "topology.kubernetes.io/region",
            "kubernetes.io/hostname",
            "version",
            "app.kubernetes.io/Name_1",
        ] {
            assert_eq!(label_key(good), Ok(()), "{good}");
        }
        for bad in ["", "/x", "a/", "A.b/x", "x y", "a/b/c", "-x"] {
            assert!(label_key(bad).is_err(), "{bad:?}");
        }
    }
}
