//! Time-based one-time passwords (RFC 6238 with HMAC-SHA-1, 6 digits, 30 s),
//! the second factor of every role that can see personal data. These are the
//! parameters every authenticator app supports.

use std::fmt;
use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use qrcode::QrCode;
use qrcode::render::svg;
use rand::RngCore;
use rand::rngs::OsRng;
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::error::{Result, VaultError};
use crate::secret::Secret;

pub const TOTP_STEP_SECS: u64 = 30;
pub const TOTP_DIGITS: u32 = 6;
/// Length of generated secrets: 160 bits, the HMAC-SHA-1 block output size
/// RFC 4226 recommends.
pub const TOTP_SECRET_LEN: usize = 20;
/// RFC 4226 requires at least 128 bits.
const MIN_SECRET_LEN: usize = 16;

/// The time step containing `unix_secs`.
pub fn step_at(unix_secs: u64) -> u64 {
    unix_secs / TOTP_STEP_SECS
}

/// A user's TOTP seed. The store keeps it sealed like any personal field.
pub struct TotpSecret(Secret<Vec<u8>>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TotpSecret({:?})", self.0)
    }
}

impl TotpSecret {
    pub fn generate() -> TotpSecret {
        let mut bytes = Secret::new(vec![0u8; TOTP_SECRET_LEN]);
        OsRng.fill_bytes(bytes.expose_mut());
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Result<TotpSecret> {
        let bytes = Secret::new(bytes);
        if bytes.expose().len() < MIN_SECRET_LEN {
            return Err(VaultError::InvalidInput {
                field: "TOTP secret",
                reason: format!(
                    "{} bytes; at least {MIN_SECRET_LEN} are required",
                    bytes.expose().len()
                ),
            });
        }
        Ok(TotpSecret(bytes))
    }

    /// Accepts the spellings people type from an authenticator screen:
    /// either case, spaces or dashes between groups, optional `=` padding.
    pub fn from_base32(text: &str) -> Result<TotpSecret> {
        let cleaned = Secret::new(
            text.chars()
                .filter(|c| !matches!(c, ' ' | '-' | '='))
                .map(|c| c.to_ascii_uppercase())
                .collect::<String>(),
        );
        let bytes = data_encoding::BASE32_NOPAD
            .decode(cleaned.expose().as_bytes())
            .map_err(|e| VaultError::InvalidInput {
                field: "TOTP secret",
                reason: format!("not base32 (RFC 4648): {e}"),
            })?;
        TotpSecret::from_bytes(bytes)
    }

    /// Unpadded upper-case base32, the form authenticator apps expect.
    pub fn to_base32(&self) -> Secret<String> {
        Secret::new(data_encoding::BASE32_NOPAD.encode(self.0.expose()))
    }

    pub fn expose_bytes(&self) -> &[u8] {
        self.0.expose()
    }

    /// The 6-digit code for the step containing `unix_secs`.
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.code_for_step(step_at(unix_secs), TOTP_DIGITS)
    }

    fn code_for_step(&self, step: u64, digits: u32) -> String {
        let value = hotp(self.0.expose(), step, digits);
        format!("{value:0width$}", width = digits as usize)
    }

    /// Checks a code typed at `now_unix_secs`, allowing one step of clock
    /// drift either way. Returns the step that matched, which the caller
    /// stores as the new `last_used_step`: a step at or before it is refused,
    /// so an observed code cannot be replayed. All candidate steps are
    /// compared, in constant time, whichever matches.
    pub fn verify(
        &self,
        code: &str,
        now_unix_secs: u64,
        last_used_step: Option<u64>,
    ) -> Option<u64> {
        let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.len() != TOTP_DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = step_at(now_unix_secs);
        let mut matched = None;
        for step in [now.checked_sub(1), Some(now), now.checked_add(1)]
            .into_iter()
            .flatten()
        {
            let fresh = last_used_step.is_none_or(|last| step > last);
            let expected = self.code_for_step(step, TOTP_DIGITS);
            let equal: bool = expected.as_bytes().ct_eq(typed.as_bytes()).into();
            if equal && fresh && matched.is_none() {
                matched = Some(step);
            }
        }
        matched
    }

    /// The `otpauth://` URI that authenticator apps import (usually as a QR
    /// code). It contains the secret, hence the `Secret` wrapper.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> Result<Secret<String>> {
        for (field, value) in [("TOTP issuer", issuer), ("TOTP account", account)] {
            if value.trim().is_empty() {
                return Err(VaultError::InvalidInput {
                    field,
                    reason: "empty".into(),
                });
            }
            // The label is "issuer:account"; a colon inside either is ambiguous.
            if value.contains(':') {
                return Err(VaultError::InvalidInput {
                    field,
                    reason: "must not contain ':'".into(),
                });
            }
        }
        let secret = self.to_base32();
        // Sized up front: a growing buffer would leave copies of the secret
        // behind in memory it frees.
        let mut uri = String::with_capacity(
            96 + secret.expose().len() + 3 * (2 * issuer.len() + account.len()),
        );
        uri.push_str("otpauth://totp/");
        percent_encode(&mut uri, issuer);
        uri.push(':');
        percent_encode(&mut uri, account);
        uri.push_str("?secret=");
        uri.push_str(secret.expose());
        uri.push_str("&issuer=");
        percent_encode(&mut uri, issuer);
        let _ = write!(
            uri,
            "&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_SECS}"
        );
        Ok(Secret::new(uri))
    }
}

/// RFC 4226 HOTP with dynamic truncation.
fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]) & 0x7fff_ffff;
    binary % 10u32.pow(digits)
}

/// RFC 3986: everything but unreserved characters is %-escaped (UTF-8 bytes).
fn percent_encode(out: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// Renders `data` (normally an `otpauth://` URI) as a QR code in SVG: a plain
/// path on a white square, no script, no external references, and no XML
/// declaration, so it can be inlined in an HTML page under a strict CSP.
pub fn qr_svg(data: &str) -> Result<String> {
    let code = QrCode::new(data.as_bytes()).map_err(|e| VaultError::InvalidInput {
        field: "QR code content",
        reason: e.to_string(),
    })?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec()).unwrap()
    }

    /// RFC 6238 appendix B, SHA-1 column (8 digits).
    #[test]
    fn rfc6238_sha1_vectors() {
        let s = rfc_secret();
        for (t, want) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(s.code_for_step(step_at(t), 8), want, "T = {t}");
        }
    }

    /// RFC 4226 appendix D: HOTP values for counters 0..9.
    #[test]
    fn rfc4226_hotp_vectors() {
        let want = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, &value) in want.iter().enumerate() {
            assert_eq!(
                hotp(b"12345678901234567890", counter as u64, 6),
                value,
                "counter {counter}"
            );
        }
    }

    #[test]
    fn six_digit_code_is_the_tail_of_the_eight_digit_one() {
        let s = rfc_secret();
        assert_eq!(s.code_at(59), "287082");
        assert_eq!(s.code_at(1_111_111_109), "081804");
    }

    #[test]
    fn verify_accepts_one_step_of_drift_and_refuses_replay() {
        let s = TotpSecret::generate();
        let now = 1_700_000_000u64;
        let step = step_at(now);
        assert_eq!(s.verify(&s.code_at(now), now, None), Some(step));
        assert_eq!(s.verify(&s.code_at(now - 30), now, None), Some(step - 1));
        assert_eq!(s.verify(&s.code_at(now + 30), now, None), Some(step + 1));
        assert_eq!(s.verify(&s.code_at(now - 60), now, None), None);
        assert_eq!(s.verify(&s.code_at(now + 60), now, None), None);
        // Replay of the same step, or of an earlier one, is refused.
        assert_eq!(s.verify(&s.code_at(now), now, Some(step)), None);
        assert_eq!(s.verify(&s.code_at(now - 30), now, Some(step - 1)), None);
        assert_eq!(
            s.verify(&s.code_at(now + 30), now, Some(step)),
            Some(step + 1)
        );
    }

    #[test]
    fn verify_tolerates_spaces_and_refuses_junk() {
        let s = rfc_secret();
        assert_eq!(s.verify("287 082", 59, None), Some(1));
        for junk in ["", "28708", "2870821", "28708a", "２８７０８２"] {
            assert_eq!(s.verify(junk, 59, None), None, "{junk:?}");
        }
    }

    #[test]
    fn base32_round_trip_and_lenient_input() {
        let s = rfc_secret();
        let b32 = s.to_base32();
        assert_eq!(b32.expose(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let lower_spaced = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";
        assert_eq!(
            TotpSecret::from_base32(lower_spaced)
                .unwrap()
                .expose_bytes(),
            s.expose_bytes()
        );
        assert!(TotpSecret::from_base32("not base32!").is_err());
        assert!(matches!(
            TotpSecret::from_base32("GEZDGNBV"),
            Err(VaultError::InvalidInput { .. })
        ));
    }

    #[test]
    fn generated_secrets_are_long_and_distinct() {
        let a = TotpSecret::generate();
        assert_eq!(a.expose_bytes().len(), TOTP_SECRET_LEN);
        assert_ne!(a.expose_bytes(), TotpSecret::generate().expose_bytes());
    }

    #[test]
    fn otpauth_uri_is_escaped_and_complete() {
        let uri = rfc_secret()
            .otpauth_uri("反拐 平台", "li.si@example.org")
            .unwrap();
        assert_eq!(
            uri.expose(),
            "otpauth://totp/%E5%8F%8D%E6%8B%90%20%E5%B9%B3%E5%8F%B0:li.si%40example.org\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E5%8F%8D%E6%8B%90%20%E5%B9%B3%E5%8F%B0\
             &algorithm=SHA1&digits=6&period=30"
        );
        assert!(rfc_secret().otpauth_uri("a:b", "c").is_err());
        assert!(rfc_secret().otpauth_uri("fanguai", " ").is_err());
    }

    #[test]
    fn qr_svg_is_plain_inline_svg() {
        let uri = rfc_secret().otpauth_uri("fanguai", "zhang").unwrap();
        let image = qr_svg(uri.expose()).unwrap();
        assert!(image.starts_with("<svg"), "{}", &image[..40]);
        assert!(image.ends_with("</svg>"));
        let lower = image.to_ascii_lowercase();
        for forbidden in [
            "<script",
            "onload",
            "onclick",
            "href",
            "<?xml",
            "javascript:",
        ] {
            assert!(!lower.contains(forbidden), "{forbidden} in SVG");
        }
        assert!(image.contains("<path"));
        assert!(qr_svg(&"x".repeat(8000)).is_err());
    }
}
