#![windows_subsystem = "windows"]
//! `natter`: the desktop chat client. This file is the command line only;
//! the window is in `natter_client::ui`.

use clap::Parser;
use natter_client::settings::Theme;
use natter_client::ui::{self, Start};

/// Chat with your class. Without options a window opens where you type
/// the server's address and your nickname; the options fill it in (the
/// last values used are remembered, except the password).
#[derive(Parser, Debug)]
#[command(version)]
struct Cli {
    /// The server's address, as your teacher gave it (e.g. 192.168.1.20).
    #[arg(long)]
    host: Option<String>,

    /// The server's port (natter's usual one is 5555).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    port: Option<u16>,

    /// Your nickname.
    #[arg(long)]
    nick: Option<String>,

    /// The room password, if the server has one (or set NATTER_PASSWORD).
    #[arg(long, env = "NATTER_PASSWORD", hide_env_values = true)]
    password: Option<String>,

    /// The teacher password, proved on connecting and after every
    /// reconnect, to be the teacher (or set NATTER_TEACHER_PASSWORD; or type
    /// /oper in the chat).
    #[arg(long, env = "NATTER_TEACHER_PASSWORD", hide_env_values = true)]
    teacher_password: Option<String>,

    /// The room to join instead of the lobby.
    #[arg(long)]
    room: Option<String>,

    /// Connect straight away instead of waiting for the Connect button.
    #[arg(long)]
    connect: bool,

    /// Host a room on this computer straight away (on --port).
    #[arg(long, conflicts_with = "connect")]
    host_room: bool,

    /// Light or dark colours (the button in the window switches too).
    #[arg(long, value_parser = parse_theme)]
    theme: Option<Theme>,
}

fn parse_theme(s: &str) -> Result<Theme, String> {
    Theme::parse(s).ok_or_else(|| format!("'{s}' is not a theme: use light or dark"))
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    ui::run(Start {
        host: cli.host,
        port: cli.port,
        nick: cli.nick,
        password: cli.password,
        teacher_password: cli.teacher_password,
        room: cli.room,
        connect: cli.connect,
        host_room: cli.host_room,
        theme: cli.theme,
    });
}
