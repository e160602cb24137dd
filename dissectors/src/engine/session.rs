//! State that spans frames: each protocol keeps its own type in the [`Session`] (reassembly
//! tables, conversations, transactions), and the user's `-o` preferences ([`Prefs`]).
//!
//! A session can be cloned: a capture viewer records the state every few thousand frames on
//! its first pass and later re-dissects any frame from the nearest copy, getting the same tree
//! the first pass got without keeping every tree.

use foldhash::HashMap;
use std::any::{Any, TypeId};

/// One protocol's capture-wide state, as the session stores it.
trait State: Any + Send {
    fn clone_state(&self) -> Box<dyn State>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Send + Clone> State for T {
    fn clone_state(&self) -> Box<dyn State> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Capture-wide state, one value per type (each protocol keeps its own state type).
#[derive(Default)]
pub struct Session {
    states: HashMap<TypeId, Box<dyn State>>,
}

impl Clone for Session {
    fn clone(&self) -> Session {
        Session {
            states: self
                .states
                .iter()
                .map(|(k, v)| (*k, v.clone_state()))
                .collect(),
        }
    }
}

impl Session {
    /// The state of type `T`, created on first use.
    pub fn get<T: Default + Clone + Send + 'static>(&mut self) -> &mut T {
        self.states
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(T::default()))
            .as_any_mut()
            .downcast_mut::<T>()
            .expect("session state stored under its own TypeId")
    }

    pub fn peek<T: 'static>(&self) -> Option<&T> {
        self.states
            .get(&TypeId::of::<T>())
            .and_then(|b| b.as_any().downcast_ref())
    }
}

/// `-o name:value` preferences, as typed; protocols parse their own.
#[derive(Clone, Debug, Default)]
pub struct Prefs {
    values: HashMap<String, String>,
}

impl Prefs {
    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|s| s.as_str())
    }

    pub fn bool(&self, name: &str, default: bool) -> bool {
        match self.get(name).map(|s| s.to_ascii_lowercase()) {
            Some(s) if s == "true" || s == "1" || s == "yes" => true,
            Some(s) if s == "false" || s == "0" || s == "no" => false,
            _ => default,
        }
    }

    pub fn uint(&self, name: &str, default: u64) -> u64 {
        self.get(name)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    }
}
