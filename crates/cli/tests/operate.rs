//! The operator's commands, run as the real binary on a fresh data folder.

use std::path::Path;
use std::process::{Command, Output};

fn fanguai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fanguai"))
        .args(args)
        .env_remove("FANGUAI_DATA")
        .env_remove("FANGUAI_DATABASE_URL")
        .output()
        .expect("running fanguai")
}

fn ok(args: &[&str]) -> String {
    let out = fanguai(args);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "fanguai {args:?} failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn init(dir: &Path) -> String {
    ok(&["init", "--data", dir.to_str().unwrap()])
}

#[test]
fn init_makes_config_database_keys_and_a_first_admin() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = init(&dir);
    assert!(out.contains("first admin: admin"), "{out}");
    assert!(out.contains("one-time password"), "{out}");
    assert!(dir.join("fanguai.toml").is_file());
    assert!(dir.join("fanguai.db").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = std::fs::read_dir(dir.join("keys"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("master-")
            })
            .expect("a master key file");
        assert_eq!(
            std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // A second init refuses to overwrite the installation.
    let again = fanguai(&["init", "--data", dir.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("refusing to overwrite"));
}

#[test]
fn users_audit_backup_restore_and_rotation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let d = dir.to_str().unwrap();
    let out = ok(&[
        "user",
        "add",
        "--data",
        d,
        "--username",
        "li.si",
        "--name",
        "李四",
        "--unit",
        "psb",
        "--role",
        "investigator",
    ]);
    assert!(
        out.contains("created li.si") && out.contains("one-time password"),
        "{out}"
    );
    // Bad input names the flag and writes nothing.
    let bad = fanguai(&[
        "user",
        "add",
        "--data",
        d,
        "--username",
        "x",
        "--name",
        "某",
        "--unit",
        "psb",
        "--role",
        "investigator",
    ]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--username"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let bad = fanguai(&[
        "user",
        "add",
        "--data",
        d,
        "--username",
        "wang.wu",
        "--name",
        "王五",
        "--unit",
        "nowhere",
        "--role",
        "office",
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--unit"));
    ok(&["user", "reset-password", "--data", d, "li.si"]);
    ok(&["user", "reset-2fa", "--data", d, "li.si"]);
    ok(&["user", "disable", "--data", d, "li.si"]);
    let list = ok(&["user", "list", "--data", d]);
    assert!(
        list.contains("li.si") && list.contains("disabled"),
        "{list}"
    );
    assert!(
        !list.contains("李四") || list.contains("李四"),
        "names may be listed to the operator"
    );

    let v = ok(&["audit", "verify", "--data", d]);
    assert!(v.contains("intact"), "{v}");

    let rot = ok(&["keys", "rotate", "--data", d]);
    assert!(rot.contains("0 still under older keys"), "{rot}");
    ok(&["user", "list", "--data", d]);

    let backup = tmp.path().join("backup.db");
    ok(&["backup", "--data", d, "--out", backup.to_str().unwrap()]);
    assert!(backup.is_file());
    // Changes after the backup disappear on restore.
    ok(&[
        "user",
        "add",
        "--data",
        d,
        "--username",
        "zhao.liu",
        "--name",
        "赵六",
        "--unit",
        "health",
        "--role",
        "caseworker",
    ]);
    ok(&["restore", "--data", d, "--from", backup.to_str().unwrap()]);
    let list = ok(&["user", "list", "--data", d]);
    assert!(!list.contains("zhao.liu"), "{list}");
    assert!(ok(&["audit", "verify", "--data", d]).contains("intact"));
}

#[test]
fn audit_verify_names_the_first_broken_event() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let d = dir.to_str().unwrap();
    // Tamper with the database behind the application's back.
    let db = dir.join("fanguai.db");
    let status = Command::new("python3")
        .args(["-c", &format!(
            "import sqlite3; c=sqlite3.connect('{}'); c.execute(\"UPDATE audit_events SET detail='nothing' WHERE seq=2\"); c.commit()",
            db.display()
        )])
        .status();
    if !status.map(|s| s.success()).unwrap_or(false) {
        // Without python3, edit through the product's own store.
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = fanguai_store::Store::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            let mut c = store.conn().await.unwrap();
            fanguai_store::sqlx::query("UPDATE audit_events SET detail='nothing' WHERE seq=2")
                .execute(&mut *c)
                .await
                .unwrap();
        });
    }
    let out = fanguai(&["audit", "verify", "--data", d]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN at event 2"), "{text}");
}

#[test]
fn clear_errors_for_missing_folder_key_and_bad_config() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nothing-here");
    let out = fanguai(&["migrate", "--data", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fanguai init"));

    let dir = tmp.path().join("data");
    init(&dir);
    let d = dir.to_str().unwrap();
    std::fs::write(
        dir.join("fanguai.toml"),
        "[security]\nlockout_threshold = \"many\"\n",
    )
    .unwrap();
    let out = fanguai(&["user", "list", "--data", d]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("fanguai.toml")
            && err.contains("security.lockout_threshold"),
        "{err}"
    );

    std::fs::write(dir.join("fanguai.toml"), "[server]\ncolour = \"red\"\n").unwrap();
    let out = fanguai(&["user", "list", "--data", d]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown key `server.colour`"));

    for f in std::fs::read_dir(dir.join("keys")).unwrap() {
        let p = f.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("master-")
        {
            std::fs::remove_file(p).unwrap();
        }
    }
    let out = fanguai(&["user", "list", "--data", d]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("master key") && err.contains("missing"),
        "{err}"
    );

    std::fs::write(
        dir.join("fanguai.toml"),
        "[database]\nurl = \"postgres://nobody@127.0.0.1:1/none\"\n",
    )
    .unwrap();
    let out = fanguai(&["migrate", "--data", d]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("127.0.0.1:1"),
        "{err}"
    );
}

#[test]
fn healthcheck_fails_when_nothing_listens() {
    let out = fanguai(&["healthcheck", "--url", "http://127.0.0.1:1/healthz"]);
    assert_eq!(out.status.code(), Some(1));
}

/// The same commands against PostgreSQL, when the tests have one.
#[test]
fn init_users_and_audit_on_postgresql() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = rt.block_on(fanguai_store::testing::TestDb::postgres_unmigrated_from_env()) else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL run skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let out = ok(&["init", "--data", d, "--database-url", db.url()]);
    assert!(out.contains("first admin"), "{out}");
    assert!(!dir.join("fanguai.db").exists(), "no SQLite file when the database is PostgreSQL");
    ok(&["user", "add", "--data", d, "--username", "li.si", "--name", "李四", "--unit", "psb", "--role", "investigator"]);
    assert!(ok(&["migrate", "--data", d]).contains("schema is current"));
    assert!(ok(&["audit", "verify", "--data", d]).contains("intact"));
    assert!(ok(&["keys", "rotate", "--data", d]).contains("0 still under older keys"));
    assert!(ok(&["user", "list", "--data", d]).contains("li.si"));
    if Command::new("pg_dump").arg("--version").output().is_ok() {
        let dump = tmp.path().join("fanguai.dump");
        ok(&["backup", "--data", d, "--out", dump.to_str().unwrap()]);
        ok(&["user", "add", "--data", d, "--username", "zhao.liu", "--name", "赵六", "--unit", "health", "--role", "caseworker"]);
        ok(&["restore", "--data", d, "--from", dump.to_str().unwrap()]);
        let list = ok(&["user", "list", "--data", d]);
        assert!(list.contains("li.si") && !list.contains("zhao.liu"), "{list}");
        assert!(ok(&["audit", "verify", "--data", d]).contains("intact"));
    } else {
        eprintln!("pg_dump not installed: PostgreSQL backup not exercised");
    }
    drop(rt);
}
