//! What the client remembers between runs: the last host, port, nickname
//! and theme (never the password), in a small `key=value` text file in the
//! user's config folder (`~/.config/natter/settings.txt` on Linux), or in
//! `$NATTER_CONFIG_DIR` when set (tests use that to stay hermetic).
//!
//! A settings file is a convenience, so it can never stop the client: one
//! that is unreadable or corrupt is reported (the connect page shows a
//! line) and replaced by the next save.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use natter_core::wire::MAX_NICK;

use crate::names::nick_char_ok;

/// The file's name inside the config folder.
pub const FILE_NAME: &str = "settings.txt";
/// natter's usual port.
pub const DEFAULT_PORT: u16 = 5555;

/// Light or dark colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    pub fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The remembered values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub nick: String,
    pub theme: Theme,
}

impl Settings {
    /// First-run values: this computer, port 5555, a nickname made from
    /// the computer's name.
    pub fn defaults() -> Settings {
        Settings {
            host: "localhost".to_owned(),
            port: DEFAULT_PORT,
            nick: default_nick(&hostname(), random_number()),
            theme: Theme::Light,
        }
    }

    fn to_text(&self) -> String {
        format!(
            "# natter's remembered settings; delete this file to forget them.\n\
             host={}\nport={}\nnick={}\ntheme={}\n",
            self.host,
            self.port,
            self.nick,
            self.theme.name()
        )
    }

    /// Read `text`, starting from `defaults`. The error names the first
    /// line that makes no sense.
    fn from_text(text: &str, defaults: Settings) -> Result<Settings, String> {
        let mut s = defaults;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || format!("line {} ('{}') makes no sense", i + 1, line);
            let (key, value) = line.split_once('=').ok_or_else(bad)?;
            let value = value.trim();
            match key.trim() {
                "host" if !value.is_empty() && !value.contains(char::is_whitespace) => {
                    s.host = value.to_owned();
                }
                "port" => s.port = value.parse().ok().filter(|&p| p != 0).ok_or_else(bad)?,
                "nick" if natter_core::wire::is_valid_nick(value) => s.nick = value.to_owned(),
                "theme" => s.theme = Theme::parse(value).ok_or_else(bad)?,
                _ => return Err(bad()),
            }
        }
        Ok(s)
    }
}

/// Where the settings live: `$NATTER_CONFIG_DIR`, or the platform's config
/// folder for natter. `None` when neither is known (no home folder).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("NATTER_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "natter").map(|d| d.config_dir().to_owned())
}

/// The settings in `dir`, and a sentence for the user if the file was
/// there but could not be used (it is then replaced with the values
/// returned, so the complaint comes once).
pub fn load(dir: &Path) -> (Settings, Option<String>) {
    let path = dir.join(FILE_NAME);
    let defaults = Settings::defaults();
    let problem = match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (defaults, None),
        Err(e) => format!("could not be read ({e})"),
        Ok(bytes) => match String::from_utf8(bytes) {
            Err(_) => "is not text".to_owned(),
            Ok(text) => match Settings::from_text(&text, defaults.clone()) {
                Ok(settings) => return (settings, None),
                Err(why) => why,
            },
        },
    };
    let mut message = format!(
        "Your saved settings ({}) {problem}; natter starts with the usual values",
        path.display()
    );
    match save(dir, &defaults) {
        Ok(()) => message.push_str(" and has replaced the file."),
        Err(e) => message.push_str(&format!(
            " but cannot replace the file ({e}); delete it by hand."
        )),
    }
    (defaults, Some(message))
}

/// Save `settings` in `dir`, creating the folder if needed. Written to a
/// temporary file first and renamed, so a crash never leaves half a file.
///
/// # Errors
/// The folder cannot be created or written.
pub fn save(dir: &Path, settings: &Settings) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(FILE_NAME);
    let tmp = dir.join(format!("{FILE_NAME}.tmp"));
    std::fs::write(&tmp, settings.to_text())?;
    if path.is_dir() {
        // A folder where the file should be cannot be renamed over.
        std::fs::remove_dir_all(&path)?;
    }
    std::fs::rename(&tmp, &path)
}

/// This computer's name, or "" when it cannot be found.
fn hostname() -> String {
    let from_file = |p: &str| std::fs::read_to_string(p).ok();
    from_file("/proc/sys/kernel/hostname")
        .or_else(|| from_file("/etc/hostname"))
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// A number from 10 to 99, different each run: std's `RandomState` is
/// seeded randomly per process, which is all the randomness this needs.
fn random_number() -> u32 {
    (RandomState::new().hash_one(std::process::id()) % 90) as u32 + 10
}

/// A valid nickname made from the computer's name and `number`: characters
/// a nickname may not hold are dropped (spaces and dots become `-`), a
/// leading digit or `-` is dropped, and the name is shortened so the whole
/// fits in [`MAX_NICK`] bytes. "student" when nothing usable is left.
pub fn default_nick(hostname: &str, number: u32) -> String {
    let suffix = format!("-{number}");
    let mut base: String = hostname
        .chars()
        .map(|c| if c == ' ' || c == '.' { '-' } else { c })
        .filter(|&c| nick_char_ok(c))
        .collect();
    // The first character must be a letter or a special, not a digit or '-'.
    let start = base
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(base.len());
    base.drain(..start);
    while base.ends_with('-') {
        base.pop();
    }
    if base.is_empty() {
        base.push_str("student");
    }
    while base.len() + suffix.len() > MAX_NICK {
        base.pop();
    }
    base + &suffix
}

#[cfg(test)]
mod tests {
    use super::*;
    use natter_core::wire::is_valid_nick;

    fn temp_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("natter-settings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn round_trip() {
        let dir = temp_dir("round");
        let (first, problem) = load(&dir);
        assert_eq!(problem, None, "no file is not a problem");
        let saved = Settings {
            host: "192.168.1.20".into(),
            port: 6000,
            nick: "zoë".into(),
            theme: Theme::Dark,
        };
        save(&dir, &saved).unwrap();
        assert_eq!(load(&dir), (saved, None));
        assert!(is_valid_nick(&first.nick));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn corrupt_file_is_reported_and_replaced() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(FILE_NAME);
        for junk in [
            &b"host=a\nport=banana\n"[..],
            b"\xff\xfe\x00garbage",
            b"what is this",
        ] {
            std::fs::write(&path, junk).unwrap();
            let (settings, problem) = load(&dir);
            let problem = problem.expect("reported");
            assert!(problem.contains("replaced the file"), "{problem}");
            assert_eq!(settings.port, DEFAULT_PORT);
            // Replaced: the next load is clean.
            assert_eq!(load(&dir).1, None);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unreadable_file_is_reported_not_fatal() {
        let dir = temp_dir("unreadable");
        // A folder where the file should be: reading fails.
        std::fs::create_dir_all(dir.join(FILE_NAME)).unwrap();
        let (settings, problem) = load(&dir);
        assert!(problem.is_some());
        assert_eq!(settings.host, "localhost");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn nickname_from_computer_name() {
        let cases: &[(&str, &str)] = &[
            ("ada-laptop", "ada-laptop-42"),
            ("Ada's MacBook Pro.local", "Adas-MacBook-Pro-loca-42"),
            ("42-lab-pc", "lab-pc-42"),
            ("", "student-42"),
            ("...", "student-42"),
            ("école", "école-42"),
            ("PC_[7]", "PC_[7]-42"),
        ];
        for &(host, want) in cases {
            let nick = default_nick(host, 42);
            assert_eq!(nick, want, "host {host:?}");
            assert!(is_valid_nick(&nick), "{nick}");
        }
        let long = default_nick(&"é".repeat(30), 99);
        assert!(is_valid_nick(&long) && long.len() <= MAX_NICK, "{long}");
        assert!((10..100).contains(&random_number()));
    }
}
