//! Output formats. Each formats one packet at a time into a String that the caller writes, so
//! output streams and nothing holds the capture.

pub mod coloring;
pub mod fields;
pub mod json;
pub mod pdml;
pub mod text;
