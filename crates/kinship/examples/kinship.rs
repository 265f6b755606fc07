//! The `kinship` command tree on its own, as `fanguai kinship` runs it:
//! `cargo run --release -p fanguai-kinship --example kinship -- bench --profiles 1000000`.

use std::process::ExitCode;

use clap::Parser;
use fanguai_kinship::cli::{KinshipCommand, run};

#[derive(Debug, Parser)]
#[command(name = "kinship", about = "STR kinship engine")]
struct Cli {
    #[command(subcommand)]
    command: KinshipCommand,
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
