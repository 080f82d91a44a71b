//! What the library does when an invariant breaks. Every breach goes through here, so the
//! policy can be read, and changed, in one place.
//!
//! etcd answers both kinds of breach below with `Panicf`/`Fatalf`. This library tells them
//! apart, because the playground lets a person feed a node anything and must survive it:
//! - [`fatal`]: an internal invariant of the library broke (a bug in this crate). The line is
//!   logged at Fatal, as etcd logs it, and the node stops with a panic carrying the same text:
//!   no state the library could continue from is trustworthy any more.
//! - [`misuse`]: the application broke a rule of the API (a storage whose state contradicts
//!   itself, say). The line is logged at Fatal, and the caller gets `Error::Misuse` with the
//!   same text instead of a panic: the node refuses the input and stays as it was.

use std::fmt;

use crate::error::Error;
use crate::logger::SharedLogger;

/// A broken internal invariant: logs `msg` at Fatal and panics with it.
pub(crate) fn fatal(logger: &SharedLogger, msg: impl fmt::Display) -> ! {
    logger.fatal(format_args!("{}", msg));
    panic!("{}", msg)
}

/// A broken internal invariant found where no logger is at hand (the tracker's `Progress` and
/// `Inflights`, message classification); etcd panics without logging there as well.
pub(crate) fn fatal_unlogged(msg: impl fmt::Display) -> ! {
    panic!("{}", msg)
}

/// The application broke an API rule that etcd would panic on: logs `msg` at Fatal and returns
/// the error to hand back instead.
pub(crate) fn misuse(logger: &SharedLogger, msg: String) -> Error {
    logger.fatal(format_args!("{}", msg));
    Error::Misuse(msg)
}
