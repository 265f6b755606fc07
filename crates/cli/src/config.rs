//! Configuration, layered: built-in defaults → `fanguai.toml` in the data folder →
//! `FANGUAI_*` environment variables → command-line flags. Unknown keys warn; values of
//! the wrong type are errors that name the file (or variable) and the key.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A value that must never reach a log: its `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; may carry a password, hence secret.
    pub database_url: Secret,
    pub bind: String,
    pub secure_cookies: bool,
    pub session_idle_minutes: i64,
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub log_level: String,
    pub log_format: String,
    /// Keys read but not understood, with where they came from; printed as warnings.
    pub warnings: Vec<String>,
}

/// Every key the file and the environment may set: (section, key).
const KNOWN: &[(&str, &str)] = &[
    ("database", "url"),
    ("server", "bind"),
    ("server", "secure_cookies"),
    ("security", "session_idle_minutes"),
    ("security", "lockout_threshold"),
    ("security", "lockout_minutes"),
    ("log", "level"),
    ("log", "format"),
];

pub const CONFIG_FILE: &str = "fanguai.toml";
pub const SQLITE_FILE: &str = "fanguai.db";

impl Config {
    pub fn defaults(data_dir: &Path) -> Config {
        Config {
            data_dir: data_dir.to_path_buf(),
            database_url: Secret::new(sqlite_url(data_dir)),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: false,
            session_idle_minutes: 30,
            lockout_threshold: 5,
            lockout_minutes: 15,
            log_level: "info".into(),
            log_format: "text".into(),
            warnings: Vec::new(),
        }
    }

    /// Loads the data folder's configuration with the environment on top.
    pub fn load(data_dir: &Path) -> Result<Config> {
        Self::load_with_env(data_dir, std::env::vars())
    }

    pub fn load_with_env(
        data_dir: &Path,
        env: impl Iterator<Item = (String, String)>,
    ) -> Result<Config> {
        if !data_dir.is_dir() {
            bail!(
                "data folder {} does not exist; make one with `fanguai init --data {}`",
                data_dir.display(),
                data_dir.display()
            );
        }
        let mut cfg = Config::defaults(data_dir);
        let file = data_dir.join(CONFIG_FILE);
        if file.exists() {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let value: toml::Table = text
                .parse()
                .with_context(|| format!("{} is not valid TOML", file.display()))?;
            let origin = file.display().to_string();
            for (section, v) in &value {
                let Some(table) = v.as_table() else {
                    cfg.warnings
                        .push(format!("{origin}: unknown key `{section}` ignored"));
                    continue;
                };
                for (key, val) in table {
                    cfg.apply(&origin, section, key, &toml_to_string(val))?;
                }
            }
        }
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("FANGUAI_") else {
                continue;
            };
            let (rest, from_file) = match rest.strip_suffix("_FILE") {
                Some(r) => (r, true),
                None => (rest, false),
            };
            let Some((section, key)) = rest.split_once('_') else {
                continue;
            };
            let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
            if !KNOWN.contains(&(section.as_str(), key.as_str())) {
                // FANGUAI_DATA and test-only variables are not configuration keys.
                if !matches!(rest, "DATA" | "SKIP_BROWSER") && !rest.starts_with("TEST") {
                    cfg.warnings.push(format!(
                        "environment variable {name}: unknown key `{section}.{key}` ignored"
                    ));
                }
                continue;
            }
            let value = if from_file {
                std::fs::read_to_string(&value)
                    .with_context(|| format!("{name} names {value}, which cannot be read"))?
                    .trim()
                    .to_string()
            } else {
                value
            };
            cfg.apply(
                &format!("environment variable {name}"),
                &section,
                &key,
                &value,
            )?;
        }
        Ok(cfg)
    }

    fn apply(&mut self, origin: &str, section: &str, key: &str, value: &str) -> Result<()> {
        let int = |v: &str| -> Result<i64> {
            let n: i64 = v.trim().parse().with_context(|| {
                format!("{origin}: `{section}.{key}` must be a whole number, not `{v}`")
            })?;
            if n <= 0 {
                bail!("{origin}: `{section}.{key}` must be greater than zero");
            }
            Ok(n)
        };
        match (section, key) {
            ("database", "url") => {
                let v = value.trim();
                if !(v.starts_with("sqlite:")
                    || v.starts_with("postgres://")
                    || v.starts_with("postgresql://"))
                {
                    bail!("{origin}: `database.url` must start with sqlite: or postgres://");
                }
                self.database_url = Secret::new(resolve_sqlite(v, &self.data_dir));
            }
            ("server", "bind") => {
                value.trim().parse::<std::net::SocketAddr>().with_context(|| {
                    format!("{origin}: `server.bind` must be an address like 127.0.0.1:8080, not `{value}`")
                })?;
                self.bind = value.trim().to_string();
            }
            ("server", "secure_cookies") => {
                self.secure_cookies = match value.trim() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    v => {
                        bail!("{origin}: `server.secure_cookies` must be true or false, not `{v}`")
                    }
                }
            }
            ("security", "session_idle_minutes") => self.session_idle_minutes = int(value)?,
            ("security", "lockout_threshold") => self.lockout_threshold = int(value)?,
            ("security", "lockout_minutes") => self.lockout_minutes = int(value)?,
            ("log", "level") => self.log_level = value.trim().to_string(),
            ("log", "format") => match value.trim() {
                "text" | "json" => self.log_format = value.trim().to_string(),
                v => bail!("{origin}: `log.format` must be text or json, not `{v}`"),
            },
            _ => self
                .warnings
                .push(format!("{origin}: unknown key `{section}.{key}` ignored")),
        }
        Ok(())
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.data_dir.join("keys")
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose().starts_with("sqlite:")
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let u = self.database_url.expose().strip_prefix("sqlite://")?;
        Some(PathBuf::from(u.split('?').next().unwrap_or(u)))
    }

    pub fn service_config(&self) -> fanguai_service::ServiceConfig {
        fanguai_service::ServiceConfig {
            session_idle_secs: self.session_idle_minutes * 60,
            lockout_threshold: self.lockout_threshold,
            lockout_secs: self.lockout_minutes * 60,
            keys_dir: Some(self.keys_dir()),
            ..Default::default()
        }
    }
}

fn toml_to_string(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join(SQLITE_FILE).display())
}

/// A relative SQLite path in the file is relative to the data folder, not to wherever
/// the server was started.
fn resolve_sqlite(url: &str, data_dir: &Path) -> String {
    match url.strip_prefix("sqlite://") {
        Some(rest) if !rest.starts_with('/') && !rest.starts_with(':') => {
            let (path, query) = rest.split_once('?').unwrap_or((rest, "mode=rwc"));
            format!("sqlite://{}?{}", data_dir.join(path).display(), query)
        }
        _ => url.to_string(),
    }
}

/// The file `fanguai init` writes: every key, commented.
pub fn template() -> String {
    r#"# fanguai configuration. Environment variables override these keys:
# FANGUAI_DATABASE_URL, FANGUAI_SERVER_BIND, FANGUAI_SECURITY_LOCKOUT_MINUTES, …
# and FANGUAI_DATABASE_URL_FILE reads the URL (with its password) from a file.

[database]
# The embedded database in this folder. For PostgreSQL:
# url = "postgres://fanguai@db.example.org/fanguai"
url = "sqlite://fanguai.db?mode=rwc"

[server]
bind = "127.0.0.1:8080"
# true when served over HTTPS (behind a reverse proxy): cookies get the Secure flag.
secure_cookies = false

[security]
session_idle_minutes = 30
lockout_threshold = 5
lockout_minutes = 15

[log]
level = "info"
format = "text"
"#
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(toml: &str) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(CONFIG_FILE), toml).unwrap();
        d
    }

    #[test]
    fn layers_file_then_env() {
        let d =
            dir_with("[server]\nbind = \"127.0.0.1:9000\"\n[security]\nlockout_threshold = 7\n");
        let env = vec![(
            "FANGUAI_SECURITY_LOCKOUT_THRESHOLD".to_string(),
            "3".to_string(),
        )];
        let c = Config::load_with_env(d.path(), env.into_iter()).unwrap();
        assert_eq!(c.bind, "127.0.0.1:9000");
        assert_eq!(c.lockout_threshold, 3);
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn unknown_keys_warn_with_their_origin() {
        let d = dir_with("[server]\nbnid = \"x\"\n");
        let env = vec![("FANGUAI_SERVER_COLOUR".to_string(), "red".to_string())];
        let c = Config::load_with_env(d.path(), env.into_iter()).unwrap();
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("fanguai.toml") && c.warnings[0].contains("server.bnid"));
        assert!(c.warnings[1].contains("FANGUAI_SERVER_COLOUR"));
    }

    #[test]
    fn wrong_types_name_file_and_key() {
        let d = dir_with("[security]\nlockout_threshold = \"many\"\n");
        let e = Config::load_with_env(d.path(), std::iter::empty())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("fanguai.toml") && e.contains("security.lockout_threshold"),
            "{e}"
        );
        let d = dir_with("[server]\nbind = \"everywhere\"\n");
        let e = Config::load_with_env(d.path(), std::iter::empty())
            .unwrap_err()
            .to_string();
        assert!(e.contains("server.bind"), "{e}");
    }

    #[test]
    fn secrets_from_files_and_redacted_debug() {
        let d = dir_with("");
        let f = d.path().join("url");
        std::fs::write(&f, "postgres://u:hunter2@h/db\n").unwrap();
        let env = vec![(
            "FANGUAI_DATABASE_URL_FILE".to_string(),
            f.display().to_string(),
        )];
        let c = Config::load_with_env(d.path(), env.into_iter()).unwrap();
        assert_eq!(c.database_url.expose(), "postgres://u:hunter2@h/db");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn relative_sqlite_paths_live_in_the_data_folder() {
        let d = dir_with("[database]\nurl = \"sqlite://x.db\"\n");
        let c = Config::load_with_env(d.path(), std::iter::empty()).unwrap();
        assert_eq!(c.sqlite_path().unwrap(), d.path().join("x.db"));
        let d = dir_with(&template());
        let c = Config::load_with_env(d.path(), std::iter::empty()).unwrap();
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.sqlite_path().unwrap(), d.path().join(SQLITE_FILE));
    }

    #[test]
    fn missing_folder_says_how_to_make_one() {
        let e = Config::load_with_env(Path::new("/nonexistent/fanguai"), std::iter::empty())
            .unwrap_err()
            .to_string();
        assert!(e.contains("fanguai init"), "{e}");
    }
}
