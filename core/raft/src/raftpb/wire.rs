//! Just enough of protobuf's wire format to encode and size entries and conf changes the way
//! etcd's generated code does: flow control counts encoded bytes, so the sizes must agree.

/// Bytes needed for `v` as a protobuf varint.
pub(super) fn varint_len(mut v: u64) -> u64 {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

pub(super) fn put_varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

pub(super) fn put_tag(buf: &mut Vec<u8>, field: u64, wire: u64) {
    put_varint(buf, (field << 3) | wire);
}

pub(super) fn put_bytes(buf: &mut Vec<u8>, field: u64, b: &[u8]) {
    put_tag(buf, field, 2);
    put_varint(buf, b.len() as u64);
    buf.extend_from_slice(b);
}

/// A minimal protobuf reader: (field number, value) pairs of varint and length-delimited fields.
pub(super) enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

pub(super) fn read_fields(mut b: &[u8]) -> Result<Vec<(u64, Field<'_>)>, String> {
    fn varint(b: &mut &[u8]) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = b.split_first().ok_or("proto: unexpected end of data")?;
            *b = rest;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte < 0x80 {
                return Ok(v);
            }
        }
        Err("proto: integer overflow".to_string())
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let key = varint(&mut b)?;
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => out.push((field, Field::Varint(varint(&mut b)?))),
            2 => {
                let n = varint(&mut b)? as usize;
                if n > b.len() {
                    return Err("proto: unexpected end of data".to_string());
                }
                out.push((field, Field::Bytes(&b[..n])));
                b = &b[n..];
            }
            1 if b.len() >= 8 => b = &b[8..],
            5 if b.len() >= 4 => b = &b[4..],
            _ => {
                return Err(format!(
                    "proto: cannot parse invalid wire-format data (wire type {})",
                    wire
                ))
            }
        }
    }
    Ok(out)
}
