//! CSRF tokens: one per session once logged in, a double-submit cookie before that.
//! Compared in constant time so the comparison leaks nothing about the expected token.

use rand::RngCore;
use subtle::ConstantTimeEq;

/// Name of the hidden form field that carries the token.
pub const FORM_FIELD: &str = "csrf";
/// Header that `app.js` sets on every htmx request and API clients set on writes.
pub const HEADER: &str = "x-csrf-token";

/// A fresh 256-bit token, hex encoded.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// True only when both tokens are present, non-empty and equal.
pub fn matches(expected: &str, presented: &str) -> bool {
    !expected.is_empty()
        && expected.len() == presented.len()
        && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// Finds the `csrf` field in an `application/x-www-form-urlencoded` body.
pub fn token_in_form(body: &[u8]) -> Option<String> {
    form_urlencoded_pairs(body)
        .find(|(k, _)| k == FORM_FIELD)
        .map(|(_, v)| v)
}

/// Finds the `csrf` field in a `multipart/form-data` body (forms with file uploads).
/// `content_type` is the request's header, which names the boundary. Only a plain field
/// counts: a part carrying a file name is never taken for the token.
pub fn token_in_multipart(content_type: &str, body: &[u8]) -> Option<String> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    if boundary.is_empty() {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = body;
    while let Some(at) = find(rest, delimiter) {
        rest = &rest[at + delimiter.len()..];
        let part_end = find(rest, delimiter).unwrap_or(rest.len());
        let part = &rest[..part_end];
        let Some(head_end) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..head_end]).to_ascii_lowercase();
        let is_token = head.lines().any(|line| {
            line.trim_start().starts_with("content-disposition:")
                && line.contains("name=\"csrf\"")
                && !line.contains("filename")
        });
        if is_token {
            let value = &part[head_end + 4..];
            let value = value.strip_suffix(b"\r\n").unwrap_or(value);
            return std::str::from_utf8(value).ok().map(str::to_owned);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn form_urlencoded_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    body.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let k = percent_decode(it.next().unwrap_or_default());
            let v = percent_decode(it.next().unwrap_or_default());
            (k, v)
        })
}

fn percent_decode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex_val(input[i + 1]), hex_val(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }

    #[test]
    fn matching_requires_equal_non_empty_tokens() {
        let t = new_token();
        assert!(matches(&t, &t.clone()));
        assert!(!matches(&t, &t[..63]));
        assert!(!matches("", ""));
        let mut other = t.clone().into_bytes();
        other[10] ^= 1;
        assert!(!matches(&t, std::str::from_utf8(&other).unwrap()));
    }

    #[test]
    fn finds_the_field_among_multipart_parts() {
        let ct = "multipart/form-data; boundary=XyZ";
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"what\"\r\n\r\nhello\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nt0ken\r\n--XyZ--\r\n";
        assert_eq!(token_in_multipart(ct, body).as_deref(), Some("t0ken"));
        assert_eq!(
            token_in_multipart("multipart/form-data; boundary=\"XyZ\"", body).as_deref(),
            Some("t0ken")
        );
        // A file part named csrf is not a token.
        let file = b"--B\r\nContent-Disposition: form-data; name=\"csrf\"; filename=\"a\"\r\n\r\nt0ken\r\n--B--";
        assert_eq!(token_in_multipart("multipart/form-data; boundary=B", file), None);
        assert_eq!(token_in_multipart("multipart/form-data", body), None);
    }

    #[test]
    fn finds_the_field_among_encoded_pairs() {
        let body = b"username=%E5%BC%A0+san&csrf=abc%2Bdef&next=%2F";
        assert_eq!(token_in_form(body).as_deref(), Some("abc+def"));
        assert_eq!(token_in_form(b"username=x").as_deref(), None);
        assert_eq!(percent_decode(b"%E5%BC%A0+san"), "张 san");
        assert_eq!(percent_decode(b"100%"), "100%");
        assert_eq!(percent_decode(b"%zz"), "%zz");
    }
}
