//! `Responses`, the messages a `MsgStorageAppend` or `MsgStorageApply` carries for its storage
//! thread to deliver once the work is done (etcd's `Message.Responses`).
//!
//! Only the storage messages of asynchronous writes ever carry any, yet every `Message` has
//! the field, and messages are moved by value on every send, Ready and step. A `Vec` takes three
//! words of every message; this takes one (a box allocated only when there is a response), which
//! brings `Message` to 128 bytes, the largest size the compiler still moves inline instead of
//! calling `memcpy`. It reads as a slice of messages, and prints, compares, hashes and
//! (de)serializes exactly as the `Vec<Message>` it stands for.

use std::ops::Deref;

use super::Message;

/// A list of messages, empty without allocating. Build it from a `Vec<Message>` with `.into()`.
// The box is the point: one word in every message instead of a vector's three (the extra
// allocation is paid only by the rare messages that have responses).
#[allow(clippy::box_collection)]
#[derive(Clone, Default)]
pub struct Responses(Option<Box<Vec<Message>>>);

impl Responses {
    /// Adds a message at the end.
    pub fn push(&mut self, m: Message) {
        self.0.get_or_insert_with(Default::default).push(m);
    }

    /// The messages, as a vector.
    pub fn into_vec(self) -> Vec<Message> {
        self.0.map(|v| *v).unwrap_or_default()
    }
}

impl Deref for Responses {
    type Target = [Message];

    fn deref(&self) -> &[Message] {
        self.0.as_deref().map_or(&[], |v| v.as_slice())
    }
}

impl From<Vec<Message>> for Responses {
    fn from(v: Vec<Message>) -> Self {
        // Empty is always None, so that equal lists have equal representations.
        Responses((!v.is_empty()).then(|| Box::new(v)))
    }
}

impl IntoIterator for Responses {
    type Item = Message;
    type IntoIter = std::vec::IntoIter<Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl<'a> IntoIterator for &'a Responses {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

super::slice_like::like_a_vec!(Responses, Message);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raftpb::MessageType;

    fn msg(to: u64) -> Message {
        Message {
            msg_type: MessageType::MsgAppResp,
            to,
            ..Default::default()
        }
    }

    #[test]
    fn reads_compares_and_serializes_as_the_vec_it_stands_for() {
        let v = vec![msg(1), msg(2)];
        let mut r = Responses::default();
        assert!(r.is_empty());
        assert_eq!(r, Vec::new().into());
        r.push(msg(1));
        r.push(msg(2));
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].to, 2);
        assert_eq!(r, Responses::from(v.clone()));
        assert_eq!(format!("{:?}", r), format!("{:?}", v));
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
        let back: Responses = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
        assert_eq!(back, r);
        assert_eq!(r.into_vec(), v);
    }

    #[test]
    fn a_message_fits_the_size_moved_inline() {
        assert!(std::mem::size_of::<Message>() <= 128);
    }
}
