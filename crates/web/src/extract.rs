//! Wrappers around axum's extractors whose rejections become [`WebError`]s, so a
//! malformed form or JSON body gets the same localized answer as every other failure.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request, rejection::JsonRejection},
    http::{StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::error::WebError;

/// An `application/x-www-form-urlencoded` body. Repeated keys (checkboxes such as
/// `roles`) collect into a `Vec`.
#[derive(Debug, Clone)]
pub struct Form<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(WebError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "form_expected",
                "error-bad-request",
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| WebError::payload_too_large())?;
        // The parser's message can quote what was typed (a password, a name), so it is
        // not logged.
        serde_html_form::from_bytes(&bytes)
            .map(Form)
            .map_err(|_| WebError::bad_request("form"))
    }
}

/// A JSON body.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, WebError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                // serde names the offending field in its message ("missing field `roles`").
                let text = e.body_text();
                let field = text.split('`').nth(1).unwrap_or("body").to_owned();
                Err(WebError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_json",
                    "error-invalid",
                )
                .with_field(field))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(WebError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "json_expected",
                "error-json-expected",
            )),
            Err(_) => Err(WebError::bad_request("body")),
        }
    }
}

/// Query string parameters.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, WebError> {
        serde_html_form::from_str(parts.uri.query().unwrap_or_default())
            .map(Query)
            .map_err(|_| WebError::bad_request("query"))
    }
}

/// Path parameters.
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) => Err(WebError::not_found()),
        }
    }
}
