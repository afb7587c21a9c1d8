//! Report writers: one file per report and format, all writing to an `io::Write`.

pub mod audit;
pub mod describe;
pub mod html;
pub mod inventory;
pub mod scope;
pub mod text;
pub mod timeline;

/// A CSV writer's error as ours, keeping an I/O error's kind (a closed pipe is not a failure).
pub(crate) fn csv_error(e: csv::Error) -> crate::error::Error {
    let io = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    crate::error::Error::Output(crate::error::OutputError::Write(io))
}
