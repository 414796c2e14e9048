//! Values of Istio's config API: durations.
//!
//! Source: istio/istio `pkg/config/validation/agent/validation.go`, `ValidateDuration`
//! ("duration must be greater than 1ms", "only durations to ms precision are supported"),
//! which every duration of a DestinationRule's outlier detection goes through; the CRD
//! (`destinationrules.networking.istio.io`) reads them with CEL's `duration()`, which takes
//! Go's `time.ParseDuration` syntax.

/// Nanoseconds per unit of Go's `time.ParseDuration`.
const UNITS: [(&str, u128); 7] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];
const MILLISECOND: u128 = 1_000_000;

/// A duration Istio takes (`1s`, `500ms`, `1m30s`): Go syntax, at least 1ms, whole
/// milliseconds. The value in milliseconds.
pub fn duration(text: &str) -> Result<u128, String> {
    if text.is_empty() {
        return Err("is empty".to_owned());
    }
    if text.starts_with(['-', '+']) {
        return Err("has a sign (durations here are positive)".to_owned());
    }
    let mut rest = text;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(f) => {
                let n = f.len() - f.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                f.split_at(n)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return Err("is not a duration such as `1s`, `500ms` or `1m30s`".to_owned());
        }
        // Longest unit name first, so `ms` is not read as `m`.
        let Some((unit, ns)) = UNITS
            .iter()
            .filter(|(name, _)| after.starts_with(name))
            .max_by_key(|(name, _)| name.len())
        else {
            return Err(format!(
                "has the number `{int}{}{frac}` without a unit (ms, s, m or h)",
                if frac.is_empty() { "" } else { "." }
            ));
        };
        let too_long = || "is too long".to_owned();
        let scale = 10u128
            .checked_pow(u32::try_from(frac.len()).map_err(|_| too_long())?)
            .ok_or_else(too_long)?;
        let digits: u128 = format!("{int}{frac}").parse().map_err(|_| too_long())?;
        let scaled = digits.checked_mul(*ns).ok_or_else(too_long)?;
        if !scaled.is_multiple_of(scale) {
            return Err("is finer than a nanosecond".to_owned());
        }
        total = total.checked_add(scaled / scale).ok_or_else(too_long)?;
        rest = &after[unit.len()..];
    }
    if total < MILLISECOND {
        return Err("is shorter than 1ms".to_owned());
    }
    if !total.is_multiple_of(MILLISECOND) {
        return Err("is not a whole number of milliseconds".to_owned());
    }
    Ok(total / MILLISECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_istio_takes_them() {
        for (good, ms) in [
            ("1s", 1000),
            ("1m", 60_000),
            ("500ms", 500),
            ("1m30s", 90_000),
            ("1.5s", 1500),
            ("2h", 7_200_000),
            ("1000us", 1),
            ("0.001s", 1),
        ] {
            assert_eq!(duration(good), Ok(ms), "{good}");
        }
        for bad in [
            "", "0", "0s", "1", "s", "1 s", "1d", "-1s", "+1s", "1.5ms", "500us", "1ms1ns", ".s",
        ] {
            assert!(duration(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            duration("1").unwrap_err(),
            "has the number `1` without a unit (ms, s, m or h)"
        );
        assert_eq!(duration("0.5ms").unwrap_err(), "is shorter than 1ms");
    }
}
