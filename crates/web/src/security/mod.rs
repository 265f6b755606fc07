//! Defences applied to every request: response headers, CSRF tokens, cookies and login
//! rate limits.

pub mod cookies;
pub mod csrf;
pub mod headers;
pub mod rate_limit;
