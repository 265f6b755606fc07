//! Import of lab exports: both formats, and every bad line reported.

use fanguai_kinship::import::{ImportOptions, import, import_genemapper, import_long_csv};
use fanguai_kinship::{Allele, Genotype, SampleCategory};

fn a(s: &str) -> Allele {
    s.parse().unwrap()
}

fn rescued() -> ImportOptions {
    ImportOptions::new(SampleCategory::RescuedChild)
}

const GENEMAPPER_TAB: &str = "\
Sample Name\tPanel\tMarker\tDye\tAllele 1\tAllele 2\tAllele 3\tSize 1\tHeight 1
GT37019\tGoldeneye20A\tD3S1358\tB\t16\t\t\t120.5\t1034
GT37019\tGoldeneye20A\tvWA\tB\t17\t19\t\t160.2\t988
GT37019\tGoldeneye20A\tTHO1\tG\t9.3\tOL\t\t
GT37019\tGoldeneye20A\tAMEL\tB\tX\tY\t\t
GT37019\tGoldeneye20A\tFGA\tB\t\t\t\t
GT37020\tGoldeneye20A\tD3S1358\tB\t15\t15\t\t
GT37020\tGoldeneye20A\tPenta_D\tY\t2.2\t11\t\t
";

#[test]
fn reads_a_genemapper_tab_export() {
    let profiles = import(GENEMAPPER_TAB, &rescued()).unwrap();
    assert_eq!(profiles.len(), 2);
    let p = &profiles[0];
    assert_eq!(p.code, "GT37019");
    assert_eq!(p.category, SampleCategory::RescuedChild);
    assert_eq!(p.loci["D3S1358"], Genotype::Single(a("16")));
    assert_eq!(p.loci["vWA"], Genotype::Two(a("17"), a("19")));
    assert_eq!(p.loci["TH01"], Genotype::Two(a("9.3"), Allele::OFF_LADDER));
    assert_eq!(p.loci["Amelogenin"], Genotype::Two(Allele::X, Allele::Y));
    assert!(!p.loci.contains_key("FGA"), "a marker without alleles did not type");
    let q = &profiles[1];
    assert_eq!(q.loci["D3S1358"], Genotype::Two(a("15"), a("15")));
    assert_eq!(q.loci["Penta D"], Genotype::Two(a("2.2"), a("11")));
}

#[test]
fn reads_a_genemarker_comma_export_with_quotes_and_controls() {
    let text = "\
\"Sample Name\",\"Sample Type\",\"Marker\",\"Allele 1\",\"Allele 2\"
\"Ladder\",\"Allelic Ladder\",\"vWA\",\"11\",\"12\"
\"S-1\",\"Sample\",\"vWA\",\"14\",\"16\"
\"S-1\",\"Sample\",\"D21S11\",\"30.2\",\"\"
\"PC\",\"Positive Control\",\"vWA\",\"17\",\"18\"
";
    let profiles = import_genemapper(text, &rescued()).unwrap();
    assert_eq!(profiles.len(), 1);
    assert_eq!(profiles[0].code, "S-1");
    assert_eq!(profiles[0].loci["D21S11"], Genotype::Single(a("30.2")));
}

#[test]
fn every_bad_genemapper_line_is_reported_and_nothing_imported() {
    let text = "\
Sample Name\tMarker\tAllele 1\tAllele 2\tAllele 3
S1\tvWA\t14\t16\t17
S1\tD3S1358\t15\t1x
\tTH01\t6\t7
S1\tvWA\t14\t15
S1\tD3=1\t14
S2\tFGA\t20\t21\t\textra
S3\tTPOX\t8
S3\tTPOX\t8\t11
";
    let errors = import(text, &rescued()).unwrap_err();
    let lines: Vec<usize> = errors.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 3, 4, 6, 7, 9], "{errors}");
    let text = errors.to_string();
    assert!(text.contains("line 2: 3 alleles (14, 16, 17) for S1 at vWA: a mixture"), "{text}");
    assert!(text.contains("line 3: allele 2: allele \"1x\""), "{text}");
    assert!(text.contains("line 4: empty sample name"), "{text}");
    assert!(text.contains("line 9: sample S3 has TPOX twice (first on line 8)"), "{text}");
}

#[test]
fn header_problems() {
    let e = import_genemapper("Name\tMarker\tAllele 1\n", &rescued()).unwrap_err();
    assert_eq!(e.errors[0].line, 1);
    assert!(e.errors[0].reason.contains("Sample Name"));
    let e = import_genemapper("\n# exported\nSample Name\tMarker\tHeight 1\n", &rescued()).unwrap_err();
    assert_eq!(e.errors[0].line, 3);
    assert!(import("", &rescued()).is_err());
}

#[test]
fn reads_the_long_csv_with_header() {
    let text = "\
sample,locus,allele1,allele2,category,kit
C-0001,D3S1358,15,16,rescued_child,Goldeneye 20A
C-0001,TH01,9.3,,rescued_child,Goldeneye 20A
F-0001,D3S1358,16,17,parent_of_missing_child,
";
    let profiles = import(text, &ImportOptions::new(SampleCategory::Reference)).unwrap();
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[0].kit.as_deref(), Some("Goldeneye 20A"));
    assert_eq!(profiles[0].loci["TH01"], Genotype::Single(a("9.3")));
    assert_eq!(profiles[1].category, SampleCategory::ParentOfMissingChild);
    assert_eq!(profiles[1].kit, None);
}

#[test]
fn reads_the_long_csv_without_header() {
    let options = ImportOptions { category: SampleCategory::StreetChild, kit: Some("PP21".into()) };
    let profiles = import_long_csv("X1,vwa,14,17\nX1,penta e,5,\n", &options).unwrap();
    assert_eq!(profiles[0].category, SampleCategory::StreetChild);
    assert_eq!(profiles[0].kit.as_deref(), Some("PP21"));
    assert_eq!(profiles[0].loci["Penta E"], Genotype::Single(a("5")));
}

#[test]
fn long_csv_errors() {
    let text = "\
sample,locus,allele1,allele2,category
A,vWA,14,16,rescued_child
A,TH01,6,7,parent
B,vWA,14
B,TH01,6,7,aunt
";
    let errors = import(text, &rescued()).unwrap_err();
    let lines: Vec<usize> = errors.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5], "{errors}");
    assert!(errors.errors[0].reason.contains("sample A is parent_of_missing_child here but rescued_child on line 2"));
    let e = import("sample,locus,allele1,allele2,colour\n", &rescued()).unwrap_err();
    assert!(e.errors[0].reason.contains("unknown column \"colour\""));
}

#[test]
fn a_sample_without_any_typed_locus_is_an_error() {
    let text = "Sample Name\tMarker\tAllele 1\nS1\tvWA\t\nS2\tvWA\t14\n";
    let e = import(text, &rescued()).unwrap_err();
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].line, 2);
    assert!(e.errors[0].reason.contains("no typed locus"));
}
