//! Logging. The state machine reports what it does through a [`Logger`] with the same levels and
//! the same lines as etcd raft, so a transcript (or the page's event log) reads like etcd's.

use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
    /// etcd's `Fatal` and `Panic`: an invariant is broken. What follows the line (an error
    /// for the caller, or a panic for a bug in the library) is decided in `fatal.rs`.
    Fatal,
}

impl Level {
    /// The level's name as etcd's loggers print it.
    pub fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
            Level::Fatal => "FATAL",
        }
    }
}

/// Where the library's log lines go. Implementations decide what to keep.
pub trait Logger {
    fn log(&self, level: Level, msg: fmt::Arguments<'_>);

    fn debug(&self, msg: fmt::Arguments<'_>) {
        self.log(Level::Debug, msg)
    }
    fn info(&self, msg: fmt::Arguments<'_>) {
        self.log(Level::Info, msg)
    }
    fn warn(&self, msg: fmt::Arguments<'_>) {
        self.log(Level::Warn, msg)
    }
    fn error(&self, msg: fmt::Arguments<'_>) {
        self.log(Level::Error, msg)
    }
    fn fatal(&self, msg: fmt::Arguments<'_>) {
        self.log(Level::Fatal, msg)
    }
}

/// The handle the library keeps. The core is single-threaded (it runs in a browser tab), and a
/// cloned node (a time-travel checkpoint) shares its logger with the original.
pub type SharedLogger = Rc<dyn Logger>;

/// Drops every line.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiscardLogger;

impl Logger for DiscardLogger {
    fn log(&self, _: Level, _: fmt::Arguments<'_>) {}
}

/// A shared [`DiscardLogger`]: the logger of a node configured without one, and of a log
/// deserialized from a checkpoint until its owner sets the real one again.
pub(crate) fn discard_logger() -> SharedLogger {
    Rc::new(DiscardLogger)
}

/// Keeps lines at or above a level as `LEVEL message` strings, the format of etcd's
/// interaction transcripts. The level can be changed while the logger is shared.
#[derive(Debug)]
pub struct BufferLogger {
    level: RefCell<Option<Level>>,
    lines: RefCell<Vec<String>>,
}

impl BufferLogger {
    /// A logger keeping lines at `level` and above; `None` keeps nothing.
    pub fn new(level: Option<Level>) -> Self {
        BufferLogger {
            level: RefCell::new(level),
            lines: RefCell::new(Vec::new()),
        }
    }

    pub fn set_level(&self, level: Option<Level>) {
        *self.level.borrow_mut() = level;
    }

    pub fn level(&self) -> Option<Level> {
        *self.level.borrow()
    }

    /// Takes the lines logged since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.borrow_mut())
    }
}

impl Logger for BufferLogger {
    fn log(&self, level: Level, msg: fmt::Arguments<'_>) {
        let keep = matches!(*self.level.borrow(), Some(min) if level >= min);
        if keep {
            self.lines
                .borrow_mut()
                .push(format!("{} {}", level.name(), msg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_logger_filters_by_level_and_formats_like_transcripts() {
        let l = BufferLogger::new(Some(Level::Info));
        l.debug(format_args!("hidden"));
        l.info(format_args!("{} became follower at term {}", 1, 0));
        l.set_level(None);
        l.error(format_args!("also hidden"));
        assert_eq!(
            l.take(),
            vec!["INFO 1 became follower at term 0".to_string()]
        );
        assert!(l.take().is_empty());
    }
}
