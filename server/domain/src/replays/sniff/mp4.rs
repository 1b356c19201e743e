//! ISO base media (MP4) boxes as far as a length needs them: the movie header (`moov/mvhd`)
//! gives the duration in its own timescale.

/// A box: its type, and where its contents start and end (cut to the bytes there are).
struct Bx {
    kind: [u8; 4],
    body: usize,
    end: usize,
}

/// The box at `pos`, which must end by `limit`; a size of 0 runs to `limit`, a size of 1 is
/// followed by a 64-bit size.
fn box_at(buf: &[u8], pos: usize, limit: usize) -> Result<Bx, ()> {
    let head = buf.get(pos..pos + 8).ok_or(())?;
    let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let kind = [head[4], head[5], head[6], head[7]];
    let (size, header) = match size32 {
        0 => ((limit - pos) as u64, 8),
        1 => {
            let large = buf.get(pos + 8..pos + 16).ok_or(())?;
            (u64::from_be_bytes(large.try_into().map_err(|_| ())?), 16)
        }
        n => (u64::from(n), 8),
    };
    if size < header as u64 {
        return Err(());
    }
    let end = usize::try_from(size)
        .ok()
        .and_then(|s| pos.checked_add(s))
        .map_or(limit, |e| e.min(limit));
    Ok(Bx {
        kind,
        body: pos + header,
        end,
    })
}

/// The movie's length from `mvhd`; `Err` when the file does not start with `ftyp` or its boxes
/// do not parse, `Ok(None)` when it gives no length (a fragmented recording's header says 0).
pub fn duration_ms(buf: &[u8]) -> Result<Option<u64>, ()> {
    let mut pos = 0;
    while pos + 8 <= buf.len() {
        let b = box_at(buf, pos, buf.len())?;
        if pos == 0 && &b.kind != b"ftyp" {
            return Err(());
        }
        if &b.kind == b"moov" {
            let mut inner = b.body;
            while inner + 8 <= b.end {
                let child = box_at(buf, inner, b.end)?;
                if &child.kind == b"mvhd" {
                    return Ok(movie_header(&buf[child.body..child.end]));
                }
                inner = child.end;
            }
            return Ok(None);
        }
        pos = b.end;
    }
    Ok(None)
}

/// Duration over timescale in a movie header of version 0 (32-bit times) or 1 (64-bit).
fn movie_header(body: &[u8]) -> Option<u64> {
    let be32 = |at: usize| -> Option<u64> {
        Some(u64::from(u32::from_be_bytes(
            body.get(at..at + 4)?.try_into().ok()?,
        )))
    };
    let (timescale, duration, unknown) = match *body.first()? {
        1 => (
            be32(20)?,
            u64::from_be_bytes(body.get(24..32)?.try_into().ok()?),
            u64::MAX,
        ),
        _ => (be32(12)?, be32(16)?, u64::from(u32::MAX)),
    };
    if timescale == 0 || duration == 0 || duration == unknown {
        return None;
    }
    Some((u128::from(duration) * 1000 / u128::from(timescale)) as u64)
}
