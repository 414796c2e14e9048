//! Address arithmetic shared by the checks and the model: CIDRs, IP lists,
//! MetalLB pool entries and pools, IPv4 and IPv6 alike. Parsing is strict and never
//! panics. The other value grammars are in [`crate::grammar`].

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

/// A value per IP family: single-stack (`first` only) or a dual-stack pair of one
/// IPv4 and one IPv6 value, in the order written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DualStack<T> {
    pub first: T,
    pub second: Option<T>,
}

impl<T: Copy> DualStack<T> {
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::once(self.first).chain(self.second)
    }

    pub fn is_dual(&self) -> bool {
        self.second.is_some()
    }
}

/// Parse `value` or a dual-stack pair `value,value` (one IPv4, one IPv6).
fn parse_dual<T: Copy>(
    text: &str,
    what: &str,
    parse: impl Fn(&str) -> Result<T, String>,
    is_ipv4: impl Fn(&T) -> bool,
) -> Result<DualStack<T>, String> {
    if text.trim().is_empty() {
        return Err(format!(
            "is empty; write one {what}, or an IPv4 and an IPv6 {what} separated by a comma"
        ));
    }
    let mut parts = text.split(',');
    let first = parse(parts.next().unwrap_or_default())?;
    let second = parts.next().map(&parse).transpose()?;
    if parts.next().is_some() {
        return Err(format!(
            "has {} comma-separated values; dual-stack takes exactly two, one IPv4 and one IPv6 {what}",
            text.split(',').count()
        ));
    }
    if let Some(second) = &second
        && is_ipv4(&first) == is_ipv4(second)
    {
        let family = if is_ipv4(&first) { "IPv4" } else { "IPv6" };
        return Err(format!(
            "is a dual-stack pair of two {family} values; a pair takes one IPv4 and one IPv6 {what}"
        ));
    }
    Ok(DualStack { first, second })
}

/// A CIDR, or a dual-stack pair of CIDRs (`10.244.0.0/16,fd00:10:244::/56`).
pub fn parse_dual_cidrs(text: &str) -> Result<DualStack<IpNet>, String> {
    parse_dual(text, "CIDR", parse_cidr, |n: &IpNet| {
        matches!(n, IpNet::V4(_))
    })
}

/// An IP address, or a dual-stack pair of addresses (`10.0.0.7,fd00::7`).
pub fn parse_dual_ips(text: &str) -> Result<DualStack<IpAddr>, String> {
    parse_dual(text, "address", parse_ip, IpAddr::is_ipv4)
}

impl DualStack<IpAddr> {
    /// The address a single-address field takes (`remotePilotAddress`, a gateway's
    /// meshNetworks address, a URL): the IPv4 one of a dual-stack pair, whatever the order.
    pub fn primary(&self) -> IpAddr {
        self.iter().find(IpAddr::is_ipv4).unwrap_or(self.first)
    }
}

/// An address as the host of a URL: IPv6 in brackets (RFC 3986 3.2.2).
pub fn url_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// An IPv4 address MetalLB skips in a pool with `avoidBuggyIPs` (`.0` and `.255`).
///
/// Source: metallb/metallb `internal/allocator/allocator.go`, `ipConfusesBuggyFirmwares`
/// ("an IPv4 address ending in 0 or 255"); IPv6 addresses are never skipped.
pub fn is_buggy_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => matches!(v4.octets()[3], 0 | 255),
        IpAddr::V6(_) => false,
    }
}

/// The address `offset` places after `ip`, if it stays in the same family.
pub fn ip_add(ip: IpAddr, offset: u128) -> Option<IpAddr> {
    let n = to_u128(ip).checked_add(offset)?;
    match ip {
        IpAddr::V4(_) => u32::try_from(n).ok().map(|n| IpAddr::from(n.to_be_bytes())),
        IpAddr::V6(_) => Some(IpAddr::from(n.to_be_bytes())),
    }
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

    /// Number of addresses MetalLB hands out: all of them, or, with `avoidBuggyIPs`,
    /// all but the IPv4 addresses ending in `.0` or `.255`.
    pub fn usable(&self, avoid_buggy_ips: bool) -> u128 {
        if !avoid_buggy_ips || !self.is_ipv4() {
            return self.size();
        }
        let (start, end) = (to_u128(self.start), to_u128(self.end));
        // How many x in [0, n] have x % 256 == last.
        let upto = |n: u128, last: u128| if n < last { 0 } else { (n - last) / 256 + 1 };
        let in_range = |last| upto(end, last) - start.checked_sub(1).map_or(0, |s| upto(s, last));
        self.size() - in_range(0) - in_range(255)
    }
}

/// One entry of a MetalLB pool's `addresses`, as written: a CIDR or a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PoolEntry {
    Cidr(IpNet),
    Range(AddrRange),
}

impl PoolEntry {
    /// A CIDR (`10.0.0.0/28`) or a range of one family (`10.0.0.1-10.0.0.9`), the forms
    /// MetalLB reads (metallb/metallb `internal/config/config.go`, `ParseCIDR`).
    pub fn parse(text: &str) -> Result<PoolEntry, String> {
        if text.contains('-') {
            AddrRange::parse_pool_entry(text).map(PoolEntry::Range)
        } else {
            parse_cidr(text).map(PoolEntry::Cidr)
        }
    }

    /// The addresses it holds.
    pub fn range(&self) -> AddrRange {
        match self {
            PoolEntry::Cidr(net) => AddrRange::of_net(net),
            PoolEntry::Range(range) => *range,
        }
    }
}

impl fmt::Display for PoolEntry {
    /// Canonical, as MetalLB reads it: `10.0.0.0/28`, or `start-end` even for one address.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PoolEntry::Cidr(net) => write!(f, "{net}"),
            PoolEntry::Range(r) => write!(f, "{}-{}", r.start, r.end),
        }
    }
}

/// A MetalLB `IPAddressPool`: its entries and the two settings that decide which of
/// their addresses it hands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool {
    /// (index in the plan's `addresses`, entry) of each entry that parsed.
    pub entries: Vec<(usize, PoolEntry)>,
    /// `autoAssign` (default true): whether MetalLB picks addresses from it unasked.
    pub auto_assign: bool,
    /// `avoidBuggyIPs` (default false): whether it skips IPv4 `.0` and `.255`.
    pub avoid_buggy_ips: bool,
}

impl Pool {
    /// Whether one of its entries holds `ip` (whether or not MetalLB hands it out).
    pub fn holds(&self, ip: IpAddr) -> bool {
        self.entries.iter().any(|(_, e)| e.range().contains(ip))
    }

    /// Whether MetalLB hands out `ip` from this pool: an entry holds it, and
    /// `avoidBuggyIPs` does not skip it (metallb/metallb `internal/allocator/allocator.go`,
    /// `poolFor`).
    pub fn serves(&self, ip: IpAddr) -> bool {
        !(self.avoid_buggy_ips && is_buggy_ip(ip)) && self.holds(ip)
    }

    /// Whether MetalLB can give a Service all of `ips` from this pool: it assigns a
    /// Service's requested addresses from one pool only.
    pub fn serves_all(&self, ips: impl IntoIterator<Item = IpAddr>) -> bool {
        ips.into_iter().all(|ip| self.serves(ip))
    }
}

/// The pool that hands out `ip`, as MetalLB's `poolFor` finds it (pools do not overlap
/// in a valid plan, so at most one does).
pub fn pool_for(pools: &[Pool], ip: IpAddr) -> Option<usize> {
    pools.iter().position(|p| p.serves(ip))
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

/// The address as a number (IPv4 in the low 32 bits).
pub fn to_u128(ip: IpAddr) -> u128 {
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

    #[test]
    fn pool_entries_are_written_as_metallb_reads_them() {
        let text = |s: &str| PoolEntry::parse(s).unwrap().to_string();
        assert_eq!(text("10.64.30.71-10.64.30.73"), "10.64.30.71-10.64.30.73");
        assert_eq!(text(" 10.0.0.0/28 "), "10.0.0.0/28");
        assert_eq!(text("10.0.0.1 - 10.0.0.1"), "10.0.0.1-10.0.0.1");
        assert_eq!(text("fd00:0::/120"), "fd00::/120");
        assert_eq!(text("fd00::1-fd00:0::9"), "fd00::1-fd00::9");
        assert!(PoolEntry::parse("10.0.0.1/24").is_err());
        assert_eq!(PoolEntry::parse("10.0.0.0/30").unwrap().range().size(), 4);
    }

    #[test]
    fn pools_serve_as_metallb_pool_for_does() {
        let pool = |entries: &[&str], avoid| Pool {
            entries: entries
                .iter()
                .map(|e| PoolEntry::parse(e).unwrap())
                .enumerate()
                .collect(),
            auto_assign: true,
            avoid_buggy_ips: avoid,
        };
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let plain = pool(&["10.0.0.0/24", "fd00::/120"], false);
        let careful = pool(&["10.0.1.0/24", "fd00:1::/120"], true);
        assert!(plain.serves(ip("10.0.0.0")) && plain.serves(ip("10.0.0.255")));
        assert!(careful.holds(ip("10.0.1.0")) && !careful.serves(ip("10.0.1.0")));
        assert!(!careful.serves(ip("10.0.1.255")) && careful.serves(ip("10.0.1.254")));
        // IPv6 addresses ending in 0 or ff are never skipped.
        assert!(careful.serves(ip("fd00:1::")) && careful.serves(ip("fd00:1::ff")));
        assert!(!plain.serves(ip("10.0.1.1")));
        let pools = [plain.clone(), careful.clone()];
        assert_eq!(pool_for(&pools, ip("10.0.1.7")), Some(1));
        assert_eq!(pool_for(&pools, ip("10.0.1.0")), None);
        assert!(plain.serves_all([ip("10.0.0.7"), ip("fd00::7")]));
        assert!(!plain.serves_all([ip("10.0.0.7"), ip("fd00:1::7")]));
    }

    #[test]
    fn primary_addresses_and_url_hosts() {
        let dual = parse_dual_ips("fd00:0::71, 10.0.0.71").unwrap();
        assert_eq!(dual.primary().to_string(), "10.0.0.71");
        assert!(dual.is_dual());
        let v6 = parse_dual_ips("fd00::9").unwrap();
        assert_eq!(v6.primary().to_string(), "fd00::9");
        assert_eq!(url_host(v6.primary()), "[fd00::9]");
        assert_eq!(url_host("10.0.0.1".parse().unwrap()), "10.0.0.1");
    }

    #[test]
    fn usable_skips_dot_zero_and_dot_255() {
        let usable = |text: &str, avoid| AddrRange::parse_pool_entry(text).unwrap().usable(avoid);
        assert_eq!(usable("10.0.0.0/24", false), 256);
        assert_eq!(usable("10.0.0.0/24", true), 254);
        assert_eq!(usable("10.0.0.0/23", true), 508);
        assert_eq!(usable("10.0.0.255-10.0.1.0", true), 0);
        assert_eq!(usable("10.0.0.254-10.0.1.1", true), 2);
        assert_eq!(usable("0.0.0.0/0", true), (1u128 << 32) / 128 * 127);
        assert_eq!(usable("fd00::/120", true), 256);
    }

    #[test]
    fn dual_stack_pairs() {
        assert!(parse_dual_cidrs("10.0.0.0/16,fd00::/56").is_ok());
        assert!(parse_dual_cidrs("fd00::/56, 10.0.0.0/16").is_ok());
        assert!(
            parse_dual_cidrs("10.0.0.0/16,10.1.0.0/16")
                .unwrap_err()
                .contains("two IPv4")
        );
        assert!(
            parse_dual_ips("10.0.0.1,fd00::1,fd00::2")
                .unwrap_err()
                .contains("3 comma")
        );
        assert!(parse_dual_ips("").unwrap_err().contains("empty"));
        assert!(
            parse_dual_ips("10.0.0.1,")
                .unwrap_err()
                .contains("not an IP")
        );
        assert_eq!(
            ip_add("10.0.0.255".parse().unwrap(), 1),
            Some("10.0.1.0".parse().unwrap())
        );
        assert_eq!(ip_add("255.255.255.255".parse().unwrap(), 1), None);
    }
}
