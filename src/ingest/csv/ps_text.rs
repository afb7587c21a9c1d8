//! Text that PowerShell's `ToString()` put in a CSV cell, taken apart without allocation: the
//! swagger-codegen `class X {...}` blocks of AzureADPreview models (formats.md §4.1), the
//! `@{Key=value; ...}` rendering of a PSCustomObject, and joined string lists.
//!
//! Callbacks receive slices of the input, so the caller can keep them borrowed from the record.

/// Call `f(parent, key, value)` for each property of a nested-object cell rendered as a class block
/// or a PSCustomObject. Other text yields nothing.
pub fn object_entries<'s>(text: &'s str, mut f: impl FnMut(Option<&'s str>, &'s str, &'s str)) {
    let t = text.trim();
    if t.starts_with("class ") {
        class_entries(t, f);
    } else if let Some(inner) = t.strip_prefix("@{").and_then(|x| x.strip_suffix('}')) {
        // `; ` separates properties; a value containing `; ` is cut there (rare, and only that
        // value suffers: the rest is not a known key).
        for part in inner.split("; ") {
            if let Some((key, value)) = part.split_once('=') {
                f(None, key.trim(), value.trim());
            }
        }
    }
}

/// Walk the `Key: value` lines of a swagger-codegen `ToString()` block (formats.md §4.1), calling
/// `f(parent, key, value)`; `parent` is the innermost nested property (`GeoCoordinates`), `None` in
/// the outer class. Lines that are not `Identifier: value` are skipped.
pub fn class_entries<'s>(text: &'s str, mut f: impl FnMut(Option<&'s str>, &'s str, &'s str)) {
    let mut stack: Vec<Option<&'s str>> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        if l == "}" {
            stack.pop();
            continue;
        }
        if l.starts_with("class ") && l.ends_with('{') {
            stack.push(None);
            continue;
        }
        if stack.is_empty() {
            continue;
        }
        let Some((key, value)) = l.split_once(':') else { continue };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let value = value.trim();
        if value.starts_with("class ") && value.ends_with('{') {
            stack.push(Some(key));
            continue;
        }
        f(stack.last().copied().flatten(), key, value);
    }
}

/// The items of a list cell: `a, b`, `a;b`, or `{a, b}` (Format-* style), trimmed, empties skipped.
pub fn list_items<'s>(text: &'s str, mut f: impl FnMut(&'s str)) {
    let t = text.trim();
    let t = t.strip_prefix('{').and_then(|x| x.strip_suffix('}')).unwrap_or(t);
    for part in t.split([',', ';']) {
        let p = part.trim();
        if !p.is_empty() {
            f(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCATION: &str = "class SignInLocation {\n  City: Redmond\n  State: Washington\n  CountryOrRegion: US\n  GeoCoordinates: class GeoCoordinates {\n  Altitude: \n  Latitude: 47.68\n  Longitude: -122.12\n}\n\n}\n";

    #[test]
    fn nested_parent_is_tracked() {
        let mut seen = Vec::new();
        class_entries(LOCATION, |p, k, v| seen.push((p, k, v)));
        assert_eq!(seen[0], (None, "City", "Redmond"));
        assert!(seen.contains(&(Some("GeoCoordinates"), "Latitude", "47.68")));
        assert!(seen.contains(&(Some("GeoCoordinates"), "Altitude", "")));
        // Text after the outer block closes, and non-identifier lines, are ignored.
        let mut n = 0;
        class_entries("class X {\n  A: 1\n  not a key: 2\n}\nB: 3\n", |_, _, _| n += 1);
        assert_eq!(n, 1);
    }

    #[test]
    fn pscustomobject_and_lists() {
        let mut seen = Vec::new();
        object_entries("@{ErrorCode=50074; FailureReason=Strong Authentication is required.; AdditionalDetails=}", |p, k, v| {
            seen.push((p, k, v))
        });
        assert_eq!(
            seen,
            vec![
                (None, "ErrorCode", "50074"),
                (None, "FailureReason", "Strong Authentication is required."),
                (None, "AdditionalDetails", "")
            ]
        );
        let mut n = 0;
        object_entries("Redmond, Washington, US", |_, _, _| n += 1);
        assert_eq!(n, 0, "plain text is not an object rendering");
        let mut items = Vec::new();
        list_items(" {unlikelyTravel, anonymizedIPAddress;x} ", |i| items.push(i));
        assert_eq!(items, vec!["unlikelyTravel", "anonymizedIPAddress", "x"]);
    }
}
