//! Overlaps among many address ranges without a pairwise loop: sort once, sweep once.
//!
//! The sweep keeps the range that reaches furthest so far. A range that overlaps any
//! earlier range also overlaps that one, so each overlapping range is reported once,
//! paired with a range it really overlaps: n log n, and at most n reports, even when
//! every range overlaps every other.

use std::net::IpAddr;

use crate::net::AddrRange;

/// A range with the group it belongs to (a network, say) and a tag saying where it came from.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span<T> {
    pub range: AddrRange,
    pub group: usize,
    pub tag: T,
}

/// Report ranges that overlap a range of the same group: `report(earlier, later)`.
pub(crate) fn within_groups<T: Copy + Ord>(
    spans: &mut [Span<T>],
    mut report: impl FnMut(&Span<T>, &Span<T>),
) {
    spans.sort_unstable_by_key(|s| (s.group, s.range, s.tag));
    let mut reach: Option<Span<T>> = None;
    for span in spans.iter() {
        match reach {
            Some(r) if r.group == span.group => {
                if r.range.overlaps(&span.range) {
                    report(&r, span);
                }
                if span.range.end > r.range.end {
                    reach = Some(*span);
                }
            }
            _ => reach = Some(*span),
        }
    }
}

/// Report ranges that overlap a range of another group: `report(earlier, later)`.
pub(crate) fn across_groups<T: Copy + Ord>(
    spans: &mut [Span<T>],
    mut report: impl FnMut(&Span<T>, &Span<T>),
) {
    spans.sort_unstable_by_key(|s| (s.range, s.group, s.tag));
    // `first` reaches furthest of all; `other` reaches furthest among the groups that are not first's.
    let mut first: Option<Span<T>> = None;
    let mut other: Option<Span<T>> = None;
    for span in spans.iter() {
        let candidate = match first {
            Some(f) if f.group != span.group => Some(f),
            _ => other,
        };
        if let Some(c) = candidate
            && c.range.overlaps(&span.range)
        {
            report(&c, span);
        }
        match first {
            None => first = Some(*span),
            Some(f) if span.range.end > f.range.end => {
                if span.group != f.group {
                    other = Some(f);
                }
                first = Some(*span);
            }
            Some(f) => {
                if span.group != f.group && other.is_none_or(|o| span.range.end > o.range.end) {
                    other = Some(*span);
                }
            }
        }
    }
}

/// Which range contains an address, in O(log n), for ranges that may overlap.
pub(crate) struct RangeIndex<T> {
    spans: Vec<(AddrRange, T)>,
    /// `reach[i]`: the index, among `spans[..=i]`, of the range that ends last.
    reach: Vec<usize>,
}

impl<T: Copy + Ord> RangeIndex<T> {
    pub fn new(mut spans: Vec<(AddrRange, T)>) -> RangeIndex<T> {
        spans.sort_unstable();
        let mut reach = Vec::with_capacity(spans.len());
        let mut best = 0;
        for (i, (range, _)) in spans.iter().enumerate() {
            if spans.get(best).is_some_and(|(b, _)| range.end > b.end) {
                best = i;
            }
            reach.push(best);
        }
        RangeIndex { spans, reach }
    }

    /// A range containing `ip` (the one reaching furthest), if any does.
    pub fn find(&self, ip: IpAddr) -> Option<(AddrRange, T)> {
        let before = self.spans.partition_point(|(r, _)| r.start <= ip);
        let best = *self.reach.get(before.checked_sub(1)?)?;
        self.spans
            .get(best)
            .filter(|(range, _)| range.contains(ip))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, group: usize, tag: usize) -> Span<usize> {
        Span {
            range: AddrRange::parse_pool_entry(text).unwrap(),
            group,
            tag,
        }
    }

    type Report<'a> = &'a mut dyn FnMut(&Span<usize>, &Span<usize>);

    fn pairs(
        spans: &mut [Span<usize>],
        sweep: fn(&mut [Span<usize>], Report),
    ) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        sweep(spans, &mut |a, b| out.push((a.tag, b.tag)));
        out.sort();
        out
    }

    fn within(spans: &mut [Span<usize>], f: Report) {
        within_groups(spans, f)
    }

    fn across(spans: &mut [Span<usize>], f: Report) {
        across_groups(spans, f)
    }

    #[test]
    fn every_overlapping_range_is_reported_once_with_a_real_partner() {
        let mut spans = [
            span("10.0.0.0/8", 0, 0),
            span("10.1.0.0/16", 0, 1),
            span("10.2.0.0/16", 0, 2),
            span("11.0.0.0/8", 0, 3),
            span("fd00::/8", 0, 4),
            span("fd00::/16", 0, 5),
            span("9.0.0.0-10.0.0.0", 0, 6),
        ];
        // Sorted: 6, 0, 1, 2, 3, then fd00::/16 (5) before fd00::/8 (4).
        assert_eq!(pairs(&mut spans, within), [(0, 1), (0, 2), (5, 4), (6, 0)]);
    }

    #[test]
    fn groups_separate_and_cross() {
        let mut spans = [
            span("10.0.0.0/16", 0, 0),
            span("10.0.0.0/16", 1, 1),
            span("10.0.0.0/24", 0, 2),
        ];
        // Sorted by start, then end: 2, 0, 1.
        assert_eq!(pairs(&mut spans.clone(), within), [(2, 0)]);
        assert_eq!(pairs(&mut spans, across), [(0, 1)]);
    }

    #[test]
    fn across_finds_another_group_behind_a_longer_range_of_the_same_group() {
        let mut spans = [
            span("10.0.0.0-10.0.255.255", 1, 0),
            span("10.0.0.1-10.255.255.255", 0, 1),
            span("10.0.1.0/24", 0, 2),
        ];
        // 2 overlaps 1 (its own group, reaching furthest) and 0 (another group): 0 is found.
        assert_eq!(pairs(&mut spans, across), [(0, 1), (0, 2)]);
    }

    #[test]
    fn index_finds_a_containing_range() {
        let index = RangeIndex::new(vec![
            (AddrRange::parse_pool_entry("10.0.0.0/8").unwrap(), 0),
            (AddrRange::parse_pool_entry("10.1.0.0/16").unwrap(), 1),
            (AddrRange::parse_pool_entry("fd00::/64").unwrap(), 2),
        ]);
        assert_eq!(
            index.find("10.200.0.1".parse().unwrap()).map(|f| f.1),
            Some(0)
        );
        assert_eq!(index.find("11.0.0.1".parse().unwrap()), None);
        assert_eq!(index.find("fd00::1".parse().unwrap()).map(|f| f.1), Some(2));
        assert_eq!(index.find("fd01::1".parse().unwrap()), None);
        assert_eq!(index.find("9.0.0.1".parse().unwrap()), None);
    }
}
