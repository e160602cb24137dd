//! `C`: the dongles' channel survey, one bar per 802.15.4 channel (energy and frames heard).
//! The view draws any [`SurveySource`]: the dongle code provides the real one (a `SurveyTable`
//! model maintained while the dongles hop channels); without one, the view says so.

use super::View;
use crate::tui::theme::theme;
use crate::tui::{pane_block, Component, Key};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::sync::Arc;

const KEYS: &[(&str, &str)] = &[("Esc q", "close the view")];

/// What the survey says about one channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChannelRow {
    pub channel: u16,
    /// Energy detected (dBm), when the dongle measures it.
    pub energy_dbm: Option<f32>,
    /// Frames heard on the channel.
    pub frames: u64,
    /// PANs heard on the channel.
    pub pans: Vec<u16>,
}

/// A channel survey the view can draw (implemented by the dongles' survey model).
pub trait SurveySource: Send + Sync {
    /// The channels surveyed so far, in channel order.
    fn channels(&self) -> Vec<ChannelRow>;
    /// Which device surveys (for the title).
    fn device(&self) -> String;
}

pub struct SurveyView {
    source: Option<Arc<dyn SurveySource>>,
}

impl SurveyView {
    pub fn new(source: Option<Arc<dyn SurveySource>>) -> SurveyView {
        SurveyView { source }
    }
}

/// The bar of a channel: energy from -100 dBm (empty) to -40 dBm (full), 30 cells wide.
fn bar(energy: Option<f32>) -> String {
    let Some(e) = energy else { return "?".into() };
    let cells = (((e + 100.0) / 60.0).clamp(0.0, 1.0) * 30.0).round() as usize;
    "█".repeat(cells)
}

impl Component for SurveyView {
    fn handle_key(&mut self, _key: Key) -> bool {
        false
    }

    fn draw(&self, frame: &mut Frame, area: Rect) {
        let Some(src) = &self.source else {
            let text = "No channel survey: it runs with a live capture from a sniffer dongle \
                        that scans the channels.";
            frame.render_widget(
                Paragraph::new(text).block(pane_block(" Channel survey ", true)),
                area,
            );
            return;
        };
        let lines: Vec<Line> = src
            .channels()
            .iter()
            .map(|c| {
                let colour = match c.energy_dbm {
                    Some(e) if e > -60.0 => theme().error,
                    Some(e) if e > -80.0 => theme().warning,
                    _ => theme().good,
                };
                let pans: Vec<String> = c.pans.iter().map(|p| format!("0x{p:04x}")).collect();
                Line::from(vec![
                    Span::raw(format!("ch {:>2} ", c.channel)),
                    Span::styled(
                        format!("{:<30}", bar(c.energy_dbm)),
                        Style::default().fg(colour),
                    ),
                    Span::raw(format!(
                        " {:>7} dBm {:>7} frames  {}",
                        c.energy_dbm.map_or("-".into(), |e| format!("{e:.0}")),
                        c.frames,
                        pans.join(" ")
                    )),
                ])
            })
            .collect();
        let title = format!(" Channel survey · {} ", src.device());
        frame.render_widget(Paragraph::new(lines).block(pane_block(&title, true)), area);
    }

    fn keys(&self) -> &'static [(&'static str, &'static str)] {
        KEYS
    }
}

impl View for SurveyView {}
