//! The `kinship` command tree, driven as the `fanguai` binary drives it: arguments parsed
//! by clap, output captured from the writer.

use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser};
use fanguai_kinship::cli::{CliError, KinshipCommand, run_with};
use fanguai_kinship::db::ProfileDb;
use fanguai_kinship::{FreqTable, LrParams, Profile, SampleCategory, lr};

#[derive(Debug, Parser)]
#[command(name = "kinship")]
struct Cli {
    #[command(subcommand)]
    command: KinshipCommand,
}

fn freqs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/str/east-asia-norstr-2023.txt")
}

fn table() -> FreqTable {
    FreqTable::load_norstr(&std::fs::read_to_string(freqs()).unwrap(), "east-asia-norstr-2023.txt").unwrap()
}

fn run(args: &[&str]) -> Result<String, CliError> {
    let mut argv = vec!["kinship"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    run_with(cli.command, &mut out)?;
    Ok(String::from_utf8(out).unwrap())
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// A scratch directory removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kinship-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const CHILD: &str = "D3S1358=15,16;vWA=14,17;TH01=9.3,9;FGA=22,24;D8S1179=12,13;D21S11=30,31.2;D18S51=13,15;AMEL=X,Y";
const FATHER: &str = "D3S1358=15,18;vWA=14,19;TH01=9,9;FGA=21,24;D8S1179=13,14;D21S11=29,30;D18S51=15,16;AMEL=X,Y";
const MOTHER: &str = "D3S1358=16,17;vWA=17,18;TH01=7,9.3;FGA=22,23;D8S1179=10,12;D21S11=31.2,32;D18S51=12,13;AMEL=X,X";

#[test]
fn lr_json_has_the_contract_fields_and_the_library_numbers() {
    let f = freqs();
    let v = json(&["lr", "--freqs", f.to_str().unwrap(), "--relation", "duo", "--child", CHILD, "--parent", FATHER, "--json"]);
    let child = Profile::parse_inline(CHILD, "child", SampleCategory::RescuedChild).unwrap();
    let father = Profile::parse_inline(FATHER, "parent", SampleCategory::ParentOfMissingChild).unwrap();
    let want = lr::duo(&child, &father, &table(), &LrParams::default());
    assert_eq!(v["cpi"].as_f64().unwrap(), want.cpi);
    assert_eq!(v["probability"].as_f64().unwrap(), want.probability);
    assert_eq!(v["inconsistent_loci"], 0);
    assert_eq!(v["conclusion"], serde_json::to_value(want.conclusion).unwrap());
    assert_eq!(v["table"], "east-asia-norstr-2023.txt");
    assert_eq!(v["params"]["theta"], 0.0);
    let loci = v["loci"].as_array().unwrap();
    assert_eq!(loci.len(), 7);
    for l in loci {
        assert!(l["locus"].is_string() && l["index"].is_number() && l["consistent"].is_boolean(), "{l}");
    }
}

#[test]
fn lr_trio_couple_and_parameters() {
    let f = freqs();
    let f = f.to_str().unwrap();
    let trio = json(&["lr", "--freqs", f, "--relation", "trio", "--child", CHILD, "--parent", FATHER, "--mother", MOTHER, "--json"]);
    let duo = json(&["lr", "--freqs", f, "--relation", "duo", "--child", CHILD, "--parent", FATHER, "--json"]);
    assert!(trio["cpi"].as_f64().unwrap() > duo["cpi"].as_f64().unwrap(), "the known mother sharpens the evidence");
    let couple = json(&["lr", "--freqs", f, "--relation", "couple", "--child", CHILD, "--parent", FATHER, "--mother", MOTHER, "--json"]);
    assert_eq!(couple["relation"], "couple");
    let theta = json(&[
        "lr", "--freqs", f, "--relation", "duo", "--child", CHILD, "--parent", FATHER, "--theta", "0.03", "--mutation-rate", "0.004", "--json",
    ]);
    assert_eq!(theta["params"]["theta"], 0.03);
    assert_eq!(theta["params"]["mutation_paternal"], 0.004);
    assert_ne!(theta["cpi"], duo["cpi"]);
    let sib = json(&["lr", "--freqs", f, "--relation", "fullsib", "--child", CHILD, "--relative", FATHER, "--json"]);
    assert_eq!(sib["relation"], "fullsib");
}

#[test]
fn lr_text_shows_loci_and_conclusion() {
    let f = freqs();
    let out = run(&["lr", "--freqs", f.to_str().unwrap(), "--relation", "duo", "--child", CHILD, "--parent", MOTHER]).unwrap();
    assert!(out.contains("D3S1358") && out.contains("vWA"), "{out}");
    assert!(out.contains("conclusion: "), "{out}");
    assert!(out.contains("Amelogenin") && out.contains("sex_marker"), "{out}");
    assert!(out.contains("combined index"), "{out}");
}

#[test]
fn lr_errors_name_the_flag_and_the_problem() {
    let f = freqs();
    let f = f.to_str().unwrap();
    let err = run(&["lr", "--freqs", f, "--relation", "trio", "--child", CHILD, "--parent", FATHER]).unwrap_err();
    assert!(err.to_string().contains("--mother"), "{err}");
    let err = run(&["lr", "--freqs", f, "--relation", "duo", "--child", "vWA=14,1q", "--parent", FATHER]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("--child") && text.contains("vWA"), "{text}");
    let err = run(&["lr", "--freqs", "/nonexistent/table.txt", "--relation", "duo", "--child", CHILD, "--parent", FATHER]).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/table.txt"), "{err}");
    let err = run(&["lr", "--freqs", f, "--relation", "duo", "--child", CHILD, "--parent", FATHER, "--theta", "0.7"]).unwrap_err();
    assert!(err.to_string().contains("theta"), "{err}");
    assert!(Cli::try_parse_from(["kinship", "lr", "--freqs", f, "--relation", "cousin", "--child", CHILD, "--parent", FATHER]).is_err());
}

/// A long CSV of profiles (the import format with a category column).
fn long_csv(profiles: &[(&str, &str, &str)]) -> String {
    let mut out = String::from("sample,locus,allele1,allele2,category\n");
    for (code, category, inline) in profiles {
        for entry in inline.split(';') {
            let (locus, alleles) = entry.split_once('=').unwrap();
            let mut a = alleles.split(',');
            let (a1, a2) = (a.next().unwrap(), a.next().unwrap_or(""));
            out.push_str(&format!("{code},{locus},{a1},{a2},{category}\n"));
        }
    }
    out
}

#[test]
fn import_search_and_crossmatch_through_a_database() {
    let dir = Scratch::new("flow");
    let mut people = vec![
        ("C-001", "rescued_child", CHILD),
        ("F-001", "parent_of_missing_child", FATHER),
        ("M-001", "parent_of_missing_child", MOTHER),
    ];
    let unrelated = [
        "D3S1358=14,17;vWA=16,18;TH01=6,7;FGA=20,25;D8S1179=10,11;D21S11=28,29;D18S51=14,17",
        "D3S1358=15,15;vWA=17,17;TH01=9,10;FGA=23,24;D8S1179=14,15;D21S11=30,30;D18S51=13,14",
        "D3S1358=16,18;vWA=14,16;TH01=8,9.3;FGA=19,22;D8S1179=12,16;D21S11=31,32.2;D18S51=15,19",
    ];
    let codes: Vec<String> = (0..unrelated.len()).map(|i| format!("U-{i:03}")).collect();
    for (code, genotypes) in codes.iter().zip(unrelated) {
        people.push((code, "parent_of_missing_child", genotypes));
    }
    let genotypes = dir.file("lab.csv", &long_csv(&people));
    let couples = dir.file("couples.csv", "couple,mother,father\nFAM-001,M-001,F-001\n");
    let db = dir.path("lab.db");
    let f = freqs();
    let out = run(&["import", &genotypes, &couples, "--db", &db, "--freqs", f.to_str().unwrap()]).unwrap();
    assert!(out.contains("6 profiles") && out.contains("1 couples added"), "{out}");
    let stored = ProfileDb::open(Path::new(&db)).unwrap();
    assert_eq!(stored.profiles.len(), 6);
    assert_eq!(stored.table.as_ref().unwrap().name, "east-asia-norstr-2023.txt");

    let v = json(&["search", "--db", &db, "--sample", "C-001", "--json"]);
    assert_eq!(v["kind"], "child");
    let cpis: Vec<f64> = v["parents"].as_array().unwrap().iter().map(|c| c["cpi"].as_f64().unwrap()).collect();
    assert!(cpis.windows(2).all(|w| w[0] >= w[1]), "ranked by combined index: {cpis:?}");
    let parents: Vec<&str> = v["parents"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert!(parents.contains(&"F-001") && parents.contains(&"M-001"), "{parents:?}");
    assert_eq!(v["couples"][0]["code"], "FAM-001");
    assert_eq!(v["couples"][0]["members"], serde_json::json!(["M-001", "F-001"]));
    assert_eq!(v["couples"][0]["rank"], 1);
    assert_eq!(v["table"], "east-asia-norstr-2023.txt");
    let text = run(&["search", "--db", &db, "--sample", "FAM-001", "--top", "1"]).unwrap();
    assert!(text.contains("children:") && text.contains("C-001"), "{text}");

    let v = json(&["crossmatch", "--db", &db, "--min-cpi", "1000", "--json"]);
    let pairs = v["pairs"].as_array().unwrap();
    assert!(pairs.iter().any(|p| p["child"] == "C-001" && p["candidate"] == "FAM-001"), "{v}");
    assert!(pairs.iter().all(|p| p["cpi"].as_f64().unwrap() >= 1000.0));
    assert_eq!(v["children"], 1);
    let text = run(&["crossmatch", "--db", &db]).unwrap();
    assert!(text.starts_with("crossmatch: 1 children"), "{text}");

    let err = run(&["search", "--db", &db, "--sample", "nobody"]).unwrap_err();
    assert!(err.to_string().contains("nobody"), "{err}");
}

#[test]
fn a_failed_import_leaves_the_database_as_it_was() {
    let dir = Scratch::new("atomic");
    let first = dir.file("first.csv", &long_csv(&[("C-001", "rescued_child", CHILD)]));
    let db = dir.path("lab.db");
    run(&["import", &first, "--db", &db]).unwrap();
    let before = std::fs::read(&db).unwrap();
    // A good file and a conflicting one: nothing of either is stored.
    let good = dir.file("good.csv", &long_csv(&[("F-001", "parent_of_missing_child", FATHER)]));
    let clash = dir.file("clash.csv", &long_csv(&[("C-001", "rescued_child", MOTHER)]));
    let err = run(&["import", &good, &clash, "--db", &db]).unwrap_err();
    assert!(err.to_string().contains("C-001"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // A file with a bad line: nothing stored either, and the line is named.
    let bad = dir.file("bad.csv", "sample,locus,allele1,allele2,category\nX-1,vWA,14,zz,rescued_child\n");
    let err = run(&["import", &good, &bad, "--db", &db]).unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // Without --db the files are checked and nothing is written.
    let out = run(&["import", &good]).unwrap();
    assert!(out.contains("nothing written"), "{out}");
    let names: Vec<_> = std::fs::read_dir(&dir.0).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.iter().all(|n| !n.to_string_lossy().contains(".tmp")), "{names:?}");
}

#[test]
fn simulate_and_bench_print_their_figures() {
    let f = freqs();
    let out = run(&["simulate", "--freqs", f.to_str().unwrap(), "--families", "4", "--unrelated", "300", "--seed", "2"]).unwrap();
    assert!(out.contains("duo (father alone): rank-1") && out.contains("trio (couple): rank-1"), "{out}");
    assert!(out.contains("NIST"), "{out}");
    let v = json(&["simulate", "--freqs", f.to_str().unwrap(), "--families", "3", "--unrelated", "50", "--loci", "TH01,vWA,FGA", "--json"]);
    assert_eq!(v["loci"], serde_json::json!(["TH01", "vWA", "FGA"]));
    assert_eq!(v["trio"]["searches"], 3);

    let out = run(&["bench", "--profiles", "3000", "--queries", "5", "--bandwidth-mib", "8", "--crossmatch-children", "20"]).unwrap();
    for field in ["bytes/profile", "profiles compared per second per core", "ms/query", "bandwidth_ratio", "crossmatch: 20 children x 3000 parents"] {
        assert!(out.contains(field), "{field} missing from {out}");
    }
    let v = json(&["bench", "--profiles", "2000", "--loci", "16", "--queries", "3", "--bandwidth-mib", "8", "--json"]);
    assert_eq!(v["loci"], 16);
    let bytes = v["bytes_per_profile"].as_f64().unwrap();
    assert!((32.0..34.0).contains(&bytes), "16 loci cost two bytes each, plus block padding: {bytes}");
    assert!(v["bandwidth_ratio"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_command_tree_is_well_formed() {
    Cli::command().debug_assert();
    let help = Cli::command().render_long_help().to_string();
    for sub in ["lr", "import", "search", "crossmatch", "simulate", "bench"] {
        assert!(help.contains(sub), "{sub} missing from {help}");
    }
}
