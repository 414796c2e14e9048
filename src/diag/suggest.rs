//! "Did you mean ...?": the known name a misspelt one most likely meant.

/// The name in `names` that `word` most likely meant: the same but for case, or within
/// a small edit distance.
pub fn did_you_mean(word: &str, names: &[String]) -> Option<String> {
    if let Some(same) = names.iter().find(|n| n.eq_ignore_ascii_case(word)) {
        return Some(same.clone());
    }
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 3);
    names
        .iter()
        .map(|n| (edit_distance(&word, &n.to_ascii_lowercase()), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n.clone())
}

/// Levenshtein distance with adjacent transpositions counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_are_found() {
        let names: Vec<String> = ["podSubnet", "serviceSubnet", "network", "networkMode"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            did_you_mean("podsubnet", &names).as_deref(),
            Some("podSubnet")
        );
        assert_eq!(
            did_you_mean("netwrokMode", &names).as_deref(),
            Some("networkMode")
        );
        assert_eq!(did_you_mean("nework", &names).as_deref(), Some("network"));
        assert_eq!(did_you_mean("zzz", &names), None);
    }
}
