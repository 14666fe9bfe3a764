//! Recognising evidence files by their bytes (INS-09): what a supervisor uploads is identified from
//! its leading bytes, never from the client's file name or declared type, and its EXIF time is read
//! so that an upload later than the day the photo was taken can be flagged.

use chrono::NaiveDateTime;

/// The kinds of evidence the office accepts (INS-09: violations are filmed or photographed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Heic,
    Webp,
    Mp4,
    Mov,
    Webm,
    Pdf,
}

impl MediaType {
    /// The stable database code, the content type and the file extension, all chosen by us.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Jpeg => ("jpeg", "image/jpeg", "jpg"),
            Self::Png => ("png", "image/png", "png"),
            Self::Heic => ("heic", "image/heic", "heic"),
            Self::Webp => ("webp", "image/webp", "webp"),
            Self::Mp4 => ("mp4", "video/mp4", "mp4"),
            Self::Mov => ("mov", "video/quicktime", "mov"),
            Self::Webm => ("webm", "video/webm", "webm"),
            Self::Pdf => ("pdf", "application/pdf", "pdf"),
        }
    }

    /// The content type to serve the file with; it comes from the sniffed bytes, so it is safe.
    pub fn mime(self) -> &'static str {
        self.names().1
    }

    /// The extension for a download name, never the one the client sent.
    pub fn extension(self) -> &'static str {
        self.names().2
    }

    pub fn is_image(self) -> bool {
        matches!(self, Self::Jpeg | Self::Png | Self::Heic | Self::Webp)
    }

    pub fn is_video(self) -> bool {
        matches!(self, Self::Mp4 | Self::Mov | Self::Webm)
    }

    /// The stable code stored in the database; never change an existing one.
    pub fn as_str(self) -> &'static str {
        self.names().0
    }

    /// The inverse of [`MediaType::as_str`].
    pub fn from_code(code: &str) -> Option<Self> {
        use MediaType::*;
        let all = [Jpeg, Png, Heic, Webp, Mp4, Mov, Webm, Pdf];
        all.into_iter().find(|media| media.as_str() == code)
    }
}

/// How many leading bytes [`sniff`] needs; a shorter file is passed whole.
pub const SNIFF_LEN: usize = 4096;

/// Why an upload is not accepted as evidence. SVG and HTML get their own message because they can
/// carry script, which must never run beside confidential material (INS-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    Svg,
    Html,
    Unrecognised,
}

impl Refusal {
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Empty => "evidence.refused_empty",
            Self::Svg => "evidence.refused_svg",
            Self::Html => "evidence.refused_html",
            Self::Unrecognised => "evidence.refused_unknown",
        }
    }
}

/// Identifies an evidence file from its first [`SNIFF_LEN`] bytes (INS-09).
pub fn sniff(prefix: &[u8]) -> Result<MediaType, Refusal> {
    let found = if prefix.is_empty() {
        return Err(Refusal::Empty);
    } else if prefix.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(MediaType::Jpeg)
    } else if prefix.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(MediaType::Png)
    } else if prefix.starts_with(b"RIFF") && prefix.get(8..12) == Some(b"WEBP") {
        Some(MediaType::Webp)
    } else if prefix.starts_with(b"%PDF-") {
        Some(MediaType::Pdf)
    } else if prefix.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        ebml_is_webm(prefix).then_some(MediaType::Webm)
    } else if prefix.get(4..8) == Some(b"ftyp") {
        iso_bmff(prefix)
    } else if matches!(prefix.get(4..8), Some(b"moov" | b"mdat" | b"wide")) {
        Some(MediaType::Mov)
    } else {
        return Err(markup(prefix));
    };
    found.ok_or(Refusal::Unrecognised)
}

/// An EBML variable-length integer at `at`: its value without the length marker, and its length.
fn vint(bytes: &[u8], at: usize) -> Option<(u64, usize)> {
    let first = *bytes.get(at)?;
    let len = first.leading_zeros() as usize + 1;
    if len > 8 {
        return None;
    }
    let raw = bytes.get(at..at.checked_add(len)?)?;
    let push = |value: u64, byte: &u8| value << 8 | u64::from(*byte);
    let unmarked = u64::from(first) & (0xFF >> len);
    let value = raw.iter().skip(1).fold(unmarked, push);
    Some((value, len))
}

/// Whether the EBML header declares the DocType "webm" (plain Matroska is not accepted).
fn ebml_is_webm(prefix: &[u8]) -> bool {
    let doc_type = || -> Option<&[u8]> {
        let (size, size_len) = vint(prefix, 4)?;
        let start = 4 + size_len;
        let end = usize::try_from(size).map_or(prefix.len(), |size| {
            start.saturating_add(size).min(prefix.len())
        });
        let mut at = start;
        while at < end {
            let (_, id_len) = vint(prefix, at)?;
            let (size, size_len) = vint(prefix, at + id_len)?;
            let data = at + id_len + size_len;
            let next = data.saturating_add(usize::try_from(size).ok()?);
            if prefix.get(at..at + id_len)? == [0x42, 0x82] {
                return prefix.get(data..next.min(end));
            }
            at = next;
        }
        None
    };
    doc_type().is_some_and(|name| name.strip_suffix(b"\0").unwrap_or(name) == b"webm")
}

/// An ISO base media file (MP4, QuickTime, HEIF), decided by its major brand, then by its
/// compatible brands. AVIF and audio-only M4A are not evidence.
fn iso_bmff(prefix: &[u8]) -> Option<MediaType> {
    let major = prefix.get(8..12)?;
    if matches!(major, b"M4A " | b"M4B " | b"M4P ") {
        return None;
    }
    let box_size = u32::from_be_bytes(prefix.get(0..4)?.try_into().ok()?);
    let end = usize::try_from(box_size).unwrap_or(0).min(prefix.len());
    let compatible = prefix.get(16..end).unwrap_or_default().chunks_exact(4);
    let brands = std::iter::once(major).chain(compatible);
    let avif = brands.clone().any(|b| b == b"avif" || b == b"avis");
    brands.clone().find_map(|brand| match brand {
        b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" => Some(MediaType::Heic),
        b"mif1" | b"msf1" if !avif => Some(MediaType::Heic),
        b"qt  " => Some(MediaType::Mov),
        b"isom" | [b'i', b's', b'o', b'2'..=b'9'] | b"mp41" | b"mp42" => Some(MediaType::Mp4),
        b"avc1" | b"dash" | b"M4V " | b"3gp4" | b"3gp5" | b"3g2a" => Some(MediaType::Mp4),
        _ => None,
    })
}

/// Tags that open an HTML document, after the WHATWG MIME sniffing standard.
const HTML_TAGS: &str =
    "!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p";

/// Names the markup a refused file turns out to be, so the supervisor gets a clear message.
fn markup(prefix: &[u8]) -> Refusal {
    let text = prefix.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(prefix);
    let head: Vec<u8> = text
        .iter()
        .skip_while(|byte| byte.is_ascii_whitespace())
        .take(1024)
        .map(u8::to_ascii_lowercase)
        .collect();
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|window| window == needle);
    let prologue = head.starts_with(b"<?xml") || head.starts_with(b"<!--");
    if head.starts_with(b"<svg")
        || head.starts_with(b"<!doctype svg")
        || prologue && contains(b"<svg")
    {
        return Refusal::Svg;
    }
    let tag_start = head.strip_prefix(b"<").unwrap_or_default();
    let opens = |tag: &str| match tag_start.strip_prefix(tag.as_bytes()) {
        Some([next, ..]) => matches!(next, b'>' | b'/') || next.is_ascii_whitespace(),
        _ => false,
    };
    if head.starts_with(b"<!--") || HTML_TAGS.split('|').any(opens) {
        Refusal::Html
    } else {
        Refusal::Unrecognised
    }
}

/// Why a client's file name is refused. The name is only ever kept as data, never used as a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRefusal {
    Empty,
    TooLong,
    ControlCharacter,
    PathSeparator,
}

impl NameRefusal {
    pub fn message_key(self) -> &'static str {
        match self {
            Self::Empty => "evidence.name_empty",
            Self::TooLong => "evidence.name_too_long",
            Self::ControlCharacter => "evidence.name_control",
            Self::PathSeparator => "evidence.name_path",
        }
    }
}

/// Checks the name the client gave a file and returns it trimmed; obviously hostile names
/// (control or bidi-override characters, path pieces) are refused.
pub fn check_file_name(name: &str) -> Result<String, NameRefusal> {
    let name = name.trim();
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if name.is_empty() {
        Err(NameRefusal::Empty)
    } else if name.chars().count() > 255 {
        Err(NameRefusal::TooLong)
    } else if name.chars().any(hidden) {
        Err(NameRefusal::ControlCharacter)
    } else if name.contains(['/', '\\']) || name == "." || name == ".." {
        Err(NameRefusal::PathSeparator)
    } else if name.chars().all(|c| c == '.' || c.is_whitespace()) {
        Err(NameRefusal::Empty)
    } else {
        Ok(name.to_owned())
    }
}

/// When a JPEG was taken, from its EXIF (DateTimeOriginal, else DateTimeDigitized, else IFD0
/// DateTime), so INS-09's same-day check can flag late uploads. Pass up to the first 256 KiB.
pub fn exif_taken_at(prefix: &[u8]) -> Option<NaiveDateTime> {
    if !prefix.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    loop {
        if *prefix.get(at)? != 0xFF {
            return None;
        }
        at += 1;
        while *prefix.get(at)? == 0xFF {
            at += 1;
        }
        let marker = *prefix.get(at)?;
        at += 1;
        match marker {
            0x01 | 0xD0..=0xD8 => continue,
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*prefix.get(at)?, *prefix.get(at + 1)?]));
        let body = prefix.get(at + 2..at.checked_add(len)?)?;
        if let (0xE1, Some(tiff)) = (marker, body.strip_prefix(b"Exif\0\0")) {
            return Tiff::parse(tiff)?.taken_at();
        }
        at += len;
    }
}

/// A bounds-checked reader over the TIFF structure inside an EXIF segment.
#[derive(Clone, Copy)]
struct Tiff<'a> {
    data: &'a [u8],
    big_endian: bool,
}

impl<'a> Tiff<'a> {
    fn parse(data: &'a [u8]) -> Option<Self> {
        let big_endian = match data.get(0..2)? {
            b"II" => false,
            b"MM" => true,
            _ => return None,
        };
        let tiff = Self { data, big_endian };
        (tiff.uint(2, 2)? == 42).then_some(tiff)
    }

    /// The unsigned integer of `width` bytes at `at`, in the TIFF's byte order.
    fn uint(self, at: usize, width: usize) -> Option<usize> {
        let raw = self.data.get(at..at.checked_add(width)?)?;
        let push = |value: usize, byte: &u8| value << 8 | usize::from(*byte);
        Some(match self.big_endian {
            true => raw.iter().fold(0, push),
            false => raw.iter().rev().fold(0, push),
        })
    }

    /// Where the entry for `tag` starts in the IFD at `ifd` (tag, type, count, value: 12 bytes).
    fn entry(self, ifd: usize, tag: usize) -> Option<usize> {
        (0..self.uint(ifd, 2)?)
            .map(|i| ifd.saturating_add(2 + 12 * i))
            .find(|&entry| self.uint(entry, 2) == Some(tag))
    }

    /// An ASCII "YYYY:MM:DD HH:MM:SS" entry; the all-zero "unknown" time does not parse.
    fn time(self, ifd: usize, tag: usize) -> Option<NaiveDateTime> {
        let entry = self.entry(ifd, tag)?;
        if self.uint(entry + 2, 2)? != 2 || self.uint(entry + 4, 4)? < 19 {
            return None;
        }
        let text = self.data.get(self.uint(entry + 8, 4)?..)?.get(..19)?;
        NaiveDateTime::parse_from_str(std::str::from_utf8(text).ok()?, "%Y:%m:%d %H:%M:%S").ok()
    }

    fn taken_at(self) -> Option<NaiveDateTime> {
        let ifd0 = self.uint(4, 4)?;
        let exif = self
            .entry(ifd0, 0x8769)
            .and_then(|entry| self.uint(entry + 8, 4));
        let exif_time = |tag| exif.and_then(|ifd| self.time(ifd, tag));
        exif_time(0x9003)
            .or_else(|| exif_time(0x9004))
            .or_else(|| self.time(ifd0, 0x0132))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SAVED: &str = "2024:05:03 18:00:00";
    const DIGITIZED: &str = "2024:05:02 07:00:00";
    const SHOT: &str = "2024:05:01 08:30:15";
    const ZERO: &str = "0000:00:00 00:00:00";

    /// Exif IFD entries to write: (tag, "YYYY:MM:DD HH:MM:SS").
    type Tags<'a> = &'a [(u32, &'a str)];

    fn at(text: &str) -> Option<NaiveDateTime> {
        NaiveDateTime::parse_from_str(text, "%Y:%m:%d %H:%M:%S").ok()
    }

    /// A TIFF block: IFD0 (DateTime, ExifIFD pointer), then an Exif IFD holding the `exif` tags.
    fn tiff(big_endian: bool, date_time: &str, exif: Tags) -> Vec<u8> {
        let w = |value: u32, width: usize| match big_endian {
            true => value.to_be_bytes()[4 - width..].to_vec(),
            false => value.to_le_bytes()[..width].to_vec(),
        };
        let entry = |tag, kind, count, value| [w(tag, 2), w(kind, 2), w(count, 4), w(value, 4)];
        let (exif_ifd, count) = (8 + 2 + 2 * 12 + 4, exif.len() as u32);
        let data = exif_ifd + 2 + 12 * count + 4;
        let order = if big_endian { b"MM" } else { b"II" };
        let mut parts = vec![order.to_vec(), w(42, 2), w(8, 4), w(2, 2)];
        parts.extend(entry(0x0132, 2, 20, data));
        parts.extend(entry(0x8769, 4, 1, exif_ifd));
        parts.extend([w(0, 4), w(count, 2)]);
        for (i, (tag, _)) in (1..).zip(exif) {
            parts.extend(entry(*tag, 2, 20, data + 20 * i));
        }
        parts.push(w(0, 4));
        for text in std::iter::once(date_time).chain(exif.iter().map(|(_, text)| *text)) {
            parts.push(text.bytes().chain([0]).collect());
        }
        parts.concat()
    }

    /// A JPEG with a JFIF APP0, the EXIF APP1 and a scan; returns it and where the APP1 ends.
    fn jpeg(tiff: &[u8]) -> (Vec<u8>, usize) {
        let length = u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes();
        let app0 = b"\xFF\xD8\xFF\xE0\0\x07JFIF\0";
        let mut out = [&app0[..], b"\xFF\xE1", &length, b"Exif\0\0", tiff].concat();
        let app1_end = out.len();
        out.extend(b"\xFF\xDA\0\x02\x12\x34\xFF\xD9");
        (out, app1_end)
    }

    /// An `ftyp` box (major brand first, then the compatible ones) followed by a `free` box.
    fn ftyp(brands: &[&[u8; 4]]) -> Vec<u8> {
        let size = 12 + 4 * brands.len() as u32;
        let (major, compatible) = brands.split_first().unwrap();
        let mut out = [&size.to_be_bytes()[..], b"ftyp", &major[..], &[0; 4]].concat();
        compatible.iter().for_each(|brand| out.extend(*brand));
        out.extend(b"\0\0\0\x08free");
        out
    }

    /// An EBML header (version 1, the given DocType) followed by the Segment ID.
    fn ebml(doc_type: &[u8]) -> Vec<u8> {
        let len = doc_type.len() as u8;
        let mut out = b"\x1A\x45\xDF\xA3\x87\x42\x86\x81\x01\x42\x82\x80".to_vec();
        out[4] += len;
        out[11] += len;
        out.extend(doc_type.iter().chain(b"\x18\x53\x80\x67"));
        out
    }

    #[test]
    fn ins_09_each_kind_is_recognised_from_its_signature() {
        let cases: [(&[u8], MediaType); 8] = [
            (b"\xFF\xD8\xFF\xE0\0\x10JFIF", MediaType::Jpeg),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", MediaType::Png),
            (b"RIFF\x24\0\0\0WEBPVP8 ", MediaType::Webp),
            (b"%PDF-1.7\n", MediaType::Pdf),
            (&ebml(b"webm"), MediaType::Webm),
            (&ftyp(&[b"heic", b"mif1", b"heic"]), MediaType::Heic),
            (&ftyp(&[b"isom", b"isom", b"avc1"]), MediaType::Mp4),
            (b"\0\0\0\x08wide\0\0\0\0mdat", MediaType::Mov),
        ];
        for (bytes, expected) in cases {
            assert_eq!(sniff(bytes), Ok(expected), "{expected:?}");
        }
    }

    #[test]
    fn ins_09_jpeg_named_html_is_still_sniffed_from_bytes() {
        let name = check_file_name("evidence.html").unwrap();
        let media = sniff(&jpeg(&tiff(false, SAVED, &[])).0).unwrap();
        let served = (name.as_str(), media.mime(), media.extension());
        assert_eq!(served, ("evidence.html", "image/jpeg", "jpg"));
    }

    #[test]
    fn ins_09_containers_are_told_apart_and_avif_m4a_matroska_refused() {
        let cases: [(&[&[u8; 4]], Option<MediaType>); 9] = [
            (&[b"mif1", b"mif1", b"heic"], Some(MediaType::Heic)),
            (&[b"avif", b"avif", b"mif1", b"miaf"], None),
            (&[b"avif", b"mif1", b"heic"], Some(MediaType::Heic)),
            (&[b"qt  ", b"qt  "], Some(MediaType::Mov)),
            (&[b"iso6"], Some(MediaType::Mp4)),
            (&[b"3gp4", b"isom"], Some(MediaType::Mp4)),
            (&[b"XAVC", b"XAVC", b"mp42"], Some(MediaType::Mp4)),
            (&[b"M4A ", b"M4A ", b"mp42", b"isom"], None),
            (&[b"crx ", b"crx "], None),
        ];
        for (brands, expected) in cases {
            assert_eq!(sniff(&ftyp(brands)).ok(), expected, "{brands:?}");
        }
        let oversized_box = b"\xFF\xFF\xFF\xFFftypXXXX\0\0\0\0isom";
        assert_eq!(sniff(oversized_box), Ok(MediaType::Mp4));
        assert_eq!(sniff(&ebml(b"matroska")), Err(Refusal::Unrecognised));
        assert_eq!(sniff(&ebml(b"webm\0")), Ok(MediaType::Webm));
        assert_eq!(sniff(b"\x1A\x45\xDF\xA3\0"), Err(Refusal::Unrecognised));
    }

    #[test]
    fn ins_09_svg_and_html_are_refused_each_with_its_own_message() {
        let cases = [
            (r#"<svg onload="alert(1)"/>"#, "evidence.refused_svg"),
            ("\u{FEFF} \n<?xml?>\n<SVG>", "evidence.refused_svg"),
            ("<!DOCTYPE svg PUBLIC>", "evidence.refused_svg"),
            ("<!-- hand made -->\n<svg>", "evidence.refused_svg"),
            ("<!DOCTYPE html>", "evidence.refused_html"),
            ("\r\n  <HTML lang=zh>", "evidence.refused_html"),
            ("<script>alert(1)", "evidence.refused_html"),
            ("<!-- x -->", "evidence.refused_html"),
            ("<br/>", "evidence.refused_html"),
            ("<?xml?><note/>", "evidence.refused_unknown"),
            ("<ab>", "evidence.refused_unknown"),
            ("GIF89a", "evidence.refused_unknown"),
            ("  %PDF-1.4", "evidence.refused_unknown"),
            ("", "evidence.refused_empty"),
        ];
        for (text, expected) in cases {
            let refusal = sniff(text.as_bytes()).unwrap_err();
            assert_eq!(refusal.message_key(), expected, "{text}");
        }
    }

    #[test]
    fn media_type_codes_round_trip_and_no_kind_is_both_image_and_video() {
        for code in ["jpeg", "png", "heic", "webp", "mp4", "mov", "webm", "pdf"] {
            let media = MediaType::from_code(code).unwrap();
            assert_eq!(media.as_str(), code);
            assert!(!(media.is_image() && media.is_video()));
        }
        assert_eq!(MediaType::from_code("gif"), None);
        let mov = MediaType::Mov;
        assert_eq!((mov.mime(), mov.extension()), ("video/quicktime", "mov"));
    }

    #[test]
    fn ins_09_hostile_file_names_are_refused_and_ordinary_ones_kept_trimmed() {
        let (long, longest) = (format!("{}.jpg", "a".repeat(1000)), "照".repeat(255));
        let cases = [
            ("  照片 1.jpg \n", Ok("照片 1.jpg")),
            ("..jpg", Ok("..jpg")),
            (&longest, Ok(longest.as_str())),
            ("  \t ", Err(NameRefusal::Empty)),
            ("...", Err(NameRefusal::Empty)),
            (&long, Err(NameRefusal::TooLong)),
            ("a\0b.jpg", Err(NameRefusal::ControlCharacter)),
            ("a\r\nb.jpg", Err(NameRefusal::ControlCharacter)),
            ("a\u{85}b.jpg", Err(NameRefusal::ControlCharacter)),
            ("photo\u{202E}gpj.exe", Err(NameRefusal::ControlCharacter)),
            ("../etc/passwd", Err(NameRefusal::PathSeparator)),
            ("C:\\evidence.jpg", Err(NameRefusal::PathSeparator)),
            ("..", Err(NameRefusal::PathSeparator)),
        ];
        for (name, expected) in cases {
            let checked = check_file_name(name);
            assert_eq!(checked, expected.map(str::to_owned), "{name:?}");
        }
        let key = NameRefusal::PathSeparator.message_key();
        assert_eq!(key, "evidence.name_path");
    }

    #[test]
    fn ins_09_exif_time_prefers_original_then_digitized_then_ifd0_in_both_byte_orders() {
        for big_endian in [false, true] {
            let cases: [(&str, Tags, &str); 4] = [
                (SAVED, &[(0x9004, DIGITIZED), (0x9003, SHOT)], SHOT),
                (SAVED, &[(0x9004, DIGITIZED)], DIGITIZED),
                (SAVED, &[(0x9003, ZERO)], SAVED),
                (ZERO, &[], ZERO),
            ];
            for (date_time, exif, expected) in cases {
                let bytes = jpeg(&tiff(big_endian, date_time, exif)).0;
                assert_eq!(exif_taken_at(&bytes), at(expected), "{big_endian} {exif:?}");
            }
        }
        assert_eq!(at(ZERO), None);
        assert_eq!(exif_taken_at(b"\x89PNG\r\n\x1a\n"), None);
    }

    #[test]
    fn ins_09_every_truncation_of_an_exif_jpeg_is_handled() {
        let (bytes, app1_end) = jpeg(&tiff(true, SAVED, &[(0x9003, SHOT)]));
        for len in 0..=bytes.len() {
            let expected = if len >= app1_end { at(SHOT) } else { None };
            assert_eq!(exif_taken_at(&bytes[..len]), expected, "truncated to {len}");
            let sniffed = sniff(&bytes[..len]).ok();
            assert_eq!(sniffed, (len >= 3).then_some(MediaType::Jpeg));
        }
    }

    #[test]
    fn ins_09_corrupted_or_hostile_exif_never_invents_a_time() {
        let (valid, _) = jpeg(&tiff(false, SAVED, &[(0x9004, DIGITIZED), (0x9003, SHOT)]));
        let allowed = [None, at(SAVED), at(DIGITIZED), at(SHOT)];
        let mut seed: u32 = 0x2024_0509;
        for round in 0..3000 {
            // Overwrite one to three bytes with 0x00 or 0xFF: a time string hit that way no longer
            // parses, so the answer must be one of the sample's own times, or none.
            let mut bytes = valid.clone();
            for _ in 0..=(round % 3) {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let index = (seed >> 8) as usize % bytes.len();
                bytes[index] = [0x00, 0xFF][round % 2];
            }
            assert!(allowed.contains(&exif_taken_at(&bytes)), "round {round}");
            let noise = (0..512u32).map(|i| (seed.rotate_left(i % 32) ^ i) as u8);
            let header = b"\xFF\xD8\xFF\xE1\x02\x08Exif\0\0II*\0";
            let hostile: Vec<u8> = header.iter().copied().chain(noise).collect();
            assert_eq!(exif_taken_at(&hostile), None);
        }
    }
}
