//! RGB pictures for rendered images and thumbnails: a source region cut out (and flipped),
//! a resize by a tent filter (an area average when shrinking, bilinear when growing) and
//! JPEG or PNG encoding, with the encoders already in the tree (jpeg-encoder, png).

/// The image formats rendered images come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum ImageFormat {
    Jpeg,
    Png,
}

impl ImageFormat {
    /// In SonoHub's order of preference: JPEG unless PNG is asked for.
    pub const OFFERED: [&'static str; 2] = ["image/jpeg", "image/png"];

    pub fn from_media_type(media_type: &str) -> ImageFormat {
        if media_type == "image/png" {
            ImageFormat::Png
        } else {
            ImageFormat::Jpeg
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }
}

/// A region of the source image (`sx,sy,sw,sh`); a negative width or height flips the image
/// on that axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct SourceRegion {
    pub x: u32,
    pub y: u32,
    pub width: i32,
    pub height: i32,
}

/// The largest size of `width × height`'s aspect ratio that fits inside `box_w × box_h`
/// (never less than one pixel a side).
pub(super) fn fit_inside(width: u32, height: u32, box_w: u32, box_h: u32) -> (u32, u32) {
    let scale = f64::min(
        f64::from(box_w) / f64::from(width),
        f64::from(box_h) / f64::from(height),
    );
    let side = |v: u32, limit: u32| ((f64::from(v) * scale).round() as u32).clamp(1, limit);
    (side(width, box_w), side(height, box_h))
}

/// Interleaved RGB from `cine`'s RGBA (alpha is always opaque).
pub(super) fn rgb(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect()
}

/// An RGB image being rendered.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Picture {
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let at = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[at], self.rgb[at + 1], self.rgb[at + 2]]
    }

    /// The region `r` of the picture, flipped where its extent is negative.
    pub fn region(&self, r: SourceRegion) -> Result<Picture, String> {
        let (w, h) = (r.width.unsigned_abs(), r.height.unsigned_abs());
        let fits = u64::from(r.x) + u64::from(w) <= u64::from(self.width)
            && u64::from(r.y) + u64::from(h) <= u64::from(self.height);
        if !fits {
            return Err(format!(
                "the viewport's source region lies outside the {}×{} image",
                self.width, self.height
            ));
        }
        let mut rgb = Vec::with_capacity(w as usize * h as usize * 3);
        for row in 0..h {
            let y = if r.height < 0 { h - 1 - row } else { row };
            for col in 0..w {
                let x = if r.width < 0 { w - 1 - col } else { col };
                rgb.extend_from_slice(&self.pixel(r.x + x, r.y + y));
            }
        }
        Ok(Picture {
            width: w,
            height: h,
            rgb,
        })
    }

    /// The picture resampled to `width × height`: each new pixel a tent-weighted mean of the
    /// source pixels under it (an area average when shrinking, bilinear when growing).
    pub fn resized(&self, width: u32, height: u32) -> Picture {
        if (width, height) == (self.width, self.height) {
            return self.clone();
        }
        let across = resample(&self.rgb, self.width, self.height, width, Axis::Across);
        let rgb = resample(&across, width, self.height, height, Axis::Down);
        Picture { width, height, rgb }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Axis {
    Across,
    Down,
}

/// For each of `to` output samples along an axis of `from` samples: the first source sample
/// it reads and the normalised weights of those it reads.
fn tent_weights(from: u32, to: u32) -> Vec<(usize, Vec<f32>)> {
    let scale = from as f32 / to as f32;
    let radius = scale.max(1.0);
    (0..to)
        .map(|i| {
            let centre = (i as f32 + 0.5) * scale - 0.5;
            let first = (centre - radius).ceil().max(0.0) as usize;
            let last = ((centre + radius).floor() as usize).min(from as usize - 1);
            let mut weights: Vec<f32> = (first..=last)
                .map(|j| (1.0 - (j as f32 - centre).abs() / radius).max(0.0))
                .collect();
            let total: f32 = weights.iter().sum();
            if total > 0.0 {
                weights.iter_mut().for_each(|w| *w /= total);
            } else {
                // Centre exactly between samples at the edge: take the nearest.
                weights = vec![1.0];
                return (
                    centre.round().clamp(0.0, (from - 1) as f32) as usize,
                    weights,
                );
            }
            (first, weights)
        })
        .collect()
}

/// Resamples RGB `src` (`width × height`) along one axis to `to` samples.
fn resample(src: &[u8], width: u32, height: u32, to: u32, axis: Axis) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let (out_w, out_h, along) = match axis {
        Axis::Across => (to as usize, h, width),
        Axis::Down => (w, to as usize, height),
    };
    let weights = tent_weights(along, to);
    let mut out = vec![0u8; out_w * out_h * 3];
    for y in 0..out_h {
        for x in 0..out_w {
            let (first, ws) = match axis {
                Axis::Across => &weights[x],
                Axis::Down => &weights[y],
            };
            let mut sum = [0f32; 3];
            for (k, weight) in ws.iter().enumerate() {
                let at = match axis {
                    Axis::Across => (y * w + first + k) * 3,
                    Axis::Down => ((first + k) * w + x) * 3,
                };
                for c in 0..3 {
                    sum[c] += weight * f32::from(src[at + c]);
                }
            }
            let at = (y * out_w + x) * 3;
            for c in 0..3 {
                out[at + c] = sum[c].round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    out
}

/// The picture as a JPEG or PNG file.
pub(super) fn encode(
    picture: &Picture,
    format: ImageFormat,
    quality: u8,
) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    match format {
        ImageFormat::Jpeg => {
            let side =
                |v: u32| u16::try_from(v).map_err(|_| anyhow::anyhow!("{v} px is too large"));
            jpeg_encoder::Encoder::new(&mut out, quality).encode(
                &picture.rgb,
                side(picture.width)?,
                side(picture.height)?,
                jpeg_encoder::ColorType::Rgb,
            )?;
        }
        ImageFormat::Png => {
            let mut encoder = png::Encoder::new(&mut out, picture.width, picture.height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&picture.rgb)?;
            writer.finish()?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewports_fit_inside_and_keep_the_aspect_ratio() {
        assert_eq!(fit_inside(320, 240, 128, 128), (128, 96));
        assert_eq!(fit_inside(240, 320, 128, 128), (96, 128));
        assert_eq!(fit_inside(320, 240, 640, 100), (133, 100));
        assert_eq!(fit_inside(320, 240, 640, 480), (640, 480), "grows to fill");
        assert_eq!(
            fit_inside(4000, 10, 100, 100),
            (100, 1),
            "never below one pixel"
        );
    }

    fn picture(width: u32, height: u32) -> Picture {
        let rgb = (0..width * height)
            .flat_map(|i| [(i % 256) as u8, (i / width) as u8, 7])
            .collect();
        Picture { width, height, rgb }
    }

    #[test]
    fn regions_cut_and_flip() {
        let p = picture(4, 3);
        let cut = p
            .region(SourceRegion {
                x: 1,
                y: 1,
                width: 2,
                height: 2,
            })
            .unwrap();
        assert_eq!((cut.width, cut.height), (2, 2));
        assert_eq!(cut.pixel(0, 0), p.pixel(1, 1));
        let flipped = p
            .region(SourceRegion {
                x: 0,
                y: 0,
                width: -4,
                height: 3,
            })
            .unwrap();
        assert_eq!(flipped.pixel(0, 0), p.pixel(3, 0));
        assert!(
            p.region(SourceRegion {
                x: 3,
                y: 0,
                width: 2,
                height: 1
            })
            .is_err()
        );
    }

    #[test]
    fn resampling_averages_when_shrinking_and_keeps_flat_colour() {
        let flat = Picture {
            width: 10,
            height: 6,
            rgb: [40, 80, 120].repeat(60),
        };
        for (w, h) in [(5, 3), (20, 12), (7, 4), (1, 1)] {
            let r = flat.resized(w, h);
            assert_eq!(r.rgb.len(), (w * h * 3) as usize);
            assert!(r.rgb.chunks(3).all(|px| px == [40, 80, 120]), "{w}x{h}");
        }
        // Alternating black and white columns average to grey at half width.
        let stripes = Picture {
            width: 4,
            height: 1,
            rgb: [0, 0, 0, 255, 255, 255].repeat(2),
        };
        let half = stripes.resized(2, 1);
        assert!(
            half.rgb.iter().all(|v| (96..=160).contains(v)),
            "{:?}",
            half.rgb
        );
    }

    #[test]
    fn jpeg_and_png_come_out_with_their_magic() {
        let p = picture(20, 10);
        let jpeg = encode(&p, ImageFormat::Jpeg, 80).unwrap();
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
        let png = encode(&p, ImageFormat::Png, 0).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
}
