//! Photos sent with a tip: the type is read from the bytes, never from the name or the
//! header the browser sent, and everything that can locate or identify the reporter
//! (EXIF with GPS position and camera serial, XMP, text chunks, comments) is removed
//! before the photo is sealed.

use crate::error::{Result, ServiceError};

/// At most this many photos per tip.
pub const MAX_PHOTOS: usize = 5;
/// At most this many bytes per photo (5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
    Webp,
}

impl PhotoType {
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Webp => "image/webp",
        }
    }
}

fn err(code: &str) -> ServiceError {
    ServiceError::invalid("photos", code)
}

/// The type the bytes say they are; `None` for anything but JPEG, PNG and WebP.
pub fn sniff(bytes: &[u8]) -> Option<PhotoType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(PhotoType::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(PhotoType::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(PhotoType::Webp)
    } else {
        None
    }
}

/// Checks size and type and returns the photo without its metadata.
pub fn clean(bytes: &[u8]) -> Result<(PhotoType, Vec<u8>)> {
    if bytes.is_empty() {
        return Err(err("tip.photo.empty"));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(err("tip.photo.too_large"));
    }
    let kind = sniff(bytes).ok_or_else(|| err("tip.photo.type"))?;
    let cleaned = match kind {
        PhotoType::Jpeg => strip_jpeg(bytes),
        PhotoType::Png => strip_png(bytes),
        PhotoType::Webp => strip_webp(bytes),
    }
    .ok_or_else(|| err("tip.photo.malformed"))?;
    Ok((kind, cleaned))
}

/// Drops every APPn segment but APP0 (JFIF) and APP14 (Adobe colour transform, needed to
/// decode some files), and comments. APP1 carries EXIF (with GPS) and XMP, APP13 IPTC.
fn strip_jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        let marker = *b.get(i + 1)?;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = u16::from_be_bytes([*b.get(i + 2)?, *b.get(i + 3)?]) as usize;
        if len < 2 {
            return None;
        }
        let end = i + 2 + len;
        let segment = b.get(i..end)?;
        if marker == 0xDA {
            // Start of scan: entropy-coded data and the rest of the file follow; no
            // metadata segment is allowed after it, so the remainder is kept as it is.
            out.extend_from_slice(&b[i..]);
            return Some(out);
        }
        let keep = !matches!(marker, 0xE1..=0xED | 0xEF | 0xFE);
        if keep {
            out.extend_from_slice(segment);
        }
        i = end;
    }
}

/// Drops text chunks, EXIF and timestamps; checks every chunk's framing.
fn strip_png(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..8]);
    let mut i = 8;
    let mut saw_end = false;
    while i < b.len() {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let kind = b.get(i + 4..i + 8)?;
        let end = i.checked_add(12)?.checked_add(len)?;
        let chunk = b.get(i..end)?;
        let drop = matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME");
        if !drop {
            out.extend_from_slice(chunk);
        }
        i = end;
        if kind == b"IEND" {
            saw_end = true;
            break;
        }
    }
    saw_end.then_some(out)
}

/// Drops the EXIF and XMP chunks of a WebP file and clears their flags in VP8X.
fn strip_webp(b: &[u8]) -> Option<Vec<u8>> {
    let riff_len = u32::from_le_bytes(b.get(4..8)?.try_into().ok()?) as usize;
    let body_end = 8usize.checked_add(riff_len)?.min(b.len());
    let mut chunks = Vec::with_capacity(b.len());
    let mut i = 12;
    while i + 8 <= body_end {
        let kind: [u8; 4] = b[i..i + 4].try_into().ok()?;
        let len = u32::from_le_bytes(b[i + 4..i + 8].try_into().ok()?) as usize;
        let padded = len + (len & 1);
        let end = (i + 8).checked_add(padded)?;
        let chunk = b.get(i..end.min(body_end))?;
        if (i + 8).checked_add(len)? > body_end {
            return None;
        }
        match &kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let mut c = chunk.to_vec();
                if c.len() > 8 {
                    // Flag bits: 0x08 EXIF present, 0x04 XMP present.
                    c[8] &= !(0x08 | 0x04);
                }
                chunks.extend_from_slice(&c);
            }
            _ => chunks.extend_from_slice(chunk),
        }
        i = end;
    }
    let mut out = Vec::with_capacity(chunks.len() + 12);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&u32::try_from(chunks.len() + 4).ok()?.to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&chunks);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    /// A JPEG whose APP1 holds an EXIF block with a GPS latitude, plus a comment.
    pub(crate) fn jpeg_with_gps() -> Vec<u8> {
        let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08".to_vec();
        exif.extend_from_slice(b"GPSLatitude 28;11;37 N GPSLongitude 112;58;42 E");
        let mut v = vec![0xFF, 0xD8];
        v.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        v.extend(segment(0xE1, &exif));
        v.extend(segment(0xFE, b"taken at home of reporter"));
        v.extend(segment(0xDB, &[0u8; 65]));
        v.extend(segment(0xDA, &[1, 2, 3]));
        v.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]);
        v
    }

    fn find(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn jpeg_loses_exif_gps_and_comments_but_keeps_the_image() {
        let input = jpeg_with_gps();
        let (kind, out) = clean(&input).unwrap();
        assert_eq!(kind, PhotoType::Jpeg);
        assert!(!find(&out, b"Exif"));
        assert!(!find(&out, b"GPSLatitude"));
        assert!(!find(&out, b"reporter"));
        assert!(find(&out, b"JFIF"));
        assert!(out.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        assert!(out.starts_with(&[0xFF, 0xD8, 0xFF, 0xE0]));
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        v.extend_from_slice(&[0, 0, 0, 0]);
        v
    }

    #[test]
    fn png_loses_text_and_exif_chunks() {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        v.extend(png_chunk(b"IHDR", &[0; 13]));
        v.extend(png_chunk(b"tEXt", b"Author\0someone"));
        v.extend(png_chunk(b"eXIf", b"MM\0*GPS"));
        v.extend(png_chunk(b"IDAT", &[7; 20]));
        v.extend(png_chunk(b"IEND", &[]));
        let (kind, out) = clean(&v).unwrap();
        assert_eq!(kind, PhotoType::Png);
        assert!(!find(&out, b"Author") && !find(&out, b"GPS"));
        assert!(
            find(&out, b"IHDR")
                && find(&out, b"IDAT")
                && out.ends_with(&[b'I', b'E', b'N', b'D', 0, 0, 0, 0])
        );
        // A truncated file is refused rather than stored half-cleaned.
        assert!(clean(&v[..v.len() - 14]).is_err());
    }

    #[test]
    fn webp_loses_exif_and_its_flag() {
        let mut chunks = Vec::new();
        let mut vp8x = b"VP8X".to_vec();
        vp8x.extend_from_slice(&10u32.to_le_bytes());
        vp8x.extend_from_slice(&[0x0C, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
        chunks.extend(vp8x);
        let mut exif = b"EXIF".to_vec();
        exif.extend_from_slice(&5u32.to_le_bytes());
        exif.extend_from_slice(b"GPS!!\0");
        chunks.extend(exif);
        let mut vp8 = b"VP8 ".to_vec();
        vp8.extend_from_slice(&4u32.to_le_bytes());
        vp8.extend_from_slice(&[1, 2, 3, 4]);
        chunks.extend(vp8);
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&((chunks.len() + 4) as u32).to_le_bytes());
        v.extend_from_slice(b"WEBP");
        v.extend(chunks);
        let (kind, out) = clean(&v).unwrap();
        assert_eq!(kind, PhotoType::Webp);
        assert!(!find(&out, b"GPS!!") && !find(&out, b"EXIF"));
        assert_eq!(out[20] & 0x0C, 0, "EXIF and XMP flags cleared");
        let riff = u32::from_le_bytes(out[4..8].try_into().unwrap()) as usize;
        assert_eq!(riff + 8, out.len());
    }

    #[test]
    fn type_comes_from_content_and_size_is_limited() {
        assert_eq!(clean(b"GIF89a....").unwrap_err().code(), "tip.photo.type");
        assert_eq!(
            clean(b"<svg onload=x>").unwrap_err().code(),
            "tip.photo.type"
        );
        assert_eq!(clean(&[]).unwrap_err().code(), "tip.photo.empty");
        let mut big = jpeg_with_gps();
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(clean(&big).unwrap_err().code(), "tip.photo.too_large");
        assert_eq!(
            clean(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]).unwrap_err().code(),
            "tip.photo.malformed"
        );
    }
}
