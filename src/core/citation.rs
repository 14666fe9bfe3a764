//! Rules as their readers know them. A rule's ID (`INS-05`, from RULES.md) is for code, logs,
//! tests and stored records; what a person reads names where the rule stands in the regulations
//! instead: the article of the measures, their annex, or the efficiency system ([`citation`]).
//!
//! The words (the regulations' titles, "第…条", "Art. …") are the string catalog's, so this is
//! the one part of the core that reads it (`i18n`, which imports nothing of the application).

use crate::i18n::Lang;

/// Where a rule stands in the regulations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// An article of the inspection measures (明查暗访暂行办法).
    Inspections(usize),
    /// The annex of the inspection measures: the deduction items.
    Annex,
    /// An article of the complaint measures (投诉处理暂行办法).
    Complaints(usize),
    /// One of the eight efficiency systems (八项制度), 1–8 in their order.
    System(usize),
    /// The State Council's notices of the public holidays: the working-day calendar.
    Holidays,
}

use Source::{Annex, Complaints, Holidays, Inspections, System};

/// Every rule of RULES.md and where it stands, in RULES.md's order.
const RULES: [(&str, Source); 41] = [
    ("INS-01", Inspections(2)),
    ("INS-02", Inspections(3)),
    ("INS-03", Inspections(4)),
    ("INS-04", Inspections(4)),
    ("INS-05", Inspections(4)),
    ("INS-06", Inspections(4)),
    ("INS-07", Inspections(4)),
    ("INS-08", Inspections(5)),
    ("INS-09", Inspections(6)),
    ("INS-10", Inspections(7)),
    ("INS-11", Inspections(8)),
    ("INS-12", Inspections(9)),
    ("INS-13", Inspections(10)),
    ("INS-14", Inspections(11)),
    ("INS-15", Annex),
    ("CMP-01", Complaints(2)),
    ("CMP-02", Complaints(3)),
    ("CMP-03", Complaints(5)),
    ("CMP-04", Complaints(6)),
    ("CMP-05", Complaints(7)),
    ("CMP-06", Complaints(8)),
    ("CMP-07", Complaints(9)),
    ("CMP-08", Complaints(10)),
    ("CMP-09", Complaints(10)),
    ("CMP-10", Complaints(10)),
    ("CMP-11", Complaints(10)),
    ("CMP-12", Complaints(10)),
    ("CMP-13", Complaints(11)),
    ("CMP-14", Complaints(12)),
    ("CMP-15", Complaints(12)),
    ("CMP-16", Complaints(14)),
    ("SYS-1", System(1)),
    ("SYS-2", System(2)),
    ("SYS-3", System(3)),
    ("SYS-4", System(4)),
    ("SYS-5", System(5)),
    ("SYS-6", System(6)),
    ("SYS-7", System(7)),
    ("SYS-8", System(8)),
    ("CAL-1", Holidays),
    ("CAL-2", Holidays),
];

fn source(rule_id: &str) -> Option<Source> {
    let id = rule_id.trim();
    RULES
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(id))
        .map(|r| r.1)
}

/// The rule `rule_id` as its reader cites it: `《宣城市直单位效能考评明查暗访暂行办法》第四条`,
/// "Art. 4 of the Provisional Measures for Open and Covert Inspections", `…附件` for the annex,
/// `《市直单位效能工作八项制度》岗位责任制` for a system. `None` for what is no rule of RULES.md.
pub fn citation(rule_id: &str, lang: Lang) -> Option<String> {
    let filled = |key: &str, regulation: &str, part: &str| {
        lang.t(key)
            .replace("{regulation}", lang.t(regulation))
            .replace("{part}", part)
    };
    Some(match source(rule_id)? {
        Inspections(n) => filled("citation.article", "citation.ins", &lang.numeral(n)),
        Complaints(n) => filled("citation.article", "citation.cmp", &lang.numeral(n)),
        Annex => filled("citation.annex", "citation.ins", ""),
        System(n) => filled(
            "citation.system",
            "citation.sys",
            lang.t(&format!("citation.sys_{n}")),
        ),
        Holidays => lang.t("citation.cal").to_string(),
    })
}

/// What the rule is about, in a few words, to tell apart the rules of one article (the
/// inspection and complaint measures'; a system's citation names it already).
pub fn gist(rule_id: &str, lang: Lang) -> Option<&'static str> {
    source(rule_id)?;
    let key = format!(
        "rule.{}",
        rule_id.trim().to_ascii_lowercase().replace('-', "_")
    );
    lang.get(&key)
}

/// The rules a deduction item may rest on, in RULES.md's order: those of the three regulations
/// (the working-day rules price nothing).
pub fn deduction_rules() -> impl Iterator<Item = &'static str> {
    RULES
        .iter()
        .filter(|(_, source)| *source != Holidays)
        .map(|(id, _)| *id)
}

/// The rule ID as RULES.md spells it, when a deduction item may rest on it (`ins-05` → `INS-05`).
pub fn deduction_rule(rule_id: &str) -> Option<&'static str> {
    let id = rule_id.trim();
    deduction_rules().find(|known| known.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_is_cited_by_its_article_in_the_readers_language() {
        let ins = "《宣城市直单位效能考评明查暗访暂行办法》";
        let (cmp, sys) = (
            "《市直单位效能投诉处理暂行办法》",
            "《市直单位效能工作八项制度》",
        );
        let measures = "the Provisional Measures for Open and Covert Inspections";
        let cited = [
            ("INS-03", Lang::Zh, format!("{ins}第四条")),
            ("INS-04", Lang::Zh, format!("{ins}第四条")),
            ("INS-05", Lang::Zh, format!("{ins}第四条")),
            ("INS-06", Lang::Zh, format!("{ins}第四条")),
            ("INS-08", Lang::Zh, format!("{ins}第五条")),
            ("ins-12", Lang::Zh, format!("{ins}第九条")),
            ("INS-15", Lang::Zh, format!("{ins}附件")),
            ("CMP-15", Lang::Zh, format!("{cmp}第十二条")),
            ("SYS-1", Lang::Zh, format!("{sys}岗位责任制")),
            ("SYS-5", Lang::Zh, format!("{sys}AB岗工作制")),
            ("INS-05", Lang::En, format!("Art. 4 of {measures}")),
            ("INS-15", Lang::En, format!("Annex to {measures}")),
            (
                "CMP-09",
                Lang::En,
                "Art. 10 of the Provisional Measures for Handling Efficiency Complaints".into(),
            ),
        ];
        for (id, lang, expected) in cited {
            assert_eq!(citation(id, lang), Some(expected), "{id}");
        }
        assert_eq!(citation("INS-99", Lang::Zh), None);
        assert_eq!(citation("", Lang::Zh), None);
    }

    #[test]
    fn no_citation_shows_a_rule_id_and_every_regulation_rule_has_its_gist() {
        for (id, _) in RULES {
            for lang in [Lang::Zh, Lang::En] {
                let cited = citation(id, lang).unwrap_or_default();
                assert!(!cited.is_empty() && !cited.contains("??"), "{id}: {cited}");
                let shows_an_id = ["INS-", "CMP-", "SYS-", "CAL-"]
                    .iter()
                    .any(|p| cited.contains(p));
                assert!(!shows_an_id && !cited.contains('{'), "{id}: {cited}");
            }
        }
        for id in deduction_rules().filter(|id| !id.starts_with("SYS-")) {
            assert!(
                gist(id, Lang::Zh).is_some() && gist(id, Lang::En).is_some(),
                "{id}"
            );
        }
    }

    #[test]
    fn a_deduction_item_rests_on_a_rule_of_the_regulations_only() {
        assert_eq!(deduction_rule(" ins-05 "), Some("INS-05"));
        assert_eq!(deduction_rule("SYS-8"), Some("SYS-8"));
        assert_eq!(deduction_rule("CAL-1"), None);
        assert_eq!(deduction_rule("INS-16"), None);
        assert_eq!(deduction_rule(""), None);
        assert_eq!(deduction_rules().count(), 39);
    }
}
