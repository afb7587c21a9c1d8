//! CSV exports: the Entra portal download, Log Analytics / Sentinel exports, and PowerShell
//! `Export-Csv` of `Get-AzureADAuditSignInLogs` / `Get-MgAuditLogSignIn`.

use super::sink::Sink;

/// Which CSV family an input belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvKind {
    Portal,
    LogAnalytics,
    PowerShell,
}

impl CsvKind {
    pub fn label(self) -> &'static str {
        match self {
            CsvKind::Portal => "portal-csv",
            CsvKind::LogAnalytics => "log-analytics-csv",
            CsvKind::PowerShell => "powershell-csv",
        }
    }
}

/// Detect a CSV family from the header line.
pub fn sniff(_head: &[u8], _file_name: &str) -> Option<CsvKind> {
    None
}

/// Parse a CSV input.
pub fn parse(_bytes: &[u8], _file_name: &str, _kind: CsvKind, _sink: &mut Sink, _assumed_offset_secs: i32) {}
