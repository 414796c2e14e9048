//! Hosts and URLs: a registry host (`registry.example.com:5000`), a git server, an API
//! server (`https://10.0.0.1:6443`).

use std::net::Ipv6Addr;

/// `host[:port]`: a host name, an IPv4 address (which the host-name rule also reads), or
/// an IPv6 address in brackets, and a port 1–65535.
///
/// Host names: RFC 1123 2.1 (letters, digits and `-`, any case, a part neither starting
/// nor ending with `-`) with RFC 1035 2.3.4's limits (63 per part, 253 in all), which is
/// [`super::names::dns_domain`] in any case. This is
/// also the distribution reference grammar's `host` (distribution/reference `regexp.go`:
/// `domainNameComponent`, `ipv6address`), which leaves the lengths to DNS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPort<'a> {
    /// The host as written, without brackets.
    pub host: &'a str,
    pub port: Option<u16>,
}

impl<'a> HostPort<'a> {
    pub fn parse(text: &'a str) -> Result<HostPort<'a>, String> {
        let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
            match bracketed.split_once(']') {
                Some((ip, rest)) if ip.parse::<Ipv6Addr>().is_ok() => match rest {
                    "" => (ip, None),
                    _ => match rest.strip_prefix(':') {
                        Some(port) => (ip, Some(port)),
                        None => return Err("has a malformed IPv6 host".to_owned()),
                    },
                },
                _ => return Err("has a malformed IPv6 host".to_owned()),
            }
        } else {
            let (host, port) = match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            };
            if !is_host_name(host) {
                return Err("has no valid host".to_owned());
            }
            (host, port)
        };
        let port = match port {
            None => None,
            Some(port) => match port.parse::<u16>() {
                // `parse` takes a leading `+`; a port is digits only.
                Ok(p) if p > 0 && port.bytes().all(|b| b.is_ascii_digit()) => Some(p),
                _ => return Err(format!("has an invalid port `{port}`")),
            },
        };
        Ok(HostPort { host, port })
    }
}

/// A host name by RFC 1123 and RFC 1035 (see [`HostPort`]): a DNS domain in any case.
pub fn is_host_name(host: &str) -> bool {
    super::names::dns_domain(&host.to_ascii_lowercase()).is_ok()
}

/// `scheme://[user@]host[:port][/path]` (RFC 3986's authority, as git and Argo CD take a
/// repository or server URL), with one of the schemes a field allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Url<'a> {
    pub scheme: &'a str,
    pub host: HostPort<'a>,
}

impl<'a> Url<'a> {
    pub fn parse(url: &'a str, schemes: &[&str]) -> Result<Url<'a>, String> {
        if let Some(c) = url.chars().find(|c| super::text::is_invisible(*c)) {
            return Err(super::text::invisible_char(c).replacen("contains", "holds", 1));
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("holds spaces or control characters".to_owned());
        }
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(format!("has no scheme (expected {})", scheme_list(schemes)));
        };
        if !schemes.contains(&scheme) {
            return Err(format!(
                "has scheme `{scheme}`, expected {}",
                scheme_list(schemes)
            ));
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        Ok(Url {
            scheme,
            host: HostPort::parse(host_port)?,
        })
    }
}

fn scheme_list(schemes: &[&str]) -> String {
    let list: Vec<String> = schemes.iter().map(|s| format!("{s}://")).collect();
    list.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for good in [
            "registry.example.com",
            "localhost:5000",
            "10.0.0.1:6443",
            "[fd00::1]:8443",
            "[::1]",
            "Docker.IO",
            "a-b.c",
        ] {
            assert!(HostPort::parse(good).is_ok(), "{good}");
        }
        assert_eq!(
            HostPort::parse("[fd00::1]:8443").unwrap(),
            HostPort {
                host: "fd00::1",
                port: Some(8443)
            }
        );
        for bad in [
            "",
            ":5000",
            "host:",
            "host:0",
            "host:99999",
            "host:+80",
            "-bad-",
            "a..b",
            "[zz]",
            "[fd00::1]x",
            "a_b",
            "reg: x",
            &format!("{}.io", "a".repeat(64)),
            &format!("{}.io", "a.".repeat(130)),
        ] {
            assert!(HostPort::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn urls() {
        let git = &["https", "http", "ssh"];
        for good in [
            "https://github.com/org/repo.git",
            "ssh://git@github.com/org/repo.git",
            "http://10.0.0.1:3000/repo",
            "https://[fd00::1]:8443/x",
        ] {
            assert!(Url::parse(good, git).is_ok(), "{good}");
        }
        for bad in [
            "git@github.com:org/repo.git",
            "ftp://x/y",
            "https://",
            "https:// x",
            "https://host:99999/",
            "https://host:0/",
            "https://-bad-/x",
            "https://[zz]/x",
        ] {
            assert!(Url::parse(bad, git).is_err(), "{bad}");
        }
        let url = Url::parse("ssh://git@github.com:22/org/repo.git", git).unwrap();
        assert_eq!(url.scheme, "ssh");
        assert_eq!(url.host.host, "github.com");
        assert_eq!(url.host.port, Some(22));
        assert!(Url::parse("https://[fd00::1]:8443/x", git).is_ok());
        assert!(
            Url::parse("git@github.com:org/repo.git", git)
                .unwrap_err()
                .contains("no scheme")
        );
        assert!(
            Url::parse("ftp://x/y", git)
                .unwrap_err()
                .contains("scheme `ftp`")
        );
        assert_eq!(
            Url::parse("https://x/a\u{202E}b", git).unwrap_err(),
            "holds the invisible character U+202E (right-to-left override)"
        );
        assert!(Url::parse("https:// x", git).is_err());
        assert!(Url::parse("https://", git).is_err());
    }
}
