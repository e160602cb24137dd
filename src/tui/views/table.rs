//! What every table-like view shares: a selection in a list of rows that scrolls to keep it
//! visible (key handling and the window of rows to draw), and the table's look.

use super::super::Key;
use crossterm::event::KeyCode;
use ratatui::layout::Constraint;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Row, Table};
use std::cell::Cell;

/// A table as the views draw them: a bold header row, one space between columns.
pub fn table<'a, H>(
    rows: Vec<Row<'a>>,
    widths: impl IntoIterator<Item = Constraint>,
    header: impl IntoIterator<Item = H>,
) -> Table<'a>
where
    H: Into<ratatui::widgets::Cell<'a>>,
{
    let header = Row::new(header).style(Style::default().add_modifier(Modifier::BOLD));
    Table::new(rows, widths).header(header).column_spacing(1)
}

/// Keys a [`Selection`] handles, for the views' key lists.
pub const KEYS: &[(&str, &str)] = &[
    ("j/k ↑/↓", "next/previous row"),
    ("g/G PgUp/PgDn", "first/last row, page up/down"),
];

#[derive(Default, Debug)]
pub struct Selection {
    pub selected: usize,
    offset: Cell<usize>,
    height: Cell<usize>,
}

impl Selection {
    /// Moves the selection for a navigation key over `len` rows; false for other keys.
    pub fn handle_key(&mut self, key: Key, len: usize) -> bool {
        let last = len.saturating_sub(1) as isize;
        let cur = self.selected as isize;
        let page = self.height.get().max(1) as isize;
        let to = match key.code {
            KeyCode::Char('j') | KeyCode::Down => cur + 1,
            KeyCode::Char('k') | KeyCode::Up => cur - 1,
            KeyCode::PageDown => cur + page,
            KeyCode::PageUp => cur - page,
            KeyCode::Char('g') | KeyCode::Home => 0,
            KeyCode::Char('G') | KeyCode::End => last,
            _ => return false,
        };
        self.selected = to.clamp(0, last.max(0)) as usize;
        true
    }

    /// The rows to draw in `height` lines (scrolled just enough to show the selection).
    pub fn window(&self, len: usize, height: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        self.height.set(height);
        let sel = self.selected.min(len.saturating_sub(1));
        let mut off = self.offset.get();
        if sel < off {
            off = sel;
        } else if sel >= off + height {
            off = sel + 1 - height;
        }
        off = off.min(len.saturating_sub(height));
        self.offset.set(off);
        off..(off + height).min(len)
    }

    /// The selected index, kept inside `len` rows.
    pub fn get(&self, len: usize) -> Option<usize> {
        (len > 0).then(|| self.selected.min(len - 1))
    }
}
