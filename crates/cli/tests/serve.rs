//! `fanguai demo` and `fanguai serve` start, answer their health check, and stop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Kills the server when the test ends, also on panic.
struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Polls `fanguai healthcheck` until the server answers; never sleeps blindly for long.
fn wait_healthy(port: u16) {
    let start = Instant::now();
    loop {
        let out = Command::new(env!("CARGO_BIN_EXE_fanguai"))
            .args([
                "healthcheck",
                "--url",
                &format!("http://127.0.0.1:{port}/healthz"),
            ])
            .output()
            .unwrap();
        if out.status.success() {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "server on {port} never became healthy"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn demo_prints_logins_for_every_role_and_serves() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fanguai"))
        .args(["demo", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let mut table = String::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        table.push_str(&line);
        table.push('\n');
        if line.starts_with("open http://") {
            break;
        }
    }
    for role in [
        "admin",
        "convenor",
        "office",
        "investigator",
        "supervisor",
        "lab",
        "caseworker",
        "liaison",
        "auditor",
    ] {
        assert!(
            table
                .lines()
                .any(|l| l.split_whitespace().nth(2) == Some(role)),
            "no {role} login in:\n{table}"
        );
    }
    // 24 member units, one liaison each.
    assert_eq!(
        table.lines().filter(|l| l.starts_with("liaison.")).count(),
        24,
        "{table}"
    );
    assert!(table.contains("Demo-Password-2009"));
    wait_healthy(port);
}

#[test]
fn serve_runs_an_initialised_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_fanguai"))
        .args(["init", "--data", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_fanguai"))
        .args([
            "serve",
            "--data",
            dir.to_str().unwrap(),
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Server(child);
    wait_healthy(port);
    // Restoring while a server answers is refused.
    let backup = tmp.path().join("b.db");
    let out = Command::new(env!("CARGO_BIN_EXE_fanguai"))
        .args([
            "backup",
            "--data",
            dir.to_str().unwrap(),
            "--out",
            backup.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(
        dir.join("fanguai.toml"),
        format!("[server]\nbind = \"127.0.0.1:{port}\"\n"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fanguai"))
        .args([
            "restore",
            "--data",
            dir.to_str().unwrap(),
            "--from",
            backup.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop it before restoring"));
}
