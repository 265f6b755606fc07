//! Cookie reading and writing. Every cookie this product sets is `HttpOnly`,
//! `SameSite=Strict`, `Path=/`, and `Secure` when the deployment serves HTTPS.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};

/// Cookie holding the server-side session id.
pub fn session_cookie_name(secure: bool) -> &'static str {
    // The `__Host-` prefix makes browsers refuse the cookie unless it is Secure, host-only
    // and Path=/, so a sibling subdomain cannot plant a session id.
    if secure {
        "__Host-fg_session"
    } else {
        "fg_session"
    }
}

/// Cookie carrying the double-submit CSRF token before anyone has logged in.
pub fn csrf_cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-fg_csrf" } else { "fg_csrf" }
}

/// Remembers the chosen interface language between visits and across logins.
pub const LANG_COOKIE: &str = "lang";

/// The value of the first cookie called `name` in the request, if any.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` value. `max_age` of `None` makes a browser-session cookie.
pub fn build(name: &str, value: &str, max_age: Option<Duration>, secure: bool) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={}", age.as_secs()));
    }
    if secure {
        s.push_str("; Secure");
    }
    // Names and values are produced by this crate (hex tokens, language tags), so they
    // never contain bytes a header refuses.
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A `Set-Cookie` value that makes the browser forget `name`.
pub fn clear(name: &str, secure: bool) -> HeaderValue {
    build(name, "", Some(Duration::ZERO), secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_named_cookie_among_several_headers() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; lang=en"));
        h.append(header::COOKIE, HeaderValue::from_static("fg_session=abc"));
        assert_eq!(read(&h, "lang"), Some("en"));
        assert_eq!(read(&h, "fg_session"), Some("abc"));
        assert_eq!(read(&h, "fg_csrf"), None);
        assert_eq!(read(&h, "g_session"), None);
    }

    #[test]
    fn secure_cookies_carry_every_attribute() {
        let v = build("__Host-fg_session", "x", None, true);
        let s = v.to_str().unwrap();
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
            assert!(s.contains(attr), "{s}");
        }
        assert!(
            !build("fg_session", "x", None, false)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
        assert!(clear("lang", false).to_str().unwrap().contains("Max-Age=0"));
    }
}
