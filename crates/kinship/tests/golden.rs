//! Kinship indices against published formulas and hand-derived closed forms.
//!
//! Frequencies are chosen so that every allele is distinct: at D8S1179
//! p = f(12) = 0.15, q = f(13) = 0.2, r = f(14) = 0.25, s = f(16) = 0.1.
//! Every comparison is to 1e-12 relative.

use fanguai_kinship::lr::{self, LrParams, Relation};
use fanguai_kinship::{Conclusion, FreqTable, Profile, SampleCategory};

const TABLE: &str = "\
locus,allele,frequency
D8S1179,10,0.1
D8S1179,11,0.05
D8S1179,12,0.15
D8S1179,13,0.2
D8S1179,14,0.25
D8S1179,15,0.15
D8S1179,16,0.1
TH01,6,0.1
TH01,7,0.25
TH01,9,0.35
TH01,9.3,0.2
TH01,10,0.1
";

const P: f64 = 0.15;
const Q: f64 = 0.2;
const R: f64 = 0.25;
const S: f64 = 0.1;

fn table() -> FreqTable {
    FreqTable::load_csv(TABLE, "golden").unwrap()
}

fn person(code: &str, inline: &str) -> Profile {
    Profile::parse_inline(inline, code, SampleCategory::Reference).unwrap()
}

fn d8(code: &str, genotype: &str) -> Profile {
    person(code, &format!("D8S1179={genotype}"))
}

#[track_caller]
fn close(got: f64, want: f64) {
    let rel = ((got - want) / want).abs();
    assert!(rel < 1e-12, "got {got:e}, want {want:e} (relative error {rel:e})");
}

fn theta(t: f64) -> LrParams {
    LrParams { theta: t, ..LrParams::default() }
}

fn duo(child: &str, parent: &str, params: &LrParams) -> f64 {
    let r = lr::duo(&d8("C", child), &d8("AF", parent), &table(), params);
    assert_eq!(r.shared_loci, 1);
    r.cpi
}

fn trio(child: &str, alleged: &str, mother: &str, params: &LrParams) -> f64 {
    lr::trio(&d8("C", child), &d8("AF", alleged), &d8("M", mother), &table(), params).cpi
}

// ---------------------------------------------------------------------------------------
// Brenner's duo table (θ = 0), every row, including the mirrored ones.
// ---------------------------------------------------------------------------------------

#[test]
fn brenner_duo_table() {
    let p0 = LrParams::default();
    // C = qq, AF = qq → 1/q
    close(duo("13,13", "13,13", &p0), 1.0 / Q);
    // C = qq, AF = qr → 1/(2q)
    close(duo("13,13", "13,14", &p0), 1.0 / (2.0 * Q));
    // C = pq, AF = qq → 1/(2q)
    close(duo("12,13", "13,13", &p0), 1.0 / (2.0 * Q));
    // C = pq, AF = pp → 1/(2p)
    close(duo("12,13", "12,12", &p0), 1.0 / (2.0 * P));
    // C = pq, AF = qr → 1/(4q)
    close(duo("12,13", "13,14", &p0), 1.0 / (4.0 * Q));
    // C = pq, AF = pr → 1/(4p)
    close(duo("12,13", "12,14", &p0), 1.0 / (4.0 * P));
    // C = pr, AF = rs → 1/(4r)
    close(duo("12,14", "14,16", &p0), 1.0 / (4.0 * R));
    // C = pq, AF = pq → (p+q)/(4pq)
    close(duo("12,13", "12,13", &p0), (P + Q) / (4.0 * P * Q));
}

#[test]
fn duo_is_symmetric_in_allele_order() {
    let p0 = LrParams::default();
    close(duo("13,12", "14,13", &p0), 1.0 / (4.0 * Q));
}

#[test]
fn single_peak_is_homozygous_by_default() {
    // C = 13 (one peak) reads as 13,13: AF = qr → 1/(2q)
    close(duo("13", "13,14", &LrParams::default()), 1.0 / (2.0 * Q));
}

// ---------------------------------------------------------------------------------------
// Trio with the mother known (θ = 0): the obligate paternal allele.
// ---------------------------------------------------------------------------------------

#[test]
fn trio_obligate_allele() {
    let p0 = LrParams::default();
    // C = pq, M = pp: the father gave q. AF = qq → 1/q; AF = qr → 1/(2q).
    close(trio("12,13", "13,13", "12,12", &p0), 1.0 / Q);
    close(trio("12,13", "13,14", "12,12", &p0), 1.0 / (2.0 * Q));
    // C = pq, M = pr: q is obligate. AF = qs → 1/(2q)
    close(trio("12,13", "13,16", "12,14", &p0), 1.0 / (2.0 * Q));
    // C = qq, M = qr: q is obligate. AF = qr → 1/(2q)
    close(trio("13,13", "13,14", "13,14", &p0), 1.0 / (2.0 * Q));
}

#[test]
fn trio_child_and_mother_alike() {
    // C = M = pq: either allele may be paternal. By hand, H1 = Σ over the two ways of
    // splitting the child of P(AF gives x)·P(M gives y); H2 = Σ P(x)·P(M gives y) =
    // ½p + ½q.
    let p0 = LrParams::default();
    // AF = pr carries one of them: H1 = ½·½ = ¼ → PI = ¼ / (½(p+q)) = 1/(2(p+q))
    close(trio("12,13", "12,14", "12,13", &p0), 1.0 / (2.0 * (P + Q)));
    // AF = pq carries both: H1 = ½·½ + ½·½ = ½ → 1/(p+q)
    close(trio("12,13", "12,13", "12,13", &p0), 1.0 / (P + Q));
    // AF = pp, homozygous for one: H1 = 1·½ = ½ → 1/(p+q)
    close(trio("12,13", "12,12", "12,13", &p0), 1.0 / (P + Q));
}

#[test]
fn trio_worked_example_over_two_loci() {
    // D8S1179: C = 12,13, M = 12,14, AF = 13,16 → 1/(2q) = 2.5
    // TH01:    C = 9.3,7, M = 9.3,9.3, AF = 7,7   → 1/f(7) = 1/0.25 = 4
    // CPI = 10, W = 10/11
    let t = table();
    let c = person("C", "D8S1179=12,13;TH01=7,9.3");
    let m = person("M", "D8S1179=12,14;TH01=9.3,9.3");
    let af = person("AF", "D8S1179=13,16;TH01=7,7");
    let r = lr::trio(&c, &af, &m, &t, &LrParams::default());
    assert_eq!(r.shared_loci, 2);
    close(r.loci[0].index, 2.5);
    close(r.loci[1].index, 4.0);
    close(r.cpi, 10.0);
    close(r.probability, 10.0 / 11.0);
    assert_eq!(r.inconsistent_loci, 0);
    assert_eq!(r.conclusion, Conclusion::Inconclusive);
    assert_eq!(r.table, "golden");
}

// ---------------------------------------------------------------------------------------
// θ: the sampling formula P(a | n_a of n) = (n_a θ + (1 − θ) p_a) / (1 + (n − 1) θ),
// conditioning the child's alleles on the alleles of the typed parent(s).
// ---------------------------------------------------------------------------------------

const T: f64 = 0.03;

/// (n_a θ + (1 − θ) p) / (1 + (n − 1) θ)
fn draw(p: f64, na: f64, n: f64) -> f64 {
    (na * T + (1.0 - T) * p) / (1.0 + (n - 1.0) * T)
}

#[test]
fn theta_duo_closed_forms() {
    let pt = theta(T);
    // C = qq, AF = qq. H1 = 1 · P(q | qq) = (2θ + (1−θ)q)/(1+θ).
    // H2 = P(q | qq) · P(q | qqq) = (2θ+(1−θ)q)/(1+θ) · (3θ+(1−θ)q)/(1+2θ).
    // PI = (1 + 2θ) / (3θ + (1 − θ) q).
    close(duo("13,13", "13,13", &pt), (1.0 + 2.0 * T) / (3.0 * T + (1.0 - T) * Q));
    // C = qq, AF = qr. H1 = ½ · P(q | qr) = ½ (θ + (1−θ)q)/(1+θ).
    // H2 = P(q | qr) · P(q | qrq) = (θ+(1−θ)q)/(1+θ) · (2θ+(1−θ)q)/(1+2θ).
    // PI = (1 + 2θ) / (2 (2θ + (1 − θ) q)).
    close(duo("13,13", "13,14", &pt), (1.0 + 2.0 * T) / (2.0 * (2.0 * T + (1.0 - T) * Q)));
    // C = pq, AF = qq. H1 = 1 · P(p | qq) = (1−θ)p/(1+θ).
    // H2 = 2 P(p | qq) P(q | qqp) = 2 (1−θ)p/(1+θ) · (2θ+(1−θ)q)/(1+2θ).
    // PI = (1 + 2θ) / (2 (2θ + (1 − θ) q)).
    close(duo("12,13", "13,13", &pt), (1.0 + 2.0 * T) / (2.0 * (2.0 * T + (1.0 - T) * Q)));
    // C = pq, AF = qr. H1 = ½ P(p | qr) = ½ (1−θ)p/(1+θ).
    // H2 = 2 P(p | qr) P(q | qrp) = 2 (1−θ)p/(1+θ) · (θ+(1−θ)q)/(1+2θ).
    // PI = (1 + 2θ) / (4 (θ + (1 − θ) q))   — NRC II's paternity formula for this case.
    close(duo("12,13", "13,14", &pt), (1.0 + 2.0 * T) / (4.0 * (T + (1.0 - T) * Q)));
    // C = pq, AF = pq. H1 = ½ P(q | pq) + ½ P(p | pq) = ½ (2θ + (1−θ)(p+q))/(1+θ).
    // H2 = 2 P(p | pq) P(q | pqp) = 2 (θ+(1−θ)p)/(1+θ) · (θ+(1−θ)q)/(1+2θ).
    // PI = (1+2θ)(2θ + (1−θ)(p+q)) / (4 (θ+(1−θ)p)(θ+(1−θ)q)).
    let want = (1.0 + 2.0 * T) * (2.0 * T + (1.0 - T) * (P + Q))
        / (4.0 * (T + (1.0 - T) * P) * (T + (1.0 - T) * Q));
    close(duo("12,13", "12,13", &pt), want);
}

#[test]
fn theta_duo_matches_the_sampling_formula_step_by_step() {
    // The same C = pq, AF = qr case written with draw(): guards the closed form above.
    let h1 = 0.5 * draw(P, 0.0, 2.0);
    let h2 = 2.0 * draw(P, 0.0, 2.0) * draw(Q, 1.0, 3.0);
    close(duo("12,13", "13,14", &theta(T)), h1 / h2);
}

#[test]
fn theta_trio_closed_forms() {
    let pt = theta(T);
    // C = pq, M = pp, AF = qr. H1 = ½ (AF gives q) · 1 (M gives p).
    // H2 = P(q | pp qr) · 1 = (θ + (1−θ)q)/(1+3θ).
    // PI = (1 + 3θ) / (2 (θ + (1 − θ) q)).
    close(trio("12,13", "13,14", "12,12", &pt), (1.0 + 3.0 * T) / (2.0 * (T + (1.0 - T) * Q)));
    // C = pq, M = pp, AF = qq. H1 = 1. H2 = P(q | pp qq) = (2θ + (1−θ)q)/(1+3θ).
    close(trio("12,13", "13,13", "12,12", &pt), (1.0 + 3.0 * T) / (2.0 * T + (1.0 - T) * Q));
    // C = M = pq, AF = pr. H1 = ¼. H2 = ½ P(p | pq pr) + ½ P(q | pq pr)
    //   = ½ (2θ + (1−θ)p + θ + (1−θ)q)/(1+3θ).
    // PI = (1 + 3θ) / (2 (3θ + (1 − θ)(p + q))).
    close(trio("12,13", "12,14", "12,13", &pt), (1.0 + 3.0 * T) / (2.0 * (3.0 * T + (1.0 - T) * (P + Q))));
}

#[test]
fn theta_zero_is_the_plain_formula() {
    close(duo("12,13", "13,14", &theta(0.0)), 1.0 / (4.0 * Q));
    close(trio("12,13", "13,14", "12,12", &theta(0.0)), 1.0 / (2.0 * Q));
}

// ---------------------------------------------------------------------------------------
// Couple: LR = P(C | AM, AF) / P(C).
// ---------------------------------------------------------------------------------------

fn couple(child: &str, mother: &str, father: &str, params: &LrParams) -> f64 {
    lr::couple(&d8("C", child), &d8("AM", mother), &d8("AF", father), &table(), params).cpi
}

#[test]
fn couple_closed_forms() {
    let p0 = LrParams::default();
    // C = pq, AM = pp, AF = qq: H1 = 1, H2 = 2pq
    close(couple("12,13", "12,12", "13,13", &p0), 1.0 / (2.0 * P * Q));
    // C = pp, AM = pq, AF = pr: H1 = ½·½, H2 = p²
    close(couple("12,12", "12,13", "12,14", &p0), 1.0 / (4.0 * P * P));
    // C = pq, AM = AF = pq: H1 = ½·½ + ½·½ = ½, H2 = 2pq
    close(couple("12,13", "12,13", "12,13", &p0), 1.0 / (4.0 * P * Q));
    // θ: C = pq, AM = pp, AF = qq. H2 = 2 P(p | ppqq) P(q | ppqqp)
    //   = 2 (2θ+(1−θ)p)/(1+3θ) · (2θ+(1−θ)q)/(1+4θ).
    let want = (1.0 + 3.0 * T) * (1.0 + 4.0 * T) / (2.0 * (2.0 * T + (1.0 - T) * P) * (2.0 * T + (1.0 - T) * Q));
    close(couple("12,13", "12,12", "13,13", &theta(T)), want);
}

// ---------------------------------------------------------------------------------------
// Siblings: LR = k0 + k1 P(G2|G1, IBD1)/P(G2) + k2 P(G2|G1, IBD2)/P(G2).
// ---------------------------------------------------------------------------------------

fn sib(relation: Relation, a: &str, b: &str, params: &LrParams) -> f64 {
    let (a, b, t) = (d8("A", a), d8("B", b), table());
    match relation {
        Relation::FullSib => lr::full_sib(&a, &b, &t, params).cpi,
        Relation::HalfSib => lr::half_sib(&a, &b, &t, params).cpi,
        _ => unreachable!(),
    }
}

#[test]
fn sibling_closed_forms() {
    let p0 = LrParams::default();
    // Full sibs, both pq: ¼ (1 + (p+q)/(2pq) + 1/(2pq)) = (1 + p + q + 2pq)/(8pq)
    close(sib(Relation::FullSib, "12,13", "12,13", &p0), (1.0 + P + Q + 2.0 * P * Q) / (8.0 * P * Q));
    // Full sibs, both pp: ¼ (1 + 1/p)²
    close(sib(Relation::FullSib, "12,12", "12,12", &p0), 0.25 * (1.0 + 1.0 / P).powi(2));
    // Full sibs pq and pr: ¼ (1 + 1/(2p))
    close(sib(Relation::FullSib, "12,13", "12,14", &p0), 0.25 * (1.0 + 1.0 / (2.0 * P)));
    // Full sibs sharing nothing: k0 = ¼
    close(sib(Relation::FullSib, "12,13", "14,16", &p0), 0.25);
    // Half sibs, both pq: ½ (1 + (p+q)/(4pq))
    close(sib(Relation::HalfSib, "12,13", "12,13", &p0), 0.5 * (1.0 + (P + Q) / (4.0 * P * Q)));
    // Half sibs pp and pq: ½ (1 + 1/(2p))
    close(sib(Relation::HalfSib, "12,12", "12,13", &p0), 0.5 * (1.0 + 1.0 / (2.0 * P)));
    // Half sibs sharing nothing: ½
    close(sib(Relation::HalfSib, "12,13", "14,16", &p0), 0.5);
}

#[test]
fn full_sibs_with_theta() {
    // Both pq. With G1's alleles seen:
    // P(G2) = 2 P(p | pq) P(q | pqp) = 2 (θ+(1−θ)p)(θ+(1−θ)q) / ((1+θ)(1+2θ))
    // IBD1 = ½ P(q | pq) + ½ P(p | pq) = (2θ + (1−θ)(p+q)) / (2(1+θ))
    // LR = ¼ + ½ IBD1 / P(G2) + ¼ / P(G2)
    let u = 2.0 * (T + (1.0 - T) * P) * (T + (1.0 - T) * Q) / ((1.0 + T) * (1.0 + 2.0 * T));
    let one = (2.0 * T + (1.0 - T) * (P + Q)) / (2.0 * (1.0 + T));
    close(sib(Relation::FullSib, "12,13", "12,13", &theta(T)), 0.25 + 0.5 * one / u + 0.25 / u);
}

// ---------------------------------------------------------------------------------------
// Mutation: ½·μ·½·10^−(s−1) times the other child allele's probability, over the
// smallest s, divided by the child's genotype probability.
// ---------------------------------------------------------------------------------------

const MU: f64 = 0.002;

#[test]
fn duo_one_step_mutation() {
    // C = 13,16; AF = 12,10. Steps: 12→13 = 1, 10→13 = 3, 12→16 = 4, 10→16 = 6.
    // Numerator = ½ (AF picks 12) · μ · ½ · 1 · f(16); denominator = 2 f(13) f(16).
    // PI = μ / (8 q).
    let r = lr::duo(&d8("C", "13,16"), &d8("AF", "10,12"), &table(), &LrParams::default());
    close(r.cpi, MU / (8.0 * Q));
    assert_eq!(r.inconsistent_loci, 1);
    let locus = &r.loci[0];
    assert!(!locus.consistent);
    let m = locus.mutation.unwrap();
    assert_eq!((m.mutations, m.steps, m.non_integer), (1, 1, false));
    let note = locus.note.as_deref().unwrap();
    assert!(note.contains("mutation") && note.contains("1 repeat step") && note.contains("0.002"), "{note}");
}

#[test]
fn duo_mutation_homozygous_parent_and_two_steps() {
    let p0 = LrParams::default();
    // AF = 12,12 → both alleles can step to 13: numerator doubles. PI = μ / (4q).
    close(duo("13,16", "12,12", &p0), MU / (4.0 * Q));
    // AF = 11,11 → two steps to 13: × 10⁻¹. PI = μ · 0.1 / (4q).
    close(duo("13,16", "11,11", &p0), MU * 0.1 / (4.0 * Q));
}

#[test]
fn duo_mutation_both_child_alleles_one_step() {
    // C = 12,15, AF = 11,14: 11→12 and 14→15 are both one step, and each leaves the other
    // child allele to the mother. Numerator = ¼μ f(15) + ¼μ f(12);
    // denominator = 2 f(12) f(15). PI = μ (f12 + f15) / (8 f12 f15).
    let (f12, f15) = (0.15, 0.15);
    close(duo("12,15", "11,14", &LrParams::default()), MU * (f12 + f15) / (8.0 * f12 * f15));
}

#[test]
fn maternal_rate_for_a_mother() {
    // Amelogenin X,X marks the alleged parent as a mother: μ = 0.0005.
    let t = table();
    let c = person("C", "D8S1179=13,16");
    let am = person("AM", "D8S1179=12,12;AMEL=X");
    let r = lr::duo(&c, &am, &t, &LrParams::default());
    close(r.cpi, 0.0005 / (4.0 * Q));
    assert_eq!(r.skipped.len(), 1, "Amelogenin is skipped");
}

#[test]
fn non_integer_change_uses_a_hundredth_of_the_rate() {
    // TH01: C = 10,6; AF = 9.3,9.3. 9.3 → 10 is 0.7 repeat: not stepwise; s = 1, rate μ/100.
    // PI = 2 · ½ · (μ/100) · ½ · f(6) / (2 f(10) f(6)) = μ / (100 · 4 f(10)).
    let r = lr::duo(&person("C", "TH01=6,10"), &person("AF", "TH01=9.3,9.3"), &table(), &LrParams::default());
    close(r.cpi, MU / 100.0 / (4.0 * 0.1));
    let m = r.loci[0].mutation.unwrap();
    assert!(m.non_integer);
    assert!(r.loci[0].note.as_deref().unwrap().contains("not a whole number"));
}

#[test]
fn trio_paternal_mutation() {
    // C = 13,16, M = 16,16: the father gave 13. AF = 12,12: 12 → 13 one step.
    // H1 = (2 · ½ · μ · ½) · 1, H2 = f(13) · 1. PI = μ / (2q).
    close(trio("13,16", "12,12", "16,16", &LrParams::default()), MU / (2.0 * Q));
}

#[test]
fn trio_mother_mismatch_is_not_held_against_the_father() {
    // C = 13,16, M = 15,15 (15 → 16 one maternal step), AF = 13,14 (gives 13).
    // H1 = ½ (AF gives 13) · (2·½·μm·½) ; H2 = f(13) · (2·½·μm·½). PI = 1/(2q).
    let r = lr::trio(&d8("C", "13,16"), &d8("AF", "13,14"), &d8("M", "15,15"), &table(), &LrParams::default());
    close(r.cpi, 1.0 / (2.0 * Q));
    assert_eq!(r.inconsistent_loci, 0);
    assert!(r.loci[0].note.as_deref().unwrap().contains("known parent"));
}

#[test]
fn theta_with_mutation() {
    // C = 13,16, AF = 10,12 with θ:
    // H1 = ¼μ · P(16 | 10,12) = ¼μ (1−θ)s/(1+θ)
    // H2 = 2 P(13 | 10,12) P(16 | 10,12,13) = 2 (1−θ)q/(1+θ) · (1−θ)s/(1+2θ)
    // PI = μ (1 + 2θ) / (8 (1 − θ) q)
    let _ = S;
    close(duo("13,16", "10,12", &theta(T)), MU * (1.0 + 2.0 * T) / (8.0 * (1.0 - T) * Q));
}

// ---------------------------------------------------------------------------------------
// Single allele read as drop-out ("q, any"): P(child carries q).
// ---------------------------------------------------------------------------------------

#[test]
fn dropout_model_duo() {
    // C shows only q, AF = qr. P(C carries q | AF) = ½ + ½ q; P(C carries q) = 2q − q².
    // PI = (1 + q) / (2 q (2 − q)).
    let params = LrParams { single_as_dropout: true, ..LrParams::default() };
    close(duo("13", "13,14", &params), (1.0 + Q) / (2.0 * Q * (2.0 - Q)));
}

#[test]
fn dropout_model_parent() {
    // AF shows only q; C = pq. Sum over AF = (q, z) weighted by P(q, z):
    // H1 = Σ_z P(q,z) · T(z) with T = P(AF gives q)·p + P(AF gives p)·q:
    //   z = q: q²·p;  z = p: 2pq·(½p + ½q);  z = other (mass 1 − p − q): 2q(1−p−q)·½p
    // H2 = (2q − q²) · 2pq.
    let params = LrParams { single_as_dropout: true, ..LrParams::default() };
    let h1 = Q * Q * P + 2.0 * P * Q * (0.5 * P + 0.5 * Q) + 2.0 * Q * (1.0 - P - Q) * 0.5 * P;
    let h2 = (2.0 * Q - Q * Q) * 2.0 * P * Q;
    close(duo("12,13", "13", &params), h1 / h2);
}

// ---------------------------------------------------------------------------------------
// Minimum frequency and skipped loci.
// ---------------------------------------------------------------------------------------

#[test]
fn absent_allele_gets_the_minimum_and_a_note() {
    // 31.2 is not in the table; the minimum is the table's smallest value, 0.05.
    // C = 13,31.2; AF = 31.2,14 → 1/(4 · 0.05)
    let r = lr::duo(&d8("C", "13,31.2"), &d8("AF", "14,31.2"), &table(), &LrParams::default());
    close(r.cpi, 1.0 / (4.0 * 0.05));
    let note = r.loci[0].note.as_deref().unwrap();
    assert!(note.contains("allele 31.2 not in table golden: minimum frequency 0.05 used"), "{note}");
}

#[test]
fn off_ladder_and_missing_loci_are_skipped() {
    let c = person("C", "D8S1179=12,13;TH01=OL,7;FGA=20,21;D99S1=4,5");
    let af = person("AF", "D8S1179=13,14;TH01=7,7;D99S1=4,4");
    let r = lr::duo(&c, &af, &table(), &LrParams::default());
    assert_eq!(r.shared_loci, 1);
    close(r.cpi, 1.0 / (4.0 * Q));
    let reasons: Vec<String> = r.skipped.iter().map(|s| format!("{}:{:?}", s.locus, s.reason)).collect();
    assert_eq!(reasons, ["D99S1:NotInTable", "FGA:NotTypedInAll", "TH01:OffLadder"]);
}

#[test]
fn per_locus_rates_replace_the_defaults() {
    // D8S1179 paternal rate 0.004: C = 13,16, AF = 12,12 → PI = μ / (4q) with μ = 0.004.
    let mut params = LrParams::default();
    params.set_locus_rates("d8s1179", lr::MutationRates { paternal: 0.004, maternal: 0.001 }).unwrap();
    close(duo("13,16", "12,12", &params), 0.004 / (4.0 * Q));
    let mut bad = LrParams::default();
    bad.per_locus_mutation.insert("vwa".into(), lr::MutationRates { paternal: 0.001, maternal: 0.001 });
    let e = bad.validate().unwrap_err();
    assert!(e.to_string().contains("\"vWA\""), "{e}");
    assert!(LrParams { theta: 0.5, ..LrParams::default() }.validate().is_err());
    assert!(LrParams { mutation_paternal: -0.1, ..LrParams::default() }.validate().is_err());
}

#[test]
fn json_carries_the_fields_other_tools_read() {
    let r = lr::duo(&d8("C", "12,13"), &d8("AF", "13,14"), &table(), &theta(0.01));
    let v = serde_json::to_value(&r).unwrap();
    for field in ["cpi", "probability", "inconsistent_loci", "shared_loci", "conclusion", "loci", "table", "params"] {
        assert!(v.get(field).is_some(), "missing {field}: {v}");
    }
    assert_eq!(v["relation"], "duo");
    assert_eq!(v["conclusion"], "inconclusive");
    assert_eq!(v["table"], "golden");
    assert_eq!(v["params"]["theta"], 0.01);
    assert_eq!(v["params"]["mutation_paternal"], 0.002);
    let locus = &v["loci"][0];
    assert_eq!(locus["locus"], "D8S1179");
    assert_eq!(locus["consistent"], true);
    assert!(locus["index"].as_f64().unwrap() > 0.0);
    assert_eq!(locus["genotypes"][0]["role"], "alleged_parent");
    assert_eq!(locus["genotypes"][1]["genotype"], "12,13");
}
