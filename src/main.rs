//! The `signin-audit` binary: parse flags, run, map the outcome to an exit code.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;
use signin_audit::cli::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `signin-audit` alone: show the help, but it is not a successful run.
            let _ = e.print();
            return ExitCode::from(1);
        }
        Err(e) => {
            // clap's own usage errors exit 2, which `audit` uses for "high findings": report on one
            // line and exit 1 like every other error. The line joins clap's first paragraph so
            // "required arguments were not provided:" keeps the argument names.
            let rendered = e.render().to_string();
            let first: Vec<&str> = rendered.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            eprintln!("signin-audit: {} (see --help)", first.join(" ").trim_start_matches("error: "));
            return ExitCode::from(1);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = signin_audit::commands::run(cli, &mut out);
    let flushed = out.flush();
    match (result, flushed) {
        // A reader that went away (`| head`) is not a failure, and `audit`'s verdict still stands.
        (Ok(code), Ok(())) => ExitCode::from(code),
        (Ok(code), Err(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(code),
        (Ok(_), Err(e)) => {
            eprintln!("signin-audit: writing output: {e}");
            ExitCode::from(1)
        }
        (Err(e), _) if e.is_broken_pipe() => ExitCode::SUCCESS,
        (Err(e), _) => {
            eprintln!("signin-audit: {e}");
            ExitCode::from(1)
        }
    }
}
