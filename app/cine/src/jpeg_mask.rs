//! Masking inside a baseline JPEG without re-encoding it: the entropy-coded blocks are read
//! with the file's own Huffman tables, 8×8 blocks wholly under the mask become flat black (DC
//! only), blocks the mask edge crosses go through IDCT → black the masked samples → DCT →
//! the file's own quantisation, and every other block is written back bit for bit. Kept pixels
//! away from the mask edge are therefore untouched (no generation loss), and a frame costs an
//! entropy decode and encode instead of a full decode and encode.
//!
//! Anything outside single-scan baseline/extended Huffman JPEG with 8-bit samples, or a symbol
//! the file's Huffman tables cannot code, returns `None`: the caller re-encodes instead.
use crate::clean::Mask;

/// Zig-zag index → natural (row-major) index.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// A Huffman table as the file defines it, for decoding and encoding.
#[derive(Clone)]
struct Huffman {
    maxcode: [i32; 18],
    valptr: [i32; 17],
    mincode: [i32; 17],
    values: Vec<u8>,
    /// Code and length per symbol (length 0: the table cannot code it).
    code: [u16; 256],
    size: [u8; 256],
    /// (length, symbol) by the next `LOOKAHEAD` bits, for codes that short (length 0: longer).
    fast: Vec<(u8, u8)>,
}

/// Codes up to this many bits decode with one table look-up.
const LOOKAHEAD: u32 = 9;

impl Huffman {
    fn new(counts: &[u8; 16], values: &[u8]) -> Option<Huffman> {
        let mut h = Huffman {
            maxcode: [-1; 18],
            valptr: [0; 17],
            mincode: [0; 17],
            values: values.to_vec(),
            code: [0; 256],
            size: [0; 256],
            fast: vec![(0, 0); 1 << LOOKAHEAD],
        };
        let mut code = 0i32;
        let mut k = 0usize;
        for len in 1..=16 {
            let n = usize::from(counts[len - 1]);
            if n > 0 {
                h.valptr[len] = k as i32;
                h.mincode[len] = code;
                for _ in 0..n {
                    // More codes of this length than it has bits for: not a Huffman table.
                    if code >= 1 << len {
                        return None;
                    }
                    let sym = *values.get(k)?;
                    h.code[usize::from(sym)] = code as u16;
                    h.size[usize::from(sym)] = len as u8;
                    if len as u32 <= LOOKAHEAD {
                        let shift = LOOKAHEAD - len as u32;
                        let first = (code as usize) << shift;
                        for entry in &mut h.fast[first..first + (1 << shift)] {
                            *entry = (len as u8, sym);
                        }
                    }
                    code += 1;
                    k += 1;
                }
                h.maxcode[len] = code - 1;
            }
            code <<= 1;
        }
        h.maxcode[17] = i32::MAX;
        Some(h)
    }
}

/// Reads bits of an entropy-coded segment (stuffed 0xFF00 bytes unstuffed).
struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    bits: u32,
}

impl<'a> BitReader<'a> {
    fn new(data: &'a [u8]) -> Self {
        BitReader {
            data,
            pos: 0,
            acc: 0,
            bits: 0,
        }
    }

    fn fill(&mut self) {
        while self.bits <= 56 {
            let byte = match self.data.get(self.pos) {
                Some(0xFF) => match self.data.get(self.pos + 1) {
                    Some(0x00) => {
                        self.pos += 2;
                        0xFF
                    }
                    // A marker (or the end): feed zeros, as decoders do.
                    _ => 0,
                },
                Some(b) => {
                    self.pos += 1;
                    *b
                }
                None => 0,
            };
            self.acc |= u64::from(byte) << (56 - self.bits);
            self.bits += 8;
        }
    }

    fn take(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        if self.bits < n {
            self.fill();
        }
        let v = (self.acc >> (64 - n)) as u32;
        self.acc <<= n;
        self.bits -= n;
        v
    }

    fn decode(&mut self, h: &Huffman) -> Option<u8> {
        if self.bits < 16 {
            self.fill();
        }
        let peek = (self.acc >> 48) as u32;
        let (len, sym) = h.fast[(peek >> (16 - LOOKAHEAD)) as usize];
        if len > 0 {
            self.acc <<= len;
            self.bits -= u32::from(len);
            return Some(sym);
        }
        for len in LOOKAHEAD as usize + 1..=16 {
            let code = (peek >> (16 - len)) as i32;
            if code <= h.maxcode[len] {
                self.acc <<= len;
                self.bits -= len as u32;
                let i = h.valptr[len] + code - h.mincode[len];
                return h.values.get(i as usize).copied();
            }
        }
        None
    }

    /// Drops the bits left in the current byte and reads the RSTn marker that must follow.
    fn restart(&mut self) -> Option<()> {
        // Bits already pulled in beyond the marker are zeros fed at the marker: drop them all
        // and go back to the byte position of the marker.
        self.acc = 0;
        self.bits = 0;
        while self.pos + 1 < self.data.len() {
            if self.data[self.pos] == 0xFF && (0xD0..=0xD7).contains(&self.data[self.pos + 1]) {
                self.pos += 2;
                return Some(());
            }
            if self.data[self.pos] == 0xFF && self.data[self.pos + 1] != 0x00 {
                return None;
            }
            self.pos += 1;
        }
        None
    }
}

/// Writes an entropy-coded segment (0xFF stuffed with 0x00).
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    bits: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, n: u32) {
        if n == 0 {
            return;
        }
        self.acc = (self.acc << n) | (value & ((1u32 << n) - 1));
        self.bits += n;
        while self.bits >= 8 {
            let byte = (self.acc >> (self.bits - 8)) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
            self.bits -= 8;
        }
        self.acc &= (1u32 << self.bits) - 1;
    }

    fn code(&mut self, h: &Huffman, sym: u8) -> Option<()> {
        let size = h.size[usize::from(sym)];
        if size == 0 {
            return None;
        }
        self.put(u32::from(h.code[usize::from(sym)]), u32::from(size));
        Some(())
    }

    /// Pads the last byte with ones.
    fn flush(&mut self) {
        if self.bits > 0 {
            let pad = 8 - self.bits;
            self.put((1 << pad) - 1, pad);
        }
    }
}

fn extend(v: u32, s: u32) -> i32 {
    if s == 0 {
        0
    } else if v < (1 << (s - 1)) {
        v as i32 - (1 << s) + 1
    } else {
        v as i32
    }
}

/// Magnitude category and bits of a coefficient.
fn category(v: i32) -> (u32, u32) {
    let a = v.unsigned_abs();
    let s = 32 - a.leading_zeros();
    let bits = if v < 0 { (v - 1) as u32 } else { v as u32 };
    (s, bits & ((1u32 << s) - 1))
}

struct Component {
    h: usize,
    v: usize,
    quant: [u16; 64],
    dc: usize,
    ac: usize,
    black: f32,
}

fn cosines() -> [[f32; 8]; 8] {
    let mut c = [[0f32; 8]; 8];
    for (x, row) in c.iter_mut().enumerate() {
        for (u, v) in row.iter_mut().enumerate() {
            let cu = if u == 0 {
                std::f32::consts::FRAC_1_SQRT_2
            } else {
                1.0
            };
            *v = cu * (((2 * x + 1) as f32 * u as f32 * std::f32::consts::PI) / 16.0).cos() / 2.0;
        }
    }
    c
}

/// IDCT of dequantised coefficients (natural order) to level-shifted samples.
fn idct(coef: &[f32; 64], c: &[[f32; 8]; 8]) -> [f32; 64] {
    let mut tmp = [0f32; 64];
    for y in 0..8 {
        for u in 0..8 {
            tmp[y * 8 + u] = (0..8).map(|v| c[y][v] * coef[v * 8 + u]).sum();
        }
    }
    let mut out = [0f32; 64];
    for y in 0..8 {
        for x in 0..8 {
            out[y * 8 + x] = (0..8).map(|u| c[x][u] * tmp[y * 8 + u]).sum();
        }
    }
    out
}

/// DCT of level-shifted samples to coefficients (natural order).
fn fdct(samples: &[f32; 64], c: &[[f32; 8]; 8]) -> [f32; 64] {
    let mut tmp = [0f32; 64];
    for v in 0..8 {
        for x in 0..8 {
            tmp[v * 8 + x] = (0..8).map(|y| c[y][v] * samples[y * 8 + x]).sum();
        }
    }
    let mut out = [0f32; 64];
    for v in 0..8 {
        for u in 0..8 {
            out[v * 8 + u] = (0..8).map(|x| c[x][u] * tmp[v * 8 + x]).sum();
        }
    }
    out
}

/// Masked-pixel counts over any rectangle in constant time.
struct Coverage {
    w: usize,
    h: usize,
    sums: Vec<u32>,
}

impl Coverage {
    fn new(mask: &Mask) -> Coverage {
        let (w, h) = (mask.width as usize, mask.height as usize);
        let mut sums = vec![0u32; (w + 1) * (h + 1)];
        for y in 0..h {
            let mut row = 0u32;
            for x in 0..w {
                row += u32::from(mask.black[y * w + x]);
                sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1] + row;
            }
        }
        Coverage { w, h, sums }
    }

    /// (masked, total) pixels in `[x0, x1) × [y0, y1)` clipped to the image.
    fn count(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> (u32, u32) {
        let (x1, y1) = (x1.min(self.w), y1.min(self.h));
        if x0 >= x1 || y0 >= y1 {
            return (0, 0);
        }
        let s = |x: usize, y: usize| self.sums[y * (self.w + 1) + x];
        let masked = s(x1, y1) + s(x0, y0) - s(x0, y1) - s(x1, y0);
        (masked, ((x1 - x0) * (y1 - y0)) as u32)
    }
}

/// Width, height and the components (id, horizontal and vertical sampling, quantisation table).
type FrameHeader = (usize, usize, Vec<(u8, usize, usize, usize)>);

fn be16(data: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
    ])))
}

/// Blacks out `mask` in one JPEG frame. `black` is the black sample of each component in
/// file order (Y 0, Cb and Cr 128 for YCbCr; 0 for greyscale).
pub(crate) fn mask_jpeg(data: &[u8], mask: &Mask, black: &[u8]) -> Option<Vec<u8>> {
    if data.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() + 1024);
    out.extend_from_slice(&data[..2]);
    let mut pos = 2;
    let mut quant = [[0u16; 64]; 4];
    let mut dc_tables: [Option<Huffman>; 4] = Default::default();
    let mut ac_tables: [Option<Huffman>; 4] = Default::default();
    let mut frame: Option<FrameHeader> = None;
    let mut restart_interval = 0usize;
    loop {
        if *data.get(pos)? != 0xFF {
            return None;
        }
        let marker = *data.get(pos + 1)?;
        if marker == 0xFF {
            pos += 1;
            continue;
        }
        let len = be16(data, pos + 2)?;
        let seg = data.get(pos + 4..pos + 2 + len)?;
        match marker {
            0xDB => {
                let mut s = seg;
                while !s.is_empty() {
                    let (pq, tq) = (s[0] >> 4, usize::from(s[0] & 15));
                    let table = quant.get_mut(tq)?;
                    if pq == 0 {
                        for (k, q) in table.iter_mut().enumerate() {
                            *q = u16::from(*s.get(1 + k)?);
                        }
                        s = s.get(65..)?;
                    } else {
                        for (k, q) in table.iter_mut().enumerate() {
                            *q = u16::from_be_bytes([*s.get(1 + 2 * k)?, *s.get(2 + 2 * k)?]);
                        }
                        s = s.get(129..)?;
                    }
                }
            }
            0xC4 => {
                let mut s = seg;
                while !s.is_empty() {
                    let (class, id) = (s[0] >> 4, usize::from(s[0] & 15));
                    let counts: [u8; 16] = s.get(1..17)?.try_into().ok()?;
                    let n: usize = counts.iter().map(|c| usize::from(*c)).sum();
                    let table = Huffman::new(&counts, s.get(17..17 + n)?)?;
                    match class {
                        0 => *dc_tables.get_mut(id)? = Some(table),
                        1 => *ac_tables.get_mut(id)? = Some(table),
                        _ => return None,
                    }
                    s = s.get(17 + n..)?;
                }
            }
            // Baseline and extended sequential Huffman, 8-bit samples.
            0xC0 | 0xC1 => {
                if seg.first() != Some(&8) {
                    return None;
                }
                let height = be16(seg, 1)?;
                let width = be16(seg, 3)?;
                let n = usize::from(*seg.get(5)?);
                let mut comps = Vec::with_capacity(n);
                for i in 0..n {
                    let c = seg.get(6 + 3 * i..9 + 3 * i)?;
                    comps.push((
                        c[0],
                        usize::from(c[1] >> 4),
                        usize::from(c[1] & 15),
                        usize::from(c[2]),
                    ));
                }
                frame = Some((width, height, comps));
            }
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xDD => restart_interval = be16(seg, 0)?,
            0xDA => break,
            _ => {}
        }
        out.extend_from_slice(data.get(pos..pos + 2 + len)?);
        pos += 2 + len;
    }
    // The scan header.
    let (width, height, frame_comps) = frame?;
    if width != mask.width as usize
        || height != mask.height as usize
        || black.len() != frame_comps.len()
    {
        return None;
    }
    let sos_len = be16(data, pos + 2)?;
    let sos = data.get(pos + 4..pos + 2 + sos_len)?;
    let ns = usize::from(*sos.first()?);
    if ns != frame_comps.len() || sos.get(1 + 2 * ns..4 + 2 * ns)? != [0, 63, 0] {
        return None;
    }
    let mut comps = Vec::with_capacity(ns);
    for i in 0..ns {
        let (id, tables) = (sos[1 + 2 * i], sos[2 + 2 * i]);
        let fi = frame_comps.iter().position(|c| c.0 == id)?;
        if fi != i {
            return None;
        }
        let (_, h, v, tq) = frame_comps[fi];
        if !(1..=2).contains(&h) || !(1..=2).contains(&v) {
            return None;
        }
        let (dc, ac) = (usize::from(tables >> 4), usize::from(tables & 15));
        dc_tables.get(dc)?.as_ref()?;
        ac_tables.get(ac)?.as_ref()?;
        comps.push(Component {
            h,
            v,
            quant: *quant.get(tq)?,
            dc,
            ac,
            black: f32::from(black[i]) - 128.0,
        });
    }
    if comps.iter().any(|c| c.quant.contains(&0)) {
        return None;
    }
    out.extend_from_slice(data.get(pos..pos + 2 + sos_len)?);
    let ecs_start = pos + 2 + sos_len;
    // The entropy-coded segment ends at the first marker that is not a restart.
    let mut ecs_end = ecs_start;
    while ecs_end + 1 < data.len() {
        if data[ecs_end] == 0xFF
            && data[ecs_end + 1] != 0
            && !(0xD0..=0xD7).contains(&data[ecs_end + 1])
        {
            break;
        }
        ecs_end += 1;
    }
    let tail = data.get(ecs_end..)?;
    // A second scan (progressive or non-interleaved) is not handled here.
    if tail.windows(2).any(|w| w == [0xFF, 0xDA]) {
        return None;
    }

    let hmax = comps.iter().map(|c| c.h).max()?;
    let vmax = comps.iter().map(|c| c.v).max()?;
    let mcux = width.div_ceil(8 * hmax);
    let mcuy = height.div_ceil(8 * vmax);
    let coverage = Coverage::new(mask);
    let cos = cosines();
    let mut reader = BitReader::new(data.get(ecs_start..ecs_end)?);
    let mut writer = BitWriter {
        out,
        acc: 0,
        bits: 0,
    };
    let mut pred_in = vec![0i32; comps.len()];
    let mut pred_out = vec![0i32; comps.len()];
    let mut next_rst = 0u8;
    let total = mcux * mcuy;
    for m in 0..total {
        if restart_interval > 0 && m > 0 && m % restart_interval == 0 {
            reader.restart()?;
            writer.flush();
            writer.out.extend_from_slice(&[0xFF, 0xD0 + next_rst]);
            next_rst = (next_rst + 1) & 7;
            pred_in.iter_mut().for_each(|p| *p = 0);
            pred_out.iter_mut().for_each(|p| *p = 0);
        }
        let (mx, my) = (m % mcux, m / mcux);
        for (ci, c) in comps.iter().enumerate() {
            let dc_table = dc_tables[c.dc].as_ref()?;
            let ac_table = ac_tables[c.ac].as_ref()?;
            let (sx, sy) = (hmax / c.h, vmax / c.v);
            for by in 0..c.v {
                for bx in 0..c.h {
                    // Read the block, coefficients in zig-zag order.
                    let mut zz = [0i32; 64];
                    let t = u32::from(reader.decode(dc_table)?);
                    if t > 11 {
                        return None;
                    }
                    pred_in[ci] += extend(reader.take(t), t);
                    zz[0] = pred_in[ci];
                    let mut k = 1;
                    while k < 64 {
                        let rs = reader.decode(ac_table)?;
                        let (r, s) = (usize::from(rs >> 4), u32::from(rs & 15));
                        if s == 0 {
                            if r == 15 {
                                k += 16;
                                continue;
                            }
                            break;
                        }
                        k += r;
                        if k > 63 {
                            return None;
                        }
                        zz[k] = extend(reader.take(s), s);
                        k += 1;
                    }
                    // Where the block lies in the image, in pixels.
                    let px0 = ((mx * c.h + bx) * 8) * sx;
                    let py0 = ((my * c.v + by) * 8) * sy;
                    let (masked, area) = coverage.count(px0, py0, px0 + 8 * sx, py0 + 8 * sy);
                    if area > 0 && masked == area {
                        zz = [0; 64];
                        zz[0] = (c.black * 8.0 / f32::from(c.quant[0])).round() as i32;
                    } else if masked > 0 {
                        let mut coef = [0f32; 64];
                        for k in 0..64 {
                            coef[ZIGZAG[k]] = (zz[k] * i32::from(c.quant[k])) as f32;
                        }
                        let mut samples = idct(&coef, &cos);
                        for y in 0..8 {
                            for x in 0..8 {
                                let (px, py) = (px0 + x * sx, py0 + y * sy);
                                let (hit, _) = coverage.count(px, py, px + sx, py + sy);
                                if hit > 0 {
                                    samples[y * 8 + x] = c.black;
                                }
                            }
                        }
                        let coef = fdct(&samples, &cos);
                        for k in 0..64 {
                            zz[k] = (coef[ZIGZAG[k]] / f32::from(c.quant[k])).round() as i32;
                        }
                    }
                    // Write it back.
                    let diff = zz[0] - pred_out[ci];
                    pred_out[ci] = zz[0];
                    let (s, bits) = category(diff);
                    if s > 11 {
                        return None;
                    }
                    writer.code(dc_table, s as u8)?;
                    writer.put(bits, s);
                    let mut run = 0;
                    for &v in &zz[1..] {
                        if v == 0 {
                            run += 1;
                            continue;
                        }
                        while run >= 16 {
                            writer.code(ac_table, 0xF0)?;
                            run -= 16;
                        }
                        let (s, bits) = category(v);
                        if s > 10 {
                            return None;
                        }
                        writer.code(ac_table, ((run as u8) << 4) | s as u8)?;
                        writer.put(bits, s);
                        run = 0;
                    }
                    if run > 0 {
                        writer.code(ac_table, 0x00)?;
                    }
                }
            }
        }
    }
    writer.flush();
    let mut out = writer.out;
    out.extend_from_slice(tail);
    if out.len() % 2 == 1 {
        out.push(0);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dct_pair_round_trips_and_categories_match_the_standard() {
        let c = cosines();
        let mut s = [0f32; 64];
        for (i, v) in s.iter_mut().enumerate() {
            *v = ((i * 37) % 255) as f32 - 128.0;
        }
        let back = idct(&fdct(&s, &c), &c);
        assert!(s.iter().zip(back).all(|(a, b)| (a - b).abs() < 1e-2));
        // A flat block of value v has DC 8v.
        let flat = fdct(&[-128.0; 64], &c);
        assert!((flat[0] + 1024.0).abs() < 1e-2 && flat[1..].iter().all(|v| v.abs() < 1e-3));
        assert_eq!(category(0), (0, 0));
        assert_eq!(category(1), (1, 1));
        assert_eq!(category(-1), (1, 0));
        assert_eq!(category(-3), (2, 0));
        assert_eq!(category(5), (3, 5));
        for v in [-1000, -7, -1, 1, 7, 1000] {
            let (s, bits) = category(v);
            assert_eq!(extend(bits, s), v);
        }
    }
}
