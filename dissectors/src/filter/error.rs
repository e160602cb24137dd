//! Filter errors: a message, the byte span of the text it is about, and a rendering with a caret
//! line under the span (the way tshark points at the offending token).

use std::fmt;

/// Why a display filter was rejected, and where.
///
/// `message` is one line saying what is wrong; when lowshark has a suggestion (a field name close
/// to an unknown one) it follows on a second line (`"unknown field 'ipv6.srcc'\ndid you mean
/// 'ipv6.src'?"`), which [`FilterError::render`] prints under the caret line. `start..end` is a
/// byte range of the filter text (empty at the end of the text for "unexpected end").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

impl FilterError {
    pub(crate) fn new(message: impl Into<String>, start: usize, end: usize) -> FilterError {
        FilterError {
            message: message.into(),
            start,
            end: end.max(start),
        }
    }

    /// The headline (first line of the message).
    pub fn reason(&self) -> &str {
        self.message.split('\n').next().unwrap_or("")
    }

    /// The message with the filter text and a caret line under the span:
    ///
    /// ```text
    /// filter: unknown field 'ipv6.srcc'
    ///   ipv6.srcc == ::1
    ///   ^~~~~~~~~
    ///   did you mean 'ipv6.src'?
    /// ```
    pub fn render(&self, text: &str) -> String {
        let mut lines = self.message.split('\n');
        let mut out = format!("filter: {}", lines.next().unwrap_or(""));
        // Show the text on one line: control characters (newlines, tabs) become spaces so the
        // caret column stays right.
        let shown: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let start = floor_boundary(text, self.start.min(text.len()));
        let end = floor_boundary(text, self.end.min(text.len())).max(start);
        let col = text[..start].chars().count();
        let width = text[start..end].chars().count().max(1);
        out.push_str("\n  ");
        out.push_str(&shown);
        out.push_str("\n  ");
        out.push_str(&" ".repeat(col));
        out.push('^');
        out.push_str(&"~".repeat(width - 1));
        for extra in lines {
            out.push_str("\n  ");
            out.push_str(extra);
        }
        out
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for line in self.message.split('\n') {
            if !first {
                f.write_str("; ")?;
            }
            f.write_str(line)?;
            first = false;
        }
        Ok(())
    }
}

impl std::error::Error for FilterError {}

/// Edit distance with adjacent transpositions (optimal string alignment: `udp`/`upd` is 1),
/// bounded: returns `None` as soon as it must exceed `max`.
pub(crate) fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= max).then_some(d)
}

/// The registered name closest to `name`, if one is close enough to be a likely typo.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let max = (name.len() / 4).clamp(1, 3);
    let lower = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if let Some(d) = edit_distance(&lower, c, max) {
            if best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
                best = Some((d, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_points_at_the_span_and_prints_the_hint() {
        let e = FilterError::new("unknown field 'ipv6.srcc'\ndid you mean 'ipv6.src'?", 0, 9);
        assert_eq!(
            e.render("ipv6.srcc == ::1"),
            "filter: unknown field 'ipv6.srcc'\n  ipv6.srcc == ::1\n  ^~~~~~~~~\n  did you mean 'ipv6.src'?"
        );
        assert_eq!(
            e.to_string(),
            "unknown field 'ipv6.srcc'; did you mean 'ipv6.src'?"
        );
    }

    #[test]
    fn render_at_end_and_out_of_range_spans_do_not_panic() {
        let e = FilterError::new("unexpected end of filter", 5, 5);
        assert_eq!(
            e.render("ip =="),
            "filter: unexpected end of filter\n  ip ==\n       ^"
        );
        let e = FilterError::new("x", 100, 200);
        assert!(e.render("é\u{1}").ends_with("^"));
        let e = FilterError::new("x", 1, 2);
        assert!(e.render("é").contains('^'));
    }

    #[test]
    fn edit_distance_is_bounded() {
        assert_eq!(edit_distance("ipv6.srcc", "ipv6.src", 2), Some(1));
        assert_eq!(edit_distance("abc", "xyz", 2), None);
        assert_eq!(edit_distance("udp", "udp", 0), Some(0));
        assert_eq!(edit_distance("upd", "udp", 1), Some(1));
        assert_eq!(edit_distance("ip.scr", "ip.src", 1), Some(1));
        assert_eq!(edit_distance("", "abc", 3), Some(3));
        assert_eq!(
            suggest("ipv6.srcc", ["ipv6.src", "ipv6.dst", "ip.src"].into_iter()),
            Some("ipv6.src")
        );
        assert_eq!(suggest("zzzzzz", ["udp"].into_iter()), None);
    }
}
