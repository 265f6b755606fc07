//! What each command does.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use fanguai_service::{App, ChainStatus, NewUser, RequestCtx, seed};
use fanguai_store::Store;
use fanguai_vault::KeyRing;

use crate::config::{self, Config};
use crate::{AuditCommand, Command, KeysCommand, UserCommand};

pub async fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Demo { bind, data } => demo(&bind, data).await,
        Command::Init { data, database_url } => init(&data.data, database_url.as_deref()).await,
        Command::Serve { data, bind } => {
            let mut cfg = Config::load(&data.data)?;
            if let Some(b) = bind {
                cfg.bind = b;
            }
            serve(cfg, None).await
        }
        Command::Migrate { data } => {
            let cfg = Config::load(&data.data)?;
            warn(&cfg);
            let store = connect(&cfg).await?;
            let applied = store.migrate().await?;
            if applied.is_empty() {
                println!("schema is current");
            } else {
                for m in applied {
                    println!("applied {m}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User { action } => user(action).await,
        Command::Audit {
            action: AuditCommand::Verify { data },
        } => {
            let cfg = Config::load(&data.data)?;
            let store = connect(&cfg).await?;
            match fanguai_service::verify_chain(&store).await? {
                ChainStatus::Intact { events, head_hash } => {
                    println!("audit chain intact: {events} events, head {head_hash}");
                    Ok(ExitCode::SUCCESS)
                }
                ChainStatus::Broken {
                    first_broken_seq,
                    kind,
                } => {
                    println!("audit chain BROKEN at event {first_broken_seq} ({kind})");
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Backup { data, out } => backup(&data.data, &out).await,
        Command::Restore { data, from } => restore(&data.data, &from).await,
        Command::Healthcheck { url } => match crate::healthcheck::check(&url) {
            Ok(status) => {
                println!("{status}");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("unhealthy: {e:#}");
                Ok(ExitCode::from(1))
            }
        },
        Command::Keys {
            action: KeysCommand::Rotate { data },
        } => {
            let cfg = Config::load(&data.data)?;
            let app = open_app(&cfg).await?;
            let new_id = KeyRing::rotate(&cfg.keys_dir()).context("rotating the master key")?;
            app.replace_ring(KeyRing::open(&cfg.keys_dir())?);
            let report = app
                .rewrap_data_keys(&RequestCtx::cli("keys-rotate"))
                .await?;
            println!(
                "master key {new_id} is current; {} data keys re-wrapped; {} still under older keys",
                report.rewrapped, report.remaining_old
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Kinship { .. } => unreachable!("handled before the runtime starts"),
    }
}

fn warn(cfg: &Config) {
    for w in &cfg.warnings {
        eprintln!("warning: {w}");
    }
}

async fn connect(cfg: &Config) -> Result<Store> {
    Store::connect(cfg.database_url.expose())
        .await
        .context("opening the database")
}

/// Opens keys, database and service; refuses an outdated schema.
async fn open_app(cfg: &Config) -> Result<App> {
    warn(cfg);
    let ring = KeyRing::open(&cfg.keys_dir())?;
    let store = connect(cfg).await?;
    Ok(App::open(store, ring, cfg.service_config()).await?)
}

async fn init(dir: &Path, database_url: Option<&str>) -> Result<ExitCode> {
    if dir.join(config::CONFIG_FILE).exists() || dir.join("keys").exists() {
        bail!(
            "{} already holds an installation; refusing to overwrite it",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut text = config::template();
    if let Some(url) = database_url {
        text = text.replace(
            "url = \"sqlite://fanguai.db?mode=rwc\"",
            &format!("url = \"{url}\""),
        );
    }
    std::fs::write(dir.join(config::CONFIG_FILE), text)?;
    let cfg = Config::load(dir)?;
    KeyRing::create(&cfg.keys_dir())?;
    let store = connect(&cfg).await?;
    store.migrate().await?;
    let app = open_app(&cfg).await?;
    let ctx = RequestCtx::cli("init");
    seed::member_units(&app, &ctx).await?;
    let (user, pass) = seed::first_admin(&app, &ctx).await?;
    println!("made {}", dir.display());
    println!(
        "  configuration  {}",
        dir.join(config::CONFIG_FILE).display()
    );
    println!(
        "  master key     {} (back this folder up apart from the database)",
        cfg.keys_dir().display()
    );
    println!("first admin: {user}");
    println!("one-time password (shown once, change it at first login): {pass}");
    println!("run it: fanguai serve --data {}", dir.display());
    Ok(ExitCode::SUCCESS)
}

async fn demo(bind: &str, data: Option<std::path::PathBuf>) -> Result<ExitCode> {
    let (dir, _guard) = match data {
        Some(d) => (d, None),
        None => {
            let t = tempfile::Builder::new().prefix("fanguai-demo-").tempdir()?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    std::fs::create_dir_all(&dir)?;
    let mut cfg = Config::defaults(&dir);
    cfg.bind = bind.to_string();
    if !cfg.keys_dir().exists() {
        KeyRing::create(&cfg.keys_dir())?;
    }
    let store = connect(&cfg).await?;
    store.migrate().await?;
    let app = App::open(store, KeyRing::open(&cfg.keys_dir())?, cfg.service_config()).await?;
    let accounts = seed::demo(&app, &RequestCtx::cli("demo")).await?;
    println!(
        "fanguai demo — synthetic data only (示例数据), folder {}",
        dir.display()
    );
    println!();
    println!(
        "{:<28} {:<20} {:<13} {:<10} {}",
        "username", "password", "role", "unit", "TOTP secret (demo only)"
    );
    for a in &accounts {
        println!(
            "{:<28} {:<20} {:<13} {} {}",
            a.username,
            a.password,
            a.role.id(),
            pad_wide(&a.unit_name_zh, 10),
            a.totp_secret.as_deref().unwrap_or("-")
        );
    }
    println!();
    println!("open http://{bind}/ — Ctrl-C stops the demo and deletes its data");
    serve(cfg, Some(app)).await
}

async fn serve(cfg: Config, app: Option<App>) -> Result<ExitCode> {
    init_logging(&cfg);
    let app = match app {
        Some(a) => a,
        None => open_app(&cfg).await?,
    };
    let listener = tokio::net::TcpListener::bind(&cfg.bind)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.bind))?;
    tracing::info!(addr = %cfg.bind, "listening");
    let sweeper = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                tick.tick().await;
                // Picks up a master key rotated by `fanguai keys rotate` in another process.
                if let Err(e) = app.refresh_ring() {
                    tracing::warn!(error = %e, "re-reading the key ring failed");
                }
                if let Err(e) = app.sweep_sessions().await {
                    tracing::warn!(error = %e, "session sweep failed");
                }
                // A tip unacknowledged past its deadline goes to the duty supervisor and
                // the joint-conference office; the service marks each one once.
                match app
                    .escalate_overdue_tips(&RequestCtx::cli("escalation"))
                    .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(tips = n, "overdue tips escalated"),
                    Err(e) => tracing::warn!(error = %e, "tip escalation failed"),
                }
            }
        })
    };
    let state = fanguai_web::AppState::new(
        app,
        fanguai_web::WebConfig {
            secure_cookies: cfg.secure_cookies,
            ..Default::default()
        },
    )
    .context("loading the translations")?;
    fanguai_web::serve(listener, state, shutdown_signal()).await?;
    sweeper.abort();
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn init_logging(cfg: &Config) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(&cfg.log_level).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if cfg.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

async fn user(action: UserCommand) -> Result<ExitCode> {
    let (data, ctx) = match &action {
        UserCommand::Add { data, .. } => (data, "user-add"),
        UserCommand::Disable { data, .. } => (data, "user-disable"),
        UserCommand::ResetPassword { data, .. } => (data, "user-reset-password"),
        UserCommand::Reset2fa { data, .. } => (data, "user-reset-2fa"),
        UserCommand::List { data } => (data, "user-list"),
    };
    let cfg = Config::load(&data.data)?;
    let app = open_app(&cfg).await?;
    let desk = app.operator(RequestCtx::cli(ctx));
    match action {
        UserCommand::Add {
            username,
            name,
            unit,
            roles,
            phone,
            password,
            ..
        } => {
            let (v, pass) = desk
                .add(
                    &NewUser {
                        username,
                        display_name: name,
                        phone,
                        unit_id: unit,
                        roles,
                    },
                    password.as_deref(),
                )
                .await
                .map_err(field_error)?;
            println!("created {} ({})", v.username, v.id);
            if password.is_none() {
                println!("one-time password (shown once): {pass}");
            }
        }
        UserCommand::Disable { user, .. } => {
            let v = desk.disable(&user).await.map_err(field_error)?;
            println!("disabled {}; its sessions have ended", v.username);
        }
        UserCommand::ResetPassword { user, .. } => {
            let (v, pass) = desk.reset_password(&user).await.map_err(field_error)?;
            println!(
                "new one-time password for {} (shown once): {pass}",
                v.username
            );
        }
        UserCommand::Reset2fa { user, .. } => {
            let v = desk.reset_2fa(&user).await.map_err(field_error)?;
            println!("{} enrols a new authenticator at next login", v.username);
        }
        UserCommand::List { .. } => {
            for v in desk.list().await? {
                let roles: Vec<_> = v.roles.iter().map(|r| r.id()).collect();
                println!(
                    "{:<28} {:<20} {:<24} {}{}",
                    v.username,
                    v.unit_id,
                    roles.join(","),
                    if v.disabled { "disabled " } else { "" },
                    if v.totp_enrolled { "2fa" } else { "no-2fa" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Names the flag that was wrong, in the words of the command line.
fn field_error(e: fanguai_service::ServiceError) -> anyhow::Error {
    match &e {
        fanguai_service::ServiceError::Invalid { field, code } => {
            let flag = match *field {
                "display_name" => "--name",
                "unit_id" => "--unit",
                "roles" => "--role",
                "username" => "--username",
                "phone" => "--phone",
                "password" => "--password",
                other => other,
            };
            anyhow::anyhow!("{flag}: {code}")
        }
        _ => anyhow::anyhow!(e),
    }
}

async fn backup(dir: &Path, out: &Path) -> Result<ExitCode> {
    let cfg = Config::load(dir)?;
    if out.exists() {
        bail!("{} exists; refusing to overwrite a backup", out.display());
    }
    if cfg.is_sqlite() {
        let store = connect(&cfg).await?;
        store.backup_sqlite_to(out).await?;
        println!(
            "backed up the database to {} (keys/ is not in it: back it up separately)",
            out.display()
        );
    } else {
        let status = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--no-owner", "--file"])
            .arg(out)
            .arg(cfg.database_url.expose())
            .status()
            .context("running pg_dump (install the PostgreSQL client tools)")?;
        if !status.success() {
            bail!("pg_dump failed ({status})");
        }
        println!(
            "pg_dump wrote {} (keys/ is not in it: back it up separately)",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn restore(dir: &Path, from: &Path) -> Result<ExitCode> {
    let cfg = Config::load(dir)?;
    if !from.is_file() {
        bail!("{} is not a file", from.display());
    }
    if cfg.is_sqlite() {
        let target = cfg
            .sqlite_path()
            .context("database.url names no SQLite file")?;
        // Check that the backup is a database this binary can open before touching anything.
        let probe = Store::connect(&format!("sqlite://{}", from.display()))
            .await
            .context("the backup does not open as a database")?;
        let pending = probe
            .pending_migrations()
            .await
            .context("the backup is not a fanguai database")?;
        probe.close().await;
        if let Some(server) = running_server(&cfg) {
            bail!("a server answers at {server}; stop it before restoring");
        }
        let tmp = target.with_extension("db.restoring");
        std::fs::copy(from, &tmp)?;
        for ext in ["db-wal", "db-shm"] {
            let _ = std::fs::remove_file(target.with_extension(ext));
        }
        std::fs::rename(&tmp, &target)?;
        println!("restored {} from {}", target.display(), from.display());
        if !pending.is_empty() {
            println!(
                "the backup is from an older version: run `fanguai migrate --data {}`",
                dir.display()
            );
        }
    } else {
        let status = std::process::Command::new("pg_restore")
            .args(["--clean", "--if-exists", "--no-owner", "--dbname"])
            .arg(cfg.database_url.expose())
            .arg(from)
            .status()
            .context("running pg_restore (install the PostgreSQL client tools)")?;
        if !status.success() {
            bail!("pg_restore failed ({status})");
        }
        println!("pg_restore loaded {}", from.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn running_server(cfg: &Config) -> Option<String> {
    let url = format!("http://{}/healthz", cfg.bind);
    crate::healthcheck::check(&url)
        .ok()
        .map(|_| cfg.bind.clone())
}

/// Pads text whose Chinese characters take two terminal columns each.
fn pad_wide(s: &str, columns: usize) -> String {
    let width: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{}", " ".repeat(columns.saturating_sub(width)))
}
