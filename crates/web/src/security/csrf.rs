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
    fn finds_the_field_among_encoded_pairs() {
        let body = b"username=%E5%BC%A0+san&csrf=abc%2Bdef&next=%2F";
        assert_eq!(token_in_form(body).as_deref(), Some("abc+def"));
        assert_eq!(token_in_form(b"username=x").as_deref(), None);
        assert_eq!(percent_decode(b"%E5%BC%A0+san"), "张 san");
        assert_eq!(percent_decode(b"100%"), "100%");
        assert_eq!(percent_decode(b"%zz"), "%zz");
    }
}
