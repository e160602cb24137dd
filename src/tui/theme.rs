//! The one place the TUI's colours come from. Every pane, view and overlay asks [`theme()`]
//! for a named role ("selection", "warning", "dim text") instead of naming a colour, so a
//! different palette (a light terminal, a colour-blind friendly one) is a second [`Theme`]
//! value, not an edit of every file.

use super::loader::Class;
use ratatui::style::{Color, Modifier, Style};

/// Colours by role.
pub struct Theme {
    /// Border and title of the focused pane.
    pub focused: Color,
    /// Borders, tree markers, hex offsets, notes: text that should recede.
    pub dim: Color,
    /// The selected row or line of the focused pane (background, foreground).
    pub selection: (Color, Color),
    /// Headings and highlighted facts (help section titles, the selected field's info).
    pub accent: Color,
    /// Warnings: expert items, "loading…", weak links.
    pub warning: Color,
    /// Errors: malformed nodes, failures, broken links.
    pub error: Color,
    /// Good news: an applied filter, healthy links.
    pub good: Color,
    /// A third kind of change (a node that lost its path).
    pub notice: Color,
    /// The status line (background, foreground).
    pub status: (Color, Color),
    /// A key in the key bar (background, foreground).
    pub key: (Color, Color),
    /// The filter field while editing: valid, invalid (backgrounds) and its text.
    pub filter_ok: Color,
    pub filter_bad: Color,
    pub filter_text: Color,
    /// The two directions of a followed stream (client, server).
    pub stream: (Color, Color),
    /// Row colours by class (background, foreground), after Wireshark's default colouring
    /// rules; `None` keeps the terminal's colours.
    pub rows: fn(Class) -> Option<(Color, Color)>,
}

/// Wireshark's default colouring rules, roughly.
fn wireshark_rows(c: Class) -> Option<(Color, Color)> {
    let dark = Color::Rgb(0x12, 0x12, 0x12);
    Some(match c {
        Class::Error => (Color::Rgb(0xa4, 0x00, 0x00), Color::Rgb(0xff, 0xfc, 0x9c)),
        Class::TcpFlags => (Color::Rgb(0xa0, 0xa0, 0xa0), dark),
        Class::Tcp => (Color::Rgb(0xe7, 0xe6, 0xff), dark),
        Class::Udp => (Color::Rgb(0xda, 0xee, 0xff), dark),
        Class::Icmp => (Color::Rgb(0xfc, 0xe0, 0xff), dark),
        Class::Routing => (Color::Rgb(0xff, 0xf3, 0xd6), dark),
        Class::Wpan => (Color::Rgb(0xe4, 0xff, 0xc7), dark),
        Class::Arp => (Color::Rgb(0xfa, 0xf0, 0xd7), dark),
        Class::Other => return None,
    })
}

/// The default palette (dark terminal, Wireshark's row colours).
pub const DEFAULT: Theme = Theme {
    focused: Color::LightCyan,
    dim: Color::DarkGray,
    selection: (Color::Rgb(0x2f, 0x5f, 0xbf), Color::White),
    accent: Color::LightCyan,
    warning: Color::Yellow,
    error: Color::LightRed,
    good: Color::LightGreen,
    notice: Color::LightMagenta,
    status: (Color::Rgb(0x30, 0x30, 0x30), Color::White),
    key: (Color::Cyan, Color::Black),
    filter_ok: Color::Rgb(0xaf, 0xff, 0xaf),
    filter_bad: Color::Rgb(0xff, 0xaf, 0xaf),
    filter_text: Color::Black,
    stream: (Color::Rgb(0xff, 0x8f, 0x8f), Color::Rgb(0x8f, 0xb8, 0xff)),
    rows: wireshark_rows,
};

/// The theme in use.
pub fn theme() -> &'static Theme {
    &DEFAULT
}

impl Theme {
    pub fn fg(&self, c: Color) -> Style {
        Style::default().fg(c)
    }

    pub fn dim(&self) -> Style {
        self.fg(self.dim)
    }

    pub fn warning(&self) -> Style {
        self.fg(self.warning)
    }

    pub fn error(&self) -> Style {
        self.fg(self.error)
    }

    pub fn good(&self) -> Style {
        self.fg(self.good)
    }

    pub fn accent(&self) -> Style {
        self.fg(self.accent)
    }

    /// The selected line of the focused pane.
    pub fn selection(&self) -> Style {
        Style::default().bg(self.selection.0).fg(self.selection.1)
    }

    /// The selected line of a pane without the focus: its own colours, reversed.
    pub fn selection_unfocused(&self, base: Style) -> Style {
        base.add_modifier(Modifier::REVERSED)
    }

    pub fn status(&self) -> Style {
        Style::default().bg(self.status.0).fg(self.status.1)
    }

    pub fn key(&self) -> Style {
        Style::default()
            .bg(self.key.0)
            .fg(self.key.1)
            .add_modifier(Modifier::BOLD)
    }

    /// A packet-list row of this class.
    pub fn row(&self, c: Class) -> Style {
        (self.rows)(c).map_or_else(Style::default, |(bg, fg)| Style::default().bg(bg).fg(fg))
    }
}
