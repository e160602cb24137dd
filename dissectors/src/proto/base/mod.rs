//! The two protocols every packet has: `frame`, the capture's view of it (number, times,
//! lengths, the layer list), and `data`, whatever bytes no dissector claimed.

pub mod data;
pub mod frame;
