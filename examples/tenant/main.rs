//! A realistic synthetic tenant with ground truth, and the measurement of the detectors on it.
//!
//! ```sh
//! # Graph beta pages (interactive and non-interactive) and truth.json of a 150-user tenant:
//! cargo run --release --example tenant -- generate --users 150 --seed 1 --out /tmp/tenant
//! signin-audit audit /tmp/tenant/graph --include-non-interactive -o json > /tmp/report.json
//! cargo run --release --example tenant -- score --truth /tmp/tenant/truth.json --non-interactive /tmp/report.json
//! # Recall and false alarms over several tenants (built in memory, no files), with and without ASNs:
//! cargo run --release --example tenant -- measure --seeds 1,2,3,4,5,6 --users 150
//! ```
//!
//! The world model is in `world/` (shared with `tests/tenant.rs`); see its module docs. The
//! default audit settings are used (`--days 30 --baseline-days 14`, as of the latest sign-in).

mod world;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use signin_audit::audit::{AuditConfig, audit};
use world::score::{Found, Score, parse_risk, report, score};
use world::{Config, Truth};

#[derive(Debug, Parser)]
#[command(name = "tenant", about = "Generate a realistic synthetic tenant with ground truth, and score audits against it")]
struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Args)]
struct WorldArgs {
    /// Users (people, plus a service account, an automation account and a printer).
    #[arg(long, default_value_t = 150)]
    users: usize,
    /// Days of evidence, ending 2026-03-02.
    #[arg(long, default_value_t = 44)]
    days: u32,
    /// Planted attacks of every kind.
    #[arg(long, default_value_t = 3)]
    attacks: usize,
    /// Country profile: US, DE, GB or FR (default: from the seed).
    #[arg(long)]
    country: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Write Graph beta pages (DIR/graph/interactive, DIR/graph/non-interactive) and DIR/truth.json.
    Generate {
        #[command(flatten)]
        world: WorldArgs,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Leave autonomousSystemNumber out of every record.
        #[arg(long)]
        strip_asn: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// Score an audit JSON report (`signin-audit audit -o json`) against a truth file.
    Score {
        #[arg(long)]
        truth: PathBuf,
        /// The audit included non-interactive sign-ins.
        #[arg(long)]
        non_interactive: bool,
        report: PathBuf,
    },
    /// Generate tenants in memory, audit them with and without non-interactive sign-ins, and score.
    Measure {
        #[command(flatten)]
        world: WorldArgs,
        /// Seeds, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,2,3,4")]
        seeds: Vec<u64>,
        /// Which records: with their ASN, without, or both.
        #[arg(long, default_value = "both")]
        asn: String,
        /// Print every missed attack and flagged benign user.
        #[arg(long)]
        verbose: bool,
    },
}

fn config(w: &WorldArgs, seed: u64, strip_asn: bool) -> Config {
    Config { seed, users: w.users, days: w.days, attacks_per_detector: w.attacks, strip_asn, country: w.country.clone() }
}

fn known() -> Vec<&'static str> {
    world::score::measured()
}

fn main() -> anyhow::Result<()> {
    match Args::parse().cmd {
        Cmd::Generate { world: w, seed, strip_asn, out } => {
            let t = world::generate(&config(&w, seed, strip_asn));
            let files = world::output::write_graph(&t.records, &out.join("graph")).with_context(|| format!("writing {}", out.display()))?;
            std::fs::write(out.join("truth.json"), serde_json::to_vec_pretty(&t.truth)?)?;
            eprintln!(
                "{} sign-ins of {} users ({}) in {files} page file(s), {} planted attacks, {} decoy groups -> {}",
                t.records.len(),
                t.truth.users.len(),
                t.truth.country,
                t.truth.attacks.len(),
                t.truth.decoys.len(),
                out.display()
            );
        }
        Cmd::Score { truth, non_interactive, report: path } => {
            let truth: Truth = serde_json::from_slice(&std::fs::read(&truth)?).context("reading the truth file")?;
            let rep: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
            let found: Vec<Found> = rep["findings"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| Found {
                    user: f["user"].as_str().unwrap_or("").to_string(),
                    detector: f["detector"].as_str().unwrap_or("").to_string(),
                    risk: f["risk"].as_str().and_then(parse_risk).unwrap_or(signin_audit::detect::Risk::Low),
                    sign_in_ids: f["sign_in_ids"].as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                    summary: f["summary"].as_str().unwrap_or("").to_string(),
                    notes: f["risk_notes"].as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                })
                .collect();
            print!("{}", report("audit report", &[score(&truth, &found, non_interactive)], &known()));
        }
        Cmd::Measure { world: w, seeds, asn, verbose } => measure(&w, &seeds, &asn, verbose),
    }
    Ok(())
}

fn measure(w: &WorldArgs, seeds: &[u64], asn: &str, verbose: bool) {
    let variants: Vec<bool> = match asn {
        "with" => vec![false],
        "without" => vec![true],
        _ => vec![false, true],
    };
    for strip in variants {
        let mut by_cfg: [Vec<Score>; 2] = [Vec::new(), Vec::new()];
        for &seed in seeds {
            let t = world::generate(&config(w, seed, strip));
            let table = world::output::table(&t.records);
            for (k, ni) in [false, true].into_iter().enumerate() {
                let r = audit(&table, &AuditConfig { include_non_interactive: ni, ..AuditConfig::default() });
                let s = score(&t.truth, &Found::of(&r.findings), ni);
                eprintln!(
                    "seed {seed} ({}, {} sign-ins, ASN {}), {}: false alarms {:.1} %",
                    t.truth.country,
                    t.records.len(),
                    if strip { "stripped" } else { "kept, built-in classes" },
                    if ni { "with non-interactive" } else { "interactive only" },
                    100.0 * s.false_alarm_share()
                );
                by_cfg[k].push(s);
            }
        }
        for (k, title) in ["interactive only (default audit)", "--include-non-interactive"].iter().enumerate() {
            let title = format!("{title}, ASN {}", if strip { "stripped" } else { "kept (built-in network classes apply)" });
            let mut text = report(&title, &by_cfg[k], &known());
            let weak: Vec<String> = by_cfg[k].iter().flat_map(|s| s.weak(0.95, &known())).collect();
            if !weak.is_empty() {
                text.push_str(&format!("below 0.95 recall in some tenant: {}\n", weak.join(", ")));
            }
            if !verbose {
                text = text
                    .lines()
                    .filter(|l| !l.starts_with("  missed") && !l.starts_with("  flagged") && !l.starts_with("  above"))
                    .collect::<Vec<_>>()
                    .join("\n");
                text.push('\n');
            }
            println!("{text}");
        }
    }
}
