//! The save prompt (`w`): writes the displayed packets, or all of them, to a pcapng file.
//! While open it takes every key: typing edits the path, Tab switches between displayed and
//! all packets, Enter saves, Esc cancels. The frames come from the frame store, so saving
//! needs no dissection and works for live captures too.

use super::frames::Store;
use super::packet_list::Shown;
use super::theme::theme;
use super::{Component, Key};
use crate::capture::PcapNgWriter;
use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::io::{BufWriter, Write};
use std::path::Path;

const KEYS: &[(&str, &str)] = &[
    ("Enter", "save"),
    ("Tab", "displayed / all packets"),
    ("Esc", "cancel"),
];

/// Where the prompt starts.
pub const DEFAULT_PATH: &str = "lowshark-saved.pcapng";

#[derive(Default)]
pub struct SavePrompt {
    pub open: bool,
    path: String,
    /// Save every packet read rather than the displayed ones.
    pub all: bool,
    /// Enter was pressed: the app saves and closes the prompt.
    pub confirmed: bool,
}

impl SavePrompt {
    pub fn start(&mut self) {
        self.open = true;
        self.confirmed = false;
        if self.path.is_empty() {
            self.path = DEFAULT_PATH.to_string();
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

impl Component for SavePrompt {
    fn handle_key(&mut self, key: Key) -> bool {
        if !self.open {
            return false;
        }
        match key.code {
            KeyCode::Esc => self.open = false,
            KeyCode::Enter => {
                self.open = false;
                self.confirmed = true;
            }
            KeyCode::Tab | KeyCode::BackTab => self.all = !self.all,
            KeyCode::Backspace => {
                self.path.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.path.clear()
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => self.path.push(c),
            _ => {}
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let what = if self.all {
            "Save all packets to: "
        } else {
            "Save displayed packets to: "
        };
        let line = Line::from(vec![
            Span::styled(what, theme().accent().add_modifier(Modifier::BOLD)),
            Span::raw(self.path.clone()),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        let x = area.x + (what.len() + self.path.chars().count()).min(area.width as usize) as u16;
        frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }
}

/// Writes the frames `shown` selects (of the `total` read) from `store` to `path`; returns
/// how many were written.
pub fn save(store: &Store, shown: &Shown, total: usize, path: &Path) -> std::io::Result<usize> {
    let file = std::fs::File::create(path)?;
    let mut w = PcapNgWriter::new(BufWriter::new(file))?;
    let mut n = 0;
    let mut put = |i: usize| -> std::io::Result<()> {
        w.write(&store.captured(i))?;
        n += 1;
        Ok(())
    };
    match shown {
        Shown::All => (0..total.min(store.len())).try_for_each(&mut put)?,
        Shown::Only(v) => v.iter().try_for_each(|&i| put(i as usize))?,
    }
    w.finish()?.flush()?;
    Ok(n)
}
