//! Address arithmetic shared by the checks and the model: CIDRs, IP lists and
//! MetalLB ranges, IPv4 and IPv6 alike. Parsing is strict and never panics.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;

/// Parse one IP address. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is refused: Kubernetes
/// and MetalLB treat it inconsistently, so the plan must say which family it means.
pub fn parse_ip(text: &str) -> Result<IpAddr, String> {
    let ip: IpAddr = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not an IP address"))?;
    if let IpAddr::V6(v6) = ip
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(format!(
            "`{text}` is an IPv4-mapped IPv6 address; write the IPv4 address"
        ));
    }
    Ok(ip)
}

/// Parse a comma-separated list of IPs (one per family for dual-stack).
pub fn parse_ips(text: &str) -> Result<Vec<IpAddr>, String> {
    text.split(',').map(parse_ip).collect()
}

/// Parse one CIDR, refusing host bits (`10.0.0.1/16`) and a missing prefix.
pub fn parse_cidr(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    let net: IpNet = text
        .parse()
        .map_err(|_| format!("`{text}` is not a CIDR (address/prefix)"))?;
    parse_ip(&net.addr().to_string())?;
    if net.addr() != net.network() {
        return Err(format!(
            "`{text}` has host bits set; the network is {}",
            net.trunc()
        ));
    }
    Ok(net)
}

/// Parse a comma-separated list of CIDRs (one per family for dual-stack).
pub fn parse_cidrs(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',').map(parse_cidr).collect()
}

/// An inclusive range of addresses of one family: a MetalLB pool entry, a subnet or one IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AddrRange {
    pub start: IpAddr,
    pub end: IpAddr,
}

impl AddrRange {
    pub fn single(ip: IpAddr) -> AddrRange {
        AddrRange { start: ip, end: ip }
    }

    pub fn of_net(net: &IpNet) -> AddrRange {
        AddrRange {
            start: net.network(),
            end: net.broadcast(),
        }
    }

    /// A MetalLB pool entry: a CIDR (`10.0.0.0/28`) or a range (`10.0.0.1-10.0.0.9`).
    pub fn parse_pool_entry(text: &str) -> Result<AddrRange, String> {
        match text.split_once('-') {
            Some((start, end)) => {
                let start = parse_ip(start)?;
                let end = parse_ip(end)?;
                if start.is_ipv4() != end.is_ipv4() {
                    return Err(format!("`{text}` mixes IPv4 and IPv6"));
                }
                if start > end {
                    return Err(format!("`{text}` is reversed: {start} comes after {end}"));
                }
                Ok(AddrRange { start, end })
            }
            None => Ok(AddrRange::of_net(&parse_cidr(text)?)),
        }
    }

    pub fn is_ipv4(&self) -> bool {
        self.start.is_ipv4()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.is_ipv4() && self.start <= ip && ip <= self.end
    }

    pub fn overlaps(&self, other: &AddrRange) -> bool {
        self.is_ipv4() == other.is_ipv4() && self.start <= other.end && other.start <= self.end
    }

    /// Number of addresses, saturating at `u128::MAX` for the whole IPv6 space.
    pub fn size(&self) -> u128 {
        (to_u128(self.end) - to_u128(self.start)).saturating_add(1)
    }
}

impl fmt::Display for AddrRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u32::from(v4) as u128,
        IpAddr::V6(v6) => u128::from(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_cidrs() {
        let r = AddrRange::parse_pool_entry("10.64.30.71-10.64.30.73").unwrap();
        assert_eq!(r.size(), 3);
        assert!(r.contains("10.64.30.72".parse().unwrap()));
        assert!(!r.contains("10.64.30.74".parse().unwrap()));
        assert_eq!(
            AddrRange::parse_pool_entry("10.0.0.0/30").unwrap().size(),
            4
        );
        assert!(
            AddrRange::parse_pool_entry("10.0.0.9-10.0.0.1")
                .unwrap_err()
                .contains("reversed")
        );
        assert!(parse_cidr("10.0.0.1/16").unwrap_err().contains("host bits"));
        assert!(
            parse_ip("::ffff:10.0.0.1")
                .unwrap_err()
                .contains("IPv4-mapped")
        );
        assert_eq!(
            AddrRange::parse_pool_entry("fd00::/120").unwrap().size(),
            256
        );
        assert_eq!(
            AddrRange::parse_pool_entry("::/0").unwrap().size(),
            u128::MAX
        );
    }
}
