//! The IMDRF Adverse Event Terminology (AET) code tables, Annexes A–G, as published by the
//! IMDRF AE working group and embedded from `data/` (provenance in `data/SOURCES.md`).
//!
//! Annex A is release 2024; Annexes B–G are release 2022, the newest found in machine-readable
//! form. Codes are hierarchical: `A07` (level 1) ⊃ `A0705` (level 2) ⊃ `A070501` (level 3),
//! and the export records each term's path as `CodeHierarchy` (`A07|A0705|A070501`).

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::UnknownValue;

/// One of the seven IMDRF AET annexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Annex {
    /// Medical device problem.
    A,
    /// Cause investigation: type of investigation.
    B,
    /// Cause investigation: investigation findings.
    C,
    /// Cause investigation: investigation conclusion.
    D,
    /// Health effects: clinical signs, symptoms and conditions.
    E,
    /// Health effects: health impact.
    F,
    /// Medical device component.
    G,
}

impl Annex {
    pub const ALL: [Annex; 7] = [
        Annex::A,
        Annex::B,
        Annex::C,
        Annex::D,
        Annex::E,
        Annex::F,
        Annex::G,
    ];

    /// The annex's subject, worded to sit inside a sentence.
    pub fn title(self) -> &'static str {
        match self {
            Annex::A => "medical device problem",
            Annex::B => "type of investigation",
            Annex::C => "investigation findings",
            Annex::D => "investigation conclusion",
            Annex::E => "clinical signs, symptoms and conditions",
            Annex::F => "health impact",
            Annex::G => "medical device component",
        }
    }

    fn letter(self) -> &'static str {
        match self {
            Annex::A => "A",
            Annex::B => "B",
            Annex::C => "C",
            Annex::D => "D",
            Annex::E => "E",
            Annex::F => "F",
            Annex::G => "G",
        }
    }
}

impl fmt::Display for Annex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.letter())
    }
}

impl FromStr for Annex {
    type Err = UnknownValue;

    /// Accepts the letter in either case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Annex::ALL
            .into_iter()
            .find(|a| a.letter().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownValue {
                kind: "IMDRF annex",
                value: s.to_owned(),
                allowed: "A, B, C, D, E, F, G".to_owned(),
            })
    }
}

/// One IMDRF term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub annex: Annex,
    pub code: String,
    pub term: String,
    pub definition: String,
    /// IMDRF inactivated the term: its `Status` is "Retired", or its status note says it "was
    /// inactivated" (Annex A 2024 keeps `A071205` with an empty status but such a note).
    pub retired: bool,
    /// False for the category headings IMDRF marks "Not selectable" ("Please use more
    /// detailed term within the hierarchy").
    pub selectable: bool,
    /// The term one level up, per the first `CodeHierarchy` the export gives; `None` at level 1.
    pub parent: Option<String>,
    /// Further parents: Annex E files some terms under more than one branch (e.g. `E0102`
    /// Brain Injury under both `E01` Nervous System and `E20` Injury), once per branch.
    pub also_under: Vec<String>,
}

/// Why a code may not be used in a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("`{code}` is not an IMDRF Annex {annex} ({}) code", .annex.title())]
    Unknown { annex: Annex, code: String },
    #[error(
        "`{code}` is not an IMDRF Annex {annex} ({}) code; it is the Annex {found} ({}) term \"{term}\"",
        .annex.title(),
        .found.title()
    )]
    WrongAnnex {
        annex: Annex,
        code: String,
        found: Annex,
        term: String,
    },
    #[error("`{code}` ({term}) is retired in release {release} of IMDRF Annex {annex} ({})", .annex.title())]
    Retired {
        annex: Annex,
        code: String,
        term: String,
        release: String,
    },
    #[error(
        "`{code}` ({term}) is a category heading of IMDRF Annex {annex} ({}); choose a more specific term under it",
        .annex.title()
    )]
    NotSelectable {
        annex: Annex,
        code: String,
        term: String,
    },
}

/// The seven annexes, loaded once from the embedded JSON.
#[derive(Debug)]
pub struct CodeTable {
    annexes: Vec<AnnexTable>,
}

#[derive(Debug)]
struct AnnexTable {
    release: &'static str,
    terms: Vec<Term>,
    by_code: HashMap<String, usize>,
}

/// The embedded files and their release numbers (from the files' own status notes; a test
/// checks that no note names a later release).
const SOURCES: [(Annex, &str, &str); 7] = [
    (Annex::A, "2024", include_str!("../data/annexa2024_1.json")),
    (Annex::B, "2022", include_str!("../data/annexb_1.json")),
    (Annex::C, "2022", include_str!("../data/annexc_1.json")),
    (Annex::D, "2022", include_str!("../data/annexd_1.json")),
    (Annex::E, "2022", include_str!("../data/annexe_1.json")),
    (Annex::F, "2022", include_str!("../data/annexf_1.json")),
    (Annex::G, "2022", include_str!("../data/annexg_1.json")),
];

/// A row of the IMDRF export; the 2024 Annex A file spells the keys in lower case.
#[derive(Deserialize)]
struct Row {
    code: String,
    term: String,
    definition: String,
    #[serde(default, alias = "Status")]
    status: String,
    #[serde(default, rename = "status description", alias = "Status Description")]
    status_description: String,
    #[serde(rename = "codehierarchy", alias = "CodeHierarchy")]
    hierarchy: String,
}

static CODES: LazyLock<CodeTable> = LazyLock::new(CodeTable::load);

/// The IMDRF code tables.
pub fn codes() -> &'static CodeTable {
    &CODES
}

impl CodeTable {
    fn load() -> CodeTable {
        CodeTable {
            annexes: SOURCES
                .iter()
                .map(|&(annex, release, json)| AnnexTable::load(annex, release, json))
                .collect(),
        }
    }

    fn annex(&self, annex: Annex) -> &AnnexTable {
        &self.annexes[annex as usize]
    }

    /// Every term of `annex` in IMDRF's order, each code once.
    pub fn terms(&self, annex: Annex) -> &[Term] {
        &self.annex(annex).terms
    }

    pub fn get(&self, annex: Annex, code: &str) -> Option<&Term> {
        let table = self.annex(annex);
        table.by_code.get(code).map(|&i| &table.terms[i])
    }

    /// The term, if `code` may be put in a report as an `annex` code: known in that annex,
    /// not retired, not a category heading.
    pub fn check(&self, annex: Annex, code: &str) -> Result<&Term, CodeError> {
        let Some(term) = self.get(annex, code) else {
            let elsewhere = Annex::ALL.into_iter().find_map(|a| self.get(a, code));
            return Err(match elsewhere {
                Some(t) => CodeError::WrongAnnex {
                    annex,
                    code: code.to_owned(),
                    found: t.annex,
                    term: t.term.clone(),
                },
                None => CodeError::Unknown {
                    annex,
                    code: code.to_owned(),
                },
            });
        };
        if term.retired {
            Err(CodeError::Retired {
                annex,
                code: term.code.clone(),
                term: term.term.clone(),
                release: self.release(annex).to_owned(),
            })
        } else if !term.selectable {
            Err(CodeError::NotSelectable {
                annex,
                code: term.code.clone(),
                term: term.term.clone(),
            })
        } else {
            Ok(term)
        }
    }

    /// Terms of `annex` whose term (or code) contains every word of `text`, case-insensitively,
    /// followed by those that match only with the definition. Retired terms and headings are
    /// included; [`Term::retired`] and [`Term::selectable`] tell them apart.
    pub fn search(&self, annex: Annex, text: &str) -> Vec<&Term> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(bool, &Term)> = self
            .terms(annex)
            .iter()
            .filter_map(|t| {
                let term = t.term.to_lowercase();
                let code = t.code.to_lowercase();
                if words.iter().all(|w| term.contains(w) || code == *w) {
                    return Some((true, t));
                }
                let definition = t.definition.to_lowercase();
                words
                    .iter()
                    .all(|w| term.contains(w) || definition.contains(w))
                    .then_some((false, t))
            })
            .collect();
        hits.sort_by_key(|&(in_term, _)| !in_term);
        hits.into_iter().map(|(_, t)| t).collect()
    }

    /// The IMDRF release number of the embedded `annex` table, e.g. "2024".
    pub fn release(&self, annex: Annex) -> &str {
        self.annex(annex).release
    }
}

impl AnnexTable {
    fn load(annex: Annex, release: &'static str, json: &str) -> AnnexTable {
        // The data is fixed at compile time and the tests load every annex.
        let rows: Vec<Row> = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("embedded IMDRF Annex {annex} table is malformed: {e}"));
        let mut terms: Vec<Term> = Vec::with_capacity(rows.len());
        let mut by_code = HashMap::with_capacity(rows.len());
        for row in rows {
            let parent = row.hierarchy.rsplit('|').nth(1).map(str::to_owned);
            if let Some(&i) = by_code.get(&row.code) {
                // A later branch of the same term: the first row is kept as the term (for
                // E120501 it is the one carrying the 2022 revision), the branch as a parent.
                let term: &mut Term = &mut terms[i];
                if let Some(parent) = parent
                    && term.parent.as_ref() != Some(&parent)
                    && !term.also_under.contains(&parent)
                {
                    term.also_under.push(parent);
                }
                continue;
            }
            by_code.insert(row.code.clone(), terms.len());
            terms.push(Term {
                annex,
                retired: row.status.contains("Retired")
                    || row.status_description.contains("inactivated"),
                selectable: !row.status.contains("Not selectable"),
                code: row.code,
                term: row.term,
                definition: row.definition,
                parent,
                also_under: Vec::new(),
            });
        }
        AnnexTable {
            release,
            terms,
            by_code,
        }
    }
}
