//! Error types of the library. Each carries the file and, where it has one, the byte offset or line.
//! `anyhow` appears only in `main.rs`.

use std::path::PathBuf;

/// Errors reading evidence: the run cannot use this input at all.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: no such file or directory", path.display())]
    NotFound { path: PathBuf },
    #[error("{}: cannot decompress: {message}", path.display())]
    Decompress { path: PathBuf, message: String },
}

/// A record that could not be normalized. Counted per file; `--strict` makes any of them fatal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {position}: {reason}")]
pub struct Rejected {
    pub file: String,
    /// "byte 1234", "line 17", "byte 1234 (record 3)".
    pub position: String,
    pub reason: String,
}

/// Errors building the table or writing output.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing output: {0}")]
    Write(#[from] std::io::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Refused(String),
}

/// Errors loading an enrichment input given on the command line (`--geoip-db`, `--asn-db`,
/// `--anonymizer-list`, `--ioc`): the examiner named a file the run cannot use, a usage error.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error("{}: line {line}: {message}", path.display())]
    Line { path: PathBuf, line: usize, message: String },
}

/// Any error of a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Enrich(#[from] EnrichError),
    #[error("{count} record(s) rejected and --strict is set; first: {first}")]
    Strict { count: u64, first: Rejected },
    #[error("{0}")]
    Usage(String),
}

impl From<arrow_schema::ArrowError> for Error {
    fn from(e: arrow_schema::ArrowError) -> Self {
        Error::Output(OutputError::Arrow(e))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Output(OutputError::Write(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The reader of stdout went away (`signin-audit ... | head`): not a failure of the run.
    pub fn is_broken_pipe(&self) -> bool {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(s) = source {
            if let Some(io) = s.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return true;
            }
            if let Some(j) = s.downcast_ref::<serde_json::Error>()
                && j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe)
            {
                return true;
            }
            source = s.source();
        }
        false
    }
}
