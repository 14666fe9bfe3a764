//! Every string the user reads comes from one catalog (`catalog.toml`), in Chinese (the default)
//! and English. The language is chosen by `?lang=`, then the `lang` cookie, then Accept-Language.

use std::collections::HashMap;
use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use serde::Deserialize;

const CATALOG: &str = include_str!("catalog.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The value of the html `lang` attribute and of the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// Reads `zh`, `zh-CN`, `en`, `en-US`...; anything else is not a language we speak.
    pub fn parse(value: &str) -> Option<Self> {
        let primary = value.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The first supported language of an Accept-Language header, in the client's order of
    /// preference (q values respected); Chinese when none is supported.
    pub fn from_accept_language(header: &str) -> Self {
        let mut ranked: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut pieces = part.split(';');
                let lang = Lang::parse(pieces.next()?)?;
                let q = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.first().map(|r| r.2).unwrap_or_default()
    }

    /// The other language, for the switch in the page header.
    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    /// The catalog string for `key`; a missing key shows the key itself (and a test forbids it).
    pub fn t(self, key: &str) -> &'static str {
        self.get(key).unwrap_or_else(|| {
            tracing::warn!(key, "missing catalog string");
            MISSING
        })
    }

    /// The catalog string for `key`, if the catalog has one (for keys made from data, such as an
    /// audit event's action, that may have no entry).
    pub fn get(self, key: &str) -> Option<&'static str> {
        let [zh, en] = STRINGS.get(key)?;
        Some(match self {
            Self::Zh => zh,
            Self::En => en,
        })
    }

    /// A number as a document writes it: 1 → 一 … 99 → 九十九 in Chinese (第四条, 二、), digits
    /// in English.
    pub fn numeral(self, n: usize) -> String {
        const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
        match (self, n) {
            (Self::Zh, 1..=9) => DIGITS[n].into(),
            (Self::Zh, 10..=99) => {
                let tens = if n / 10 == 1 { "" } else { DIGITS[n / 10] };
                let ones = if n.is_multiple_of(10) {
                    ""
                } else {
                    DIGITS[n % 10]
                };
                format!("{tens}十{ones}")
            }
            _ => n.to_string(),
        }
    }
}

const MISSING: &str = "??";

#[derive(Deserialize)]
struct Catalog {
    strings: HashMap<String, [String; 2]>,
}

/// The catalog by key; every page looks up dozens of keys, so the map hashes with FxHash (the keys
/// are our own, not the client's).
static STRINGS: LazyLock<FxHashMap<String, [&'static str; 2]>> = LazyLock::new(|| {
    let catalog: Catalog = match toml::from_str(CATALOG) {
        Ok(catalog) => catalog,
        Err(error) => {
            // The catalog is compiled in; the unit test below fails first.
            tracing::error!(%error, "the string catalog does not parse");
            return FxHashMap::default();
        }
    };
    catalog
        .strings
        .into_iter()
        .map(|(k, [zh, en])| {
            let zh: &'static str = Box::leak(zh.into_boxed_str());
            let en: &'static str = Box::leak(en.into_boxed_str());
            (k, [zh, en])
        })
        .collect()
});

/// Whether the catalog has `key` (for tests that check every key used by templates and code).
pub fn has_key(key: &str) -> bool {
    Lang::Zh.get(key).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_parses_and_every_entry_has_both_languages() {
        let catalog: Catalog = toml::from_str(CATALOG).unwrap_or_else(|e| panic!("{e}"));
        assert!(catalog.strings.len() > 50);
        for (key, [zh, en]) in &catalog.strings {
            assert!(
                !zh.trim().is_empty() && !en.trim().is_empty(),
                "{key} is empty"
            );
        }
    }

    #[test]
    fn accept_language_prefers_the_highest_quality_supported_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.5, zh-CN;q=0.7"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::Zh);
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::Zh);
    }

    #[test]
    fn translations_differ_by_language() {
        assert_eq!(Lang::Zh.t("app.name"), "效能督查平台");
        assert_eq!(Lang::En.t("app.name"), "Efficiency Supervision Platform");
        assert_eq!(Lang::En.t("no.such.key"), MISSING);
    }

    #[test]
    fn numerals_are_written_in_chinese_and_in_digits_in_english() {
        assert_eq!(Lang::Zh.numeral(4), "四");
        assert_eq!(Lang::Zh.numeral(10), "十");
        assert_eq!(Lang::Zh.numeral(12), "十二");
        assert_eq!(Lang::Zh.numeral(21), "二十一");
        assert_eq!(Lang::En.numeral(21), "21");
    }
}
