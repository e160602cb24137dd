//! `-z mqtt,topics`: topics with their publishers, subscribers, message counts and QoS, from
//! `dissectors::proto::mqtt::MqttTopics`.

use super::Tap;
use dissectors::engine::tree::Build;
use dissectors::engine::Packet;
use dissectors::proto::mqtt::{self, MqttTopics};

#[derive(Default)]
pub struct Topics {
    topics: MqttTopics,
}

impl Topics {
    /// The model, for the TUI's views.
    pub fn model(&self) -> &MqttTopics {
        &self.topics
    }
}

impl Tap for Topics {
    fn build(&self) -> Build {
        mqtt::topics_build()
    }

    fn packet(&mut self, p: &Packet) {
        self.topics.add_packet(p);
    }

    fn render(&self, out: &mut String) {
        out.push_str(&self.topics.render());
    }
}
