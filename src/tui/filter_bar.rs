//! The display filter bar: `/` starts editing, Enter compiles the text with
//! `dissectors::filter::Filter::compile` and applies it, Esc cancels. A filter that does not
//! compile keeps the bar open with the message and a caret under the offending part.

use super::{Component, Key};
use crate::tui::theme::theme;
use crossterm::event::{KeyCode, KeyModifiers};
use dissectors::engine::registry::Registry;
use dissectors::filter::{Filter, FilterError};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::Arc;

const KEYS: &[(&str, &str)] = &[
    ("Enter", "apply the filter (empty: show all)"),
    ("Esc", "cancel editing"),
    ("←/→ Home/End", "move the cursor"),
    ("Backspace/Del", "delete"),
    ("Ctrl-U", "clear the line"),
];

const PROMPT: &str = "Filter: ";

/// What the app should do after a key in the bar.
pub enum FilterAction {
    /// Apply this compiled filter (None: show every packet); the text is what was typed.
    Apply(Option<Filter>, String),
}

pub struct FilterBar {
    registry: Arc<Registry>,
    pub editing: bool,
    input: String,
    /// Cursor position in characters.
    cursor: usize,
    /// The filter in force.
    applied: String,
    error: Option<FilterError>,
    action: Option<FilterAction>,
}

impl FilterBar {
    pub fn new(registry: Arc<Registry>) -> FilterBar {
        FilterBar {
            registry,
            editing: false,
            input: String::new(),
            cursor: 0,
            applied: String::new(),
            error: None,
            action: None,
        }
    }

    /// Starts editing with `text` (a filter prepared from the detail tree).
    pub fn start_with(&mut self, text: &str) {
        self.start();
        self.input = text.to_string();
        self.cursor = self.input.chars().count();
    }

    /// Starts editing, with the filter in force as the initial text.
    pub fn start(&mut self) {
        self.editing = true;
        self.input = self.applied.clone();
        self.cursor = self.input.chars().count();
        self.error = None;
    }

    /// Sets the filter in force (e.g. from -Y) without editing.
    pub fn set_applied(&mut self, text: &str) {
        self.applied = text.to_string();
    }

    pub fn applied(&self) -> &str {
        &self.applied
    }

    pub fn error(&self) -> Option<&FilterError> {
        self.error.as_ref()
    }

    pub fn take_action(&mut self) -> Option<FilterAction> {
        self.action.take()
    }

    /// Rows the bar needs: one, two with an error under it.
    pub fn height(&self) -> u16 {
        if self.error.is_some() {
            2
        } else {
            1
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.input
            .char_indices()
            .nth(chars)
            .map_or(self.input.len(), |(i, _)| i)
    }

    fn apply(&mut self) {
        let text = self.input.trim().to_string();
        if text.is_empty() {
            self.finish(None, text);
            return;
        }
        match Filter::compile(&text, &self.registry) {
            Ok(f) => self.finish(Some(f), text),
            Err(mut e) => {
                // Positions are in the trimmed text; shift them to the typed one.
                let lead = self.input.len() - self.input.trim_start().len();
                e.start += lead;
                e.end += lead;
                self.error = Some(e);
            }
        }
    }

    fn finish(&mut self, f: Option<Filter>, text: String) {
        self.applied = text.clone();
        self.editing = false;
        self.error = None;
        self.action = Some(FilterAction::Apply(f, text));
    }
}

impl Component for FilterBar {
    /// While editing, every key belongs to the bar.
    fn handle_key(&mut self, key: Key) -> bool {
        if !self.editing {
            return false;
        }
        let len = self.input.chars().count();
        match key.code {
            KeyCode::Enter => self.apply(),
            KeyCode::Esc => {
                self.editing = false;
                self.error = None;
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(len),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = len,
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.input.remove(at);
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.input.remove(at);
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.input.clear();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                let at = self.byte_at(self.cursor);
                self.input.insert(at, c);
                self.cursor += 1;
            }
            _ => {}
        }
        true
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let prompt = Style::default().add_modifier(Modifier::BOLD);
        let mut lines = vec![];
        if self.editing {
            let bg = match self.error {
                Some(_) => theme().filter_bad,
                None => theme().filter_ok,
            };
            let field = Style::default().bg(bg).fg(theme().filter_text);
            let width = (area.width as usize).saturating_sub(PROMPT.len());
            let shown: String = format!("{:<width$}", self.input);
            lines.push(Line::from(vec![
                Span::styled(PROMPT, prompt),
                Span::styled(shown, field),
            ]));
            let x = area.x
                + (PROMPT.len() + self.cursor).min((area.width as usize).saturating_sub(1)) as u16;
            frame.set_cursor_position((x, area.y));
        } else if self.applied.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(PROMPT, prompt),
                Span::styled("(none; press / to filter)", theme().dim()),
            ]));
        } else {
            lines.push(Line::from(vec![
                Span::styled(PROMPT, prompt),
                Span::styled(self.applied.clone(), theme().good()),
            ]));
        }
        if let Some(e) = &self.error {
            let caret = "^".repeat(e.end.saturating_sub(e.start).max(1));
            lines.push(Line::from(vec![
                Span::raw(" ".repeat(PROMPT.len() + e.start)),
                Span::styled(
                    format!("{caret} {} (column {})", e.message, e.start + 1),
                    theme().error(),
                ),
            ]));
        }
        frame.render_widget(Paragraph::new(lines), area);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }
}
