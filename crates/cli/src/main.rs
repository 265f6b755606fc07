//! The `fanguai` binary: set up, run and operate an installation.
#![forbid(unsafe_code)]

mod commands;
mod config;
mod healthcheck;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "fanguai",
    version,
    about = "反拐联席会议信息系统 — information system of an anti-trafficking joint conference"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct DataArg {
    /// The data folder (fanguai.toml, the SQLite database, keys/).
    #[arg(long, env = "FANGUAI_DATA")]
    data: PathBuf,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start a demonstration on a throw-away folder with synthetic data and print the logins.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Keep the data here instead of a temporary folder that is deleted on exit.
        #[arg(long)]
        data: Option<PathBuf>,
    },
    /// Make a production data folder: configuration, database, master key and first admin.
    Init {
        #[command(flatten)]
        data: DataArg,
        /// Use this database instead of the embedded SQLite (e.g. postgres://…).
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Run the server.
    Serve {
        #[command(flatten)]
        data: DataArg,
        /// Address to listen on (overrides server.bind).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Bring the database schema to this version.
    Migrate {
        #[command(flatten)]
        data: DataArg,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Consistent online copy of the database (SQLite), or pg_dump for PostgreSQL.
    Backup {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        out: PathBuf,
    },
    /// Replace the database with a backup (the server must be stopped).
    Restore {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        from: PathBuf,
    },
    /// Exit 0 when the server at URL answers its health check.
    Healthcheck {
        #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
    },
    /// Master key management.
    Keys {
        #[command(subcommand)]
        action: KeysCommand,
    },
    /// DNA kinship: likelihood ratios, import, search, cross-match, simulation, benchmark.
    Kinship {
        #[command(subcommand)]
        command: fanguai_kinship::cli::KinshipCommand,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account; prints a one-time password unless --password is given.
    Add {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        username: String,
        /// The person's name as colleagues know it.
        #[arg(long)]
        name: String,
        /// Member unit id, e.g. psb, civil-affairs (see `fanguai user units`).
        #[arg(long)]
        unit: String,
        /// Role: investigator, supervisor, caseworker, lab, liaison, office, convenor, auditor, admin. Repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Set this password instead of a one-time one (read from the environment, not the shell history).
        #[arg(long, env = "FANGUAI_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Disable an account and end its sessions.
    Disable {
        #[command(flatten)]
        data: DataArg,
        /// Username or id.
        user: String,
    },
    /// Give an account a new one-time password.
    ResetPassword {
        #[command(flatten)]
        data: DataArg,
        user: String,
    },
    /// Forget an account's authenticator; the user enrols again at next login.
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[command(flatten)]
        data: DataArg,
        user: String,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first broken event.
    Verify {
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Make a new master key current and re-wrap every data key under it; the server keeps running.
    Rotate {
        #[command(flatten)]
        data: DataArg,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Command::Kinship { command } = cli.command {
        return match fanguai_kinship::cli::run(command) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e:#}");
                std::process::ExitCode::from(2)
            }
        };
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(commands::run(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
