//! Keeps `docs/IRC.md` honest, as `protocol_doc.rs` keeps PROTOCOL.md: its
//! command table names exactly the commands the bridge's table knows, and
//! its capability and `005` tables are, row by row, the ones `CAP LS` and
//! the welcome are made from.

use std::collections::BTreeSet;

use natter_core::irc::bridge::caps::{CAPABILITIES, ISUPPORT};
use natter_core::irc::bridge::command_names;

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/IRC.md"))
        .expect("docs/IRC.md")
}

/// The rows of the first table after `heading`, as cells (a `\|` is a pipe
/// inside a cell).
fn table(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let section = doc
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("no {heading:?} in docs/IRC.md"));
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header and its rule
        .map(|row| {
            let cells: Vec<String> = row
                .replace("\\|", "\u{1}")
                .split('|')
                .map(|c| c.trim().replace('\u{1}', "|"))
                .collect();
            cells[1..cells.len() - 1].to_vec()
        })
        .collect()
}

#[test]
fn the_command_table_names_exactly_the_bridges_commands() {
    let doc = doc();
    let mut documented = BTreeSet::new();
    for row in table(&doc, "## Commands") {
        // The first word of each `code span` in the first cell: `CAP LS
        // [302]`, `CAP LIST` both name CAP. Rows without one ("anything
        // else", "(registration)") name no command.
        for span in row[0].split('`').skip(1).step_by(2) {
            let word = span.split(' ').next().unwrap_or_default();
            documented.insert(word.to_owned());
        }
    }
    let known: BTreeSet<String> = command_names().map(str::to_owned).collect();
    assert_eq!(
        documented, known,
        "docs/IRC.md's command table and core/src/irc/bridge/commands.rs differ"
    );
}

#[test]
fn the_capability_table_is_what_cap_ls_offers() {
    let doc = doc();
    let documented: Vec<(String, String)> = table(&doc, "## IRCv3 capabilities")
        .into_iter()
        .map(|row| (row[0].trim_matches('`').to_owned(), row[1].clone()))
        .collect();
    let offered: Vec<(String, String)> = CAPABILITIES
        .iter()
        .map(|c| (c.name.to_owned(), c.what.to_owned()))
        .collect();
    assert_eq!(documented, offered);
}

#[test]
fn the_isupport_table_is_what_the_welcome_says() {
    let doc = doc();
    let documented: Vec<(String, String)> = table(&doc, "## `005` tokens")
        .into_iter()
        .map(|row| (row[0].trim_matches('`').to_owned(), row[1].clone()))
        .collect();
    let sent: Vec<(String, String)> = ISUPPORT
        .iter()
        .map(|&(token, what)| (token.to_owned(), what.to_owned()))
        .collect();
    assert_eq!(documented, sent);
}
