//! What each detector declares about itself, and everything derived from it: the README detector
//! table, the detector list of `audit --help`, the report's detector order, and the roles risk
//! chaining asks about.
//!
//! Every detector, per user ([`super::Detector`]) or across users ([`super::tenant::TenantDetector`]), declares
//! the same facts ([`Declared`]): its id (a `pub const ID` in its own file), its documentation
//! ([`Doc`], built from its named threshold constants so no number is typed twice) and its
//! [`Role`]s in chaining. The two kinds run differently, so they sit in two slices
//! ([`super::DETECTORS`], [`TENANT_DETECTORS`]); [`all`] is the one list of ids every other place
//! derives from, and a test fails when the README table disagrees with it
//! (`UPDATE_README=1 cargo test` rewrites the table).

use super::DETECTORS;
use super::tenant::TENANT_DETECTORS;

/// What every detector declares about itself, whichever way it runs.
pub trait Declared: Sync {
    /// Stable id used in every report (`impossible_travel`): the detector file's `pub const ID`.
    fn id(&self) -> &'static str;
    /// What it reports, its default thresholds and its sources, built from its named constants
    /// (the README table and `--help` come from here).
    fn doc(&self) -> Doc;
    /// Whether the detector compares against the user's baseline (its findings are downgraded when
    /// the baseline is too thin to trust, and it never judges the sign-ins the baseline was made of).
    fn needs_baseline(&self) -> bool;
    /// The parts it plays in risk chaining.
    fn roles(&self) -> &'static [Role] {
        &[]
    }
}

/// How a detector sees the sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// One user's sign-ins at a time ([`super::Detector`]).
    User,
    /// Every account's sign-ins at once ([`super::tenant::TenantDetector`]), before the per-user audit.
    Tenant,
}

impl Reach {
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::User => "one user",
            Reach::Tenant => "all users",
        }
    }
}

/// Every registered detector with how it runs, in report order: the per-user ones, then the
/// cross-user ones.
pub fn all() -> impl Iterator<Item = (&'static dyn Declared, Reach)> {
    let users = DETECTORS.iter().map(|d| (*d as &'static dyn Declared, Reach::User));
    users.chain(TENANT_DETECTORS.iter().map(|d| (*d as &'static dyn Declared, Reach::Tenant)))
}

/// Every registered detector id, in report order.
pub fn ids() -> Vec<&'static str> {
    all().map(|(d, _)| d.id()).collect()
}

/// A detector's documentation: one README table row and one `--help` line.
#[derive(Debug, Clone)]
pub struct Doc {
    /// What it reports, one line (the `--help` text and the README "what it sees" column).
    pub reports: String,
    /// The default thresholds and ratings, formatted from the detector's named constants.
    pub threshold: String,
    /// Where the rule and its numbers come from: peer rules by public name and repository,
    /// Microsoft documentation by title. Never a local path.
    pub sources: &'static [&'static str],
}

/// The part a detector plays when findings on one sign-in or session are chained
/// ([`crate::audit::score`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Its high findings are push bombing that worked: together with a [`Role::FatiguePartner`] on
    /// the same sign-in or session, both are critical.
    PushBombing,
    /// A place, device, travel, token or tooling detector: its agreement with a push-bombing success
    /// makes the pair critical.
    FatiguePartner,
}

/// The length of the longest detector id (the width of a detector column in text reports).
pub fn id_width() -> usize {
    all().map(|(d, _)| d.id().len()).max().unwrap_or(0)
}

/// The registered detector with this id.
pub fn find(id: &str) -> Option<&'static dyn Declared> {
    all().map(|(d, _)| d).find(|d| d.id() == id)
}

/// Whether the detector `id` plays `role` in chaining.
pub fn has_role(id: &str, role: Role) -> bool {
    find(id).is_some_and(|d| d.roles().contains(&role))
}

/// Ids of the detectors playing `role`, in registry order.
pub fn with_role(role: Role) -> Vec<&'static str> {
    all().filter(|(d, _)| d.roles().contains(&role)).map(|(d, _)| d.id()).collect()
}

/// Markers around the generated table in README.md.
pub const README_START: &str = "<!-- detectors: generated from src/detect/registry.rs; `UPDATE_README=1 cargo test` rewrites it -->";
pub const README_END: &str = "<!-- /detectors -->";

/// The README detector table (markers included), one row per registered detector.
pub fn readme_table() -> String {
    let mut s =
        format!("{README_START}\n| id | what it sees | default threshold | runs on | baseline | source |\n|---|---|---|---|---|---|\n");
    for (d, reach) in all() {
        let doc = d.doc();
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            d.id(),
            cell(&doc.reports),
            cell(&doc.threshold),
            reach.as_str(),
            if d.needs_baseline() { "yes" } else { "no" },
            doc.sources.iter().map(|x| cell(x)).collect::<Vec<_>>().join("; ")
        ));
    }
    s.push_str(README_END);
    s
}

/// Text of a markdown table cell (a `|` would end it).
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The detector list of `signin-audit audit --help`.
pub fn help_text() -> String {
    let width = id_width();
    let mut s = String::from("DETECTORS:\n");
    for (d, _) in all() {
        s.push_str(&format!("    {:width$}  {}\n", d.id(), d.doc().reports));
    }
    s.push_str("\nThresholds and sources of every detector: the README detector table and docs/detection.md.");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_snake_case_and_documented() {
        let mut ids = super::ids();
        for (d, _) in all() {
            let id = d.id();
            assert!(!id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{id}");
            let doc = d.doc();
            assert!(!doc.reports.is_empty() && !doc.threshold.is_empty(), "{id}: empty doc");
            assert!(!doc.sources.is_empty(), "{id}: every detector names its public source");
            for src in doc.sources {
                assert!(!src.contains("shared/") && !src.contains("research/"), "{id}: cite public sources, not local paths: {src}");
            }
            assert!(find(id).is_some_and(|f| std::ptr::addr_eq(f, d)));
        }
        let n = ids.len();
        assert_eq!(n, DETECTORS.len() + TENANT_DETECTORS.len());
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "ids are unique across both slices");
    }

    #[test]
    fn chaining_roles_exist() {
        assert_eq!(with_role(Role::PushBombing).len(), 1, "one push-bombing detector");
        assert!(!with_role(Role::FatiguePartner).is_empty());
        assert!(!has_role("no_such_detector", Role::FatiguePartner));
    }

    /// README.md carries the table generated from the registry. `UPDATE_README=1 cargo test`
    /// rewrites it in place; otherwise any difference fails.
    #[test]
    fn readme_detector_table_matches_the_registry() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (Some(start), Some(end)) = (readme.find(README_START), readme.find(README_END)) else {
            panic!("README.md lacks the markers {README_START:?} ... {README_END:?}");
        };
        let current = &readme[start..end + README_END.len()];
        let wanted = readme_table();
        if current == wanted {
            return;
        }
        if std::env::var_os("UPDATE_README").is_some_and(|v| !v.is_empty() && v != "0") {
            let updated = format!("{}{wanted}{}", &readme[..start], &readme[end + README_END.len()..]);
            std::fs::write(path, updated).unwrap_or_else(|e| panic!("{path}: {e}"));
            return;
        }
        panic!(
            "README.md's detector table differs from the registry; run `UPDATE_README=1 cargo test` and review the diff.\nwanted:\n{wanted}"
        );
    }

    #[test]
    fn audit_help_lists_every_detector() {
        use clap::CommandFactory;
        let mut cmd = crate::cli::Cli::command();
        let help = cmd.find_subcommand_mut("audit").map(|a| a.render_long_help().to_string()).unwrap_or_default();
        for id in ids() {
            assert!(help.contains(id), "audit --help does not list {id}");
        }
    }
}
