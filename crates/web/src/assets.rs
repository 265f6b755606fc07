//! Static files compiled into the binary and served under a content-hash URL, so they can
//! be cached for a year and a new release is never mixed with an old stylesheet.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

#[derive(Debug)]
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    /// First 16 hex digits of the SHA-256 of `bytes`.
    pub hash: String,
}

impl Asset {
    /// The URL pages link to.
    pub fn url(&self) -> String {
        format!("/static/{}/{}", self.hash, self.name)
    }
}

const FILES: [(&str, &str, &[u8]); 4] = [
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/app.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
    (
        "vendor/htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/htmx.min.js"),
    ),
];

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, content_type, bytes)| Asset {
            name,
            content_type,
            bytes,
            hash: hex::encode(&Sha256::digest(bytes)[..8]),
        })
        .collect()
});

/// All embedded assets.
pub fn all() -> &'static [Asset] {
    &ASSETS
}

/// The fingerprinted URL of an embedded file; `None` for a name that is not embedded.
pub fn url(name: &str) -> Option<String> {
    ASSETS.iter().find(|a| a.name == name).map(Asset::url)
}

/// `GET /static/{hash}/{*name}`.
pub async fn serve(Path((hash, name)): Path<(String, String)>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // A page from the previous release may still ask for the old hash during a rolling
    // update; it gets the current file, but only cached briefly.
    let cache = if hash == asset.hash {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=60"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_distinct_fingerprinted_url() {
        let urls: std::collections::HashSet<_> = all().iter().map(Asset::url).collect();
        assert_eq!(urls.len(), FILES.len());
        let css = url("app.css").unwrap();
        assert!(
            css.starts_with("/static/") && css.ends_with("/app.css") && css.len() > 30,
            "{css}"
        );
        assert!(url("missing.css").is_none());
    }
}
