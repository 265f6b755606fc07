//! No personal field ever reaches the SQLite file or its write-ahead log in plaintext.

mod common;
use common::*;
use fanguai_service::NewUser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_and_wal_hold_no_personal_field() {
    let db = fanguai_store::testing::TestDb::sqlite().await;
    let path = db
        .sqlite_dir()
        .expect("a SQLite test database has a folder")
        .join("fanguai.db");
    let t = TestApp::on(db).await;
    let name = "欧阳明月测试姓名";
    let phone = "13912345678";
    let (v, _) = t
        .app
        .operator(ctx())
        .add(
            &NewUser {
                username: "ouyang".into(),
                display_name: name.into(),
                phone: Some(phone.into()),
                unit_id: "womens-federation".into(),
                roles: vec!["caseworker".into()],
            },
            Some(PASSWORD),
        )
        .await
        .unwrap();
    let (_, secret) = t.sign_in("ouyang").await;
    let secret_b32 = secret.unwrap().to_base32().expose().to_string();
    // The data is readable through the service…
    assert_eq!(t.session("ouyang").await.actor().display_name, name);
    let _ = v;
    // …and in no file of the database.
    let mut files = vec![path.clone()];
    for ext in ["db-wal", "db-shm"] {
        let p = path.with_extension(ext);
        if p.exists() {
            files.push(p);
        }
    }
    assert!(
        files.len() >= 2,
        "WAL mode leaves a -wal file while connections are open: {files:?}"
    );
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for needle in [
            name.as_bytes(),
            phone.as_bytes(),
            "139****5678".as_bytes(),
            secret_b32.as_bytes(),
            PASSWORD.as_bytes(),
        ] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} contains {:?} in plaintext",
                f.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
    // The username is not personal data: finding it proves the scan reads the files.
    let all: Vec<u8> = files
        .iter()
        .flat_map(|f| std::fs::read(f).unwrap())
        .collect();
    assert!(all.windows(6).any(|w| w == b"ouyang"));
}
