//! The command line (clap derive only; validation happens in [`crate::commands`]).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
EXIT STATUS:
    0   success (for `audit`: no finding at or above medium risk)
    1   error: bad flag, missing evidence, a dataset that does not match its manifest, refused output
        path, or a rejected record or damaged evidence item with --strict
    2   `audit` only: a high or critical finding
    3   `audit` only: a medium finding (and no high or critical one)

Evidence is opened read-only and never modified. No network access is ever made.";

/// Offline analyzer for exported Microsoft Entra ID (Azure AD) sign-in logs.
///
/// Reads Graph API pages, `az rest` output, PowerShell Export-Csv files, Entra portal downloads,
/// Log Analytics / Sentinel exports and Azure Monitor diagnostic records, normalizes them into one
/// table partitioned per user, and reports what the evidence holds.
#[derive(Debug, Parser)]
#[command(name = "signin-audit", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit the sign-ins: per-user baseline, anomaly detectors, risk per finding and per user.
    ///
    /// Exit status 2 for a high or critical finding, 3 for a medium one, 0 otherwise (low findings
    /// alone are clean), 1 on error.
    #[command(after_long_help = crate::detect::registry::help_text())]
    Audit(AuditArgs),
    /// List what the evidence holds: per file its format, SHA-256, records, rejects, duplicates and
    /// time span; then totals and every warning.
    Inventory(InventoryArgs),
    /// Write the normalized table as a Parquet dataset (zstd, sorted by user then time, hash buckets
    /// of users) with a manifest.json of inputs, hashes, counts and warnings.
    Export(ExportArgs),
    /// Write one event per sign-in of the analysis window, and one per finding (tagged), in the
    /// CSV or JSON lines that Timesketch imports: message, datetime, timestamp_desc and more.
    ///
    /// Takes the same scope flags as `audit`. Exit status 0 on success (findings do not change
    /// it), 1 on error.
    Timeline(TimelineArgs),
    /// One pass of an exported dataset's audit split by bucket (for a cluster, see docs/scale.md):
    /// without --facts, each bucket's facts; with --facts, each bucket's cross-user aggregates. One
    /// JSON line per bucket on stdout. Exit status 0, 1 on error.
    Aggregate(AggregateArgs),
    /// Combine the parts written by `audit --bucket N` for every bucket into the report one `audit`
    /// of the whole dataset gives (same formats and exit status as `audit`).
    Merge(MergeArgs),
}

/// The passes of a dataset's audit split by bucket (`aggregate`, `audit --bucket`, `merge`).
#[derive(Debug, Args)]
pub struct BucketArgs {
    /// Only this bucket of the dataset (its `bucket=NN` directory): `aggregate` writes its line of
    /// the pass, `audit` its part of the audit (one JSON line, for `merge`).
    #[arg(long, value_name = "N", help_heading = "Distributed")]
    pub bucket: Option<usize>,

    /// Facts of every bucket (`aggregate` lines without --facts), in any number of files.
    #[arg(long, value_name = "FILE", help_heading = "Distributed")]
    pub facts: Vec<PathBuf>,

    /// Cross-user aggregates of every bucket (`aggregate --facts` lines), in any number of files.
    #[arg(long, value_name = "FILE", help_heading = "Distributed")]
    pub aggregates: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AggregateArgs {
    #[command(flatten)]
    pub evidence: EvidenceArgs,

    #[command(flatten)]
    pub scope: ScopeArgs,

    #[command(flatten)]
    pub enrich: EnrichArgs,

    #[command(flatten)]
    pub buckets: BucketArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    #[command(flatten)]
    pub audit: AuditArgs,

    /// Parts written by `audit --bucket N` (every bucket once, any number of files).
    #[arg(long = "part", value_name = "FILE", required = true, help_heading = "Distributed")]
    pub parts: Vec<PathBuf>,
}

/// How evidence is read (shared by every command).
#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// Evidence files or directories (searched recursively). `.gz` and `.zip` are read in place.
    #[arg(value_name = "EVIDENCE", required = true)]
    pub evidence: Vec<PathBuf>,

    /// Read every input as this format instead of detecting it from the content.
    #[arg(long, value_enum, value_name = "NAME", help_heading = "Input")]
    pub format: Option<FormatArg>,

    /// Time zone of timestamps written without one (PowerShell CSV dates, zone-less ISO):
    /// `UTC` or a fixed offset such as `+02:00`.
    #[arg(long, value_name = "OFFSET", default_value = "UTC", help_heading = "Input")]
    pub input_timezone: String,

    /// Day/month order of ambiguous slash dates such as 03/04/2024. Detected per file when omitted.
    #[arg(long, value_enum, value_name = "ORDER", help_heading = "Input")]
    pub date_order: Option<DateOrderArg>,

    /// Fail (exit 1) if any record is rejected or any evidence item is damaged (a cut gzip, an
    /// unreadable zip member, a special file in a folder...).
    #[arg(long, help_heading = "Input")]
    pub strict: bool,

    /// Most bytes one `.gz` file or zip member may inflate to (suffixes K, M, G, T: powers of 1024).
    /// Beyond it, or beyond a member's declared size, the member is cut with a warning.
    #[arg(long, value_name = "SIZE", default_value = crate::evidence::DEFAULT_MAX_INFLATE_ARG, help_heading = "Input")]
    pub max_inflate: String,

    /// Worker threads for parsing (default: one per core). Output is identical for any value.
    #[arg(long, value_name = "N", help_heading = "Input")]
    pub threads: Option<usize>,

    /// No progress bar (it is drawn on stderr, and only when stderr is a terminal).
    #[arg(long, help_heading = "Input")]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    #[command(flatten)]
    pub evidence: EvidenceArgs,

    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "table", value_name = "FORMAT")]
    pub output: InventoryFormat,

    /// Same as `-o json`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub evidence: EvidenceArgs,

    /// Directory to write the dataset into (created; must not be inside an evidence path).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Number of user buckets (files), 1 to 64 [default: one per 250,000 rows, a power of two]; more
    /// buckets are more units of work for `audit --bucket` on a cluster.
    #[arg(long, value_name = "N")]
    pub buckets: Option<usize>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub evidence: EvidenceArgs,

    #[command(flatten)]
    pub scope: ScopeArgs,

    /// Output format (`html`: one self-contained page for a person, see the README).
    #[arg(short = 'o', long = "output", value_enum, default_value = "table", value_name = "FORMAT", help_heading = "Output")]
    pub output: AuditFormat,

    /// Same as `-o json`.
    #[arg(long, help_heading = "Output")]
    pub json: bool,

    /// No output at all: the exit status says it all.
    #[arg(short = 'q', long, help_heading = "Output")]
    pub quiet: bool,

    #[command(flatten)]
    pub enrich: EnrichArgs,

    #[command(flatten)]
    pub buckets: BucketArgs,

    #[command(flatten)]
    pub work: WorkDirArgs,
}

/// Evidence larger than memory: parsed rows spilled into user buckets on disk.
#[derive(Debug, Args)]
pub struct WorkDirArgs {
    /// Parse the evidence into user buckets under this directory, then audit one bucket at a time
    /// (bounded memory). Default: evidence larger than 8 GiB is bucketed under the system
    /// temporary directory; smaller evidence is audited in memory. Never inside an evidence path.
    #[arg(long, value_name = "DIR", help_heading = "Memory")]
    pub work_dir: Option<PathBuf>,

    /// Keep the work directory (normalized copies of the sign-ins) instead of removing it.
    #[arg(long, help_heading = "Memory")]
    pub keep_work_dir: bool,
}

/// Which users, windows, event types and risks an audit covers (shared by `audit` and `timeline`).
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// Audit only this user (UPN, case-insensitive). Repeatable.
    #[arg(long = "user", value_name = "UPN", help_heading = "Scope")]
    pub users: Vec<String>,

    /// File with one UPN per line (blank lines and `#` comments ignored).
    #[arg(long, value_name = "FILE", help_heading = "Scope")]
    pub batch: Option<PathBuf>,

    /// Analysis window: the N days ending at --as-of.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=36_500), help_heading = "Scope")]
    pub days: u32,

    /// Behaviour baseline: the N days before the analysis window (or each user's first N days when
    /// the evidence does not reach back that far).
    #[arg(long, value_name = "N", default_value_t = 14, value_parser = clap::value_parser!(u32).range(0..=36_500), help_heading = "Scope")]
    pub baseline_days: u32,

    /// End of the analysis window (RFC 3339). Default: the latest sign-in in the evidence, never the
    /// clock, so a re-run gives the same report.
    #[arg(long, value_name = "TIME", help_heading = "Scope")]
    pub as_of: Option<String>,

    /// Include non-interactive user sign-ins (token refreshes, background auth).
    #[arg(long, help_heading = "Scope")]
    pub include_non_interactive: bool,

    /// Include service principal and managed identity sign-ins.
    #[arg(long, help_heading = "Scope")]
    pub include_service_principal: bool,

    /// Minimum risk to report (and to count for the exit status).
    #[arg(long, value_enum, value_name = "LEVEL", default_value = "low", help_heading = "Output")]
    pub risk_threshold: crate::detect::Risk,

    /// Users audited in parallel (default: one per core). Output is identical for any value.
    #[arg(long, value_name = "N", help_heading = "Scope")]
    pub concurrency: Option<usize>,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    pub evidence: EvidenceArgs,

    #[command(flatten)]
    pub scope: ScopeArgs,

    #[command(flatten)]
    pub enrich: EnrichArgs,

    /// Output format: Timesketch's CSV or JSON lines.
    #[arg(short = 'o', long = "output", value_enum, default_value = "csv", value_name = "FORMAT", help_heading = "Output")]
    pub output: TimelineFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Csv,
    Jsonl,
}

/// Offline GeoIP/ASN databases, network lists and the scope of a compromise (`audit`, `timeline`).
#[derive(Debug, Args)]
pub struct EnrichArgs {
    /// GeoIP city or country database (.mmdb): MaxMind GeoIP2/GeoLite2, or ip-location-db. Repeatable
    /// (an IPv4 and an IPv6 file); the first that knows an address wins.
    #[arg(long, value_name = "FILE", help_heading = "Enrichment")]
    pub geoip_db: Vec<PathBuf>,

    /// ASN database: MaxMind GeoLite2-ASN (.mmdb) or ip-location-db asn-ipv4.csv / asn-ipv6.csv. Repeatable.
    #[arg(long, value_name = "FILE", help_heading = "Enrichment")]
    pub asn_db: Vec<PathBuf>,

    /// IPs, CIDRs and ASNs, one per line, that hide the user: `FILE` (anonymizers) or `CLASS=FILE`
    /// (`tor=`, `vpn=`, `hosting=`). Tor's exit-addresses file is recognised. Repeatable.
    #[arg(long, value_name = "[CLASS=]FILE", help_heading = "Enrichment")]
    pub anonymizer_list: Vec<String>,

    /// Indicators of compromise, one per line (`ip:`, `cidr:`, `asn:`, `ua:`, `session:`, `app:`, or
    /// recognised): every matching sign-in is an `ioc_match` finding, and the report gains a scope.
    #[arg(long, value_name = "FILE", help_heading = "Scope of compromise", conflicts_with = "pivot_from")]
    pub ioc: Option<PathBuf>,

    /// Scope from this user's high and critical findings: every other account that used their IPs,
    /// ASNs, sessions or user agents (shared and normal infrastructure excluded).
    #[arg(long, value_name = "UPN", help_heading = "Scope of compromise")]
    pub pivot_from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Table,
    Json,
    Jsonl,
    Csv,
    /// One self-contained HTML page (no network): case header, map, timelines, findings.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Any JSON rendering: Graph pages, az rest, arrays, JSON lines, Azure Monitor, Log Analytics.
    Json,
    /// Entra admin center CSV download (InteractiveSignIns_*.csv and siblings).
    PortalCsv,
    /// Log Analytics / Sentinel CSV export.
    LogAnalyticsCsv,
    /// PowerShell Export-Csv of Get-AzureADAuditSignInLogs or Get-MgAuditLogSignIn.
    PowershellCsv,
    /// A parquet file written by `signin-audit export`.
    Dataset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DateOrderArg {
    /// Month first: 3/4/2024 is March 4 (en-US).
    Mdy,
    /// Day first: 3/4/2024 is 3 April (en-GB, de-DE, fr-FR...).
    Dmy,
}
