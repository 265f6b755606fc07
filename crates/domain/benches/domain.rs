//! How long the edge parsers, the policy and the division look-ups take per call.
//!
//! `cargo bench -p fanguai-domain --bench domain`

use std::time::Instant;

use divan::black_box;
use fanguai_domain::divisions::{self, DivisionCode};
use fanguai_domain::ids::{PersonName, Phone, ResidentId};
use fanguai_domain::mask;
use fanguai_domain::policy::{self, Action, Actor, VictimSection, VictimSections};
use fanguai_domain::{Role, RoleSet, UnitId, UserId};
use time::macros::date;

fn main() {
    // The history is parsed once, on first use; this is what the first request pays.
    let start = Instant::now();
    let records = divisions::all_records().len();
    println!(
        "division history: {records} records parsed on first use in {:?}",
        start.elapsed()
    );
    divan::main();
}

#[divan::bench]
fn parse_resident_id_18() -> ResidentId {
    ResidentId::parse_at(black_box("11010519491231002X"), date!(2025 - 06 - 01)).unwrap()
}

#[divan::bench]
fn parse_resident_id_15_and_convert() -> String {
    let id = ResidentId::parse_at(black_box("430221900307123"), date!(2025 - 06 - 01)).unwrap();
    id.normalized_for_index()
}

#[divan::bench]
fn parse_phone() -> Phone {
    Phone::parse(black_box("+86 138-1234-5678")).unwrap()
}

#[divan::bench]
fn mask_person_name() -> String {
    PersonName::parse(black_box("欧阳娜娜")).unwrap().masked()
}

#[divan::bench]
fn district_only() -> String {
    mask::district_only(black_box(DivisionCode::parse("430221").unwrap()))
}

#[divan::bench]
fn current_successors() -> Vec<DivisionCode> {
    divisions::current_successors(black_box(DivisionCode::parse("430219").unwrap()))
}

#[divan::bench]
fn children_of_a_province() -> usize {
    divisions::children(black_box(DivisionCode::parse("430000").unwrap())).len()
}

fn caseworker() -> Actor {
    Actor {
        user_id: UserId::new("u-1"),
        unit_id: UnitId::new("civil-affairs"),
        roles: RoleSet::from_iter([Role::Caseworker, Role::Liaison]),
        second_factor_verified: true,
    }
}

#[divan::bench]
fn decide_read_victim(b: divan::Bencher) {
    let actor = caseworker();
    let action = Action::ReadVictim {
        owner_unit: UnitId::new("womens-federation"),
        section: VictimSection::Health,
        assigned: false,
        referred_sections: VictimSections::NONE.with(VictimSection::Health),
        linked_case_investigator: false,
    };
    b.bench(|| policy::decide(black_box(&actor), black_box(&action)));
}

#[divan::bench]
fn capabilities_for_home_page(b: divan::Bencher) {
    let actor = caseworker();
    b.bench(|| policy::capabilities(black_box(&actor)));
}
