//! Pixel cleaning glue: the mask of what to black out, the cleaned pixels put back with their
//! layout, and the check that every masked pixel of every frame is blank.
use super::{AnonymizeConfig, AnonymizeError, first_text};
use cine::clean::{CleanedPixels, Mask, PixelRect};
use dicom_core::value::Value as DicomValue;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

/// What to black out: everything outside the image area, then the device's rectangles and
/// those an expert drew. The image area is the ultrasound regions; without them, the area an
/// expert marked on this file, else the device mask's area, else (a mask from a
/// `--device-masks` file with rectangles only) the whole image. With none of these the file is
/// refused with `NoImageArea` (the importer holds it for an expert). Also returns the ids of
/// the stored device masks used.
pub(super) fn pixel_mask(
    clip: &cine::Clip,
    cfg: &AnonymizeConfig,
) -> Result<(Mask, Vec<String>), AnonymizeError> {
    let source = clip.object();
    let info = clip.info();
    let manufacturer = first_text(source, tags::MANUFACTURER);
    let model = first_text(source, tags::MANUFACTURER_MODEL_NAME);
    let regions: Vec<PixelRect> = info
        .regions
        .iter()
        .map(|r| PixelRect {
            x0: r.x0,
            y0: r.y0,
            x1: r.x1,
            y1: r.y1,
        })
        .collect();
    let devices: Vec<&super::DeviceMask> = cfg
        .device_masks
        .iter()
        .filter(|d| d.applies_to(&manufacturer, &model, info.columns, info.rows))
        .collect();
    let inside =
        |r: &PixelRect| r.x0 <= r.x1 && r.y0 <= r.y1 && r.x1 < info.columns && r.y1 < info.rows;
    let device_keep: Vec<PixelRect> = devices
        .iter()
        .filter_map(|d| d.keep)
        .filter(inside)
        .collect();
    let device_rects: Vec<PixelRect> = devices
        .iter()
        .flat_map(|d| d.rects.iter().copied())
        .collect();
    let mut used: Vec<String> = Vec::new();
    let keep: Vec<PixelRect> = if !regions.is_empty() {
        regions
    } else if let Some(area) = cfg.image_area.filter(inside) {
        vec![area]
    } else if !device_keep.is_empty() {
        used.extend(
            devices
                .iter()
                .filter(|d| d.keep.is_some())
                .filter_map(|d| d.id.clone()),
        );
        device_keep
    } else if !device_rects.is_empty() {
        vec![PixelRect {
            x0: 0,
            y0: 0,
            x1: info.columns.saturating_sub(1),
            y1: info.rows.saturating_sub(1),
        }]
    } else {
        return Err(AnonymizeError::NoImageArea);
    };
    if !device_rects.is_empty() {
        used.extend(
            devices
                .iter()
                .filter(|d| !d.rects.is_empty())
                .filter_map(|d| d.id.clone()),
        );
    }
    used.sort();
    used.dedup();
    let mut remove: Vec<PixelRect> = cfg.extra_masks.clone();
    remove.extend(device_rects);
    Ok((Mask::new(info.columns, info.rows, &keep, &remove), used))
}

/// The palette attributes (PS3.3 C.7.6.3.1.5-6), dropped when a palette image becomes RGB.
const PALETTE_TAGS: [Tag; 10] = [
    tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::SEGMENTED_RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::SEGMENTED_GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::SEGMENTED_BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::PALETTE_COLOR_LOOKUP_TABLE_UID,
];

/// Puts cleaned pixel data with its layout and compression, then Burned In Annotation = NO,
/// and adds how the pixels were cleaned to De-identification Method.
pub(in crate::dicom) fn put_cleaned_pixels(
    obj: &mut DefaultDicomObject,
    cleaned: CleanedPixels,
    source_syntax: &str,
) {
    let put_str = |obj: &mut DefaultDicomObject, tag: Tag, vr: VR, value: &str| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    let put_us = |obj: &mut DefaultDicomObject, tag: Tag, value: u16| {
        obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(value)));
    };
    let recoded = cleaned.transfer_syntax != source_syntax;
    let summary = cleaned.summary();
    let layout = cleaned.layout;
    // Native data wider than 8 bits is OW; encapsulated and 8-bit data OB.
    let vr = match &cleaned.value {
        DicomValue::Primitive(_) if layout.bits_allocated > 8 => VR::OW,
        _ => VR::OB,
    };
    obj.put(DataElement::new(tags::PIXEL_DATA, vr, cleaned.value));
    put_str(
        obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        &cleaned.photometric,
    );
    put_us(obj, tags::SAMPLES_PER_PIXEL, layout.samples_per_pixel);
    put_us(obj, tags::BITS_ALLOCATED, layout.bits_allocated);
    put_us(obj, tags::BITS_STORED, layout.bits_stored);
    put_us(obj, tags::HIGH_BIT, layout.high_bit);
    put_us(obj, tags::PIXEL_REPRESENTATION, layout.pixel_representation);
    if layout.samples_per_pixel > 1 {
        put_us(obj, tags::PLANAR_CONFIGURATION, layout.planar_configuration);
    } else {
        obj.remove_element(tags::PLANAR_CONFIGURATION);
    }
    if cleaned.photometric != "PALETTE COLOR" {
        for tag in PALETTE_TAGS {
            obj.remove_element(tag);
        }
    }
    if recoded && let Some(ratio) = cleaned.lossy_ratio {
        put_str(obj, tags::LOSSY_IMAGE_COMPRESSION, VR::CS, "01");
        put_str(
            obj,
            tags::LOSSY_IMAGE_COMPRESSION_METHOD,
            VR::CS,
            "ISO_10918_1",
        );
        put_str(
            obj,
            tags::LOSSY_IMAGE_COMPRESSION_RATIO,
            VR::DS,
            &format!("{:.2}", 1.0 / ratio.max(1e-6)),
        );
    }
    put_str(obj, tags::BURNED_IN_ANNOTATION, VR::CS, "NO");
    // How the pixels were cleaned, as one more value of the recorded method.
    let mut method: Vec<String> = obj
        .element_opt(tags::DEIDENTIFICATION_METHOD)
        .ok()
        .flatten()
        .and_then(|e| e.to_multi_str().ok())
        .map(|v| v.iter().map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    method.retain(|m| !m.is_empty() && !m.starts_with("Clean Pixel:"));
    method.push(summary);
    obj.put(DataElement::new(
        tags::DEIDENTIFICATION_METHOD,
        VR::LO,
        PrimitiveValue::Strs(method.into_iter().collect()),
    ));
    obj.meta_mut().transfer_syntax = cleaned.transfer_syntax;
}

/// Decodes every frame of the output: each masked pixel must be black (near black after a
/// lossy re-encode). Monochrome is looked at over its whole stored range, so a VOI window
/// cannot hide a masked value; a palette image's masked pixels may hold the entry nearest
/// black, within [`cine::clean::PALETTE_NEAR_BLACK`]. Without a new loss every masked pixel
/// must also be the same colour, so nothing can be drawn in near-black.
pub(in crate::dicom) fn check_masked_pixels(
    out: &[u8],
    mask: &Mask,
    lossy: bool,
) -> Result<(), AnonymizeError> {
    let stored = cine::Clip::parse(out).map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
    let palette = stored.info().photometric.trim() == "PALETTE COLOR";
    let limit = match (lossy, palette) {
        (true, _) => 48,
        (false, true) => cine::clean::PALETTE_NEAR_BLACK,
        (false, false) => 0,
    };
    let check = |n: u32| -> Result<(), AnonymizeError> {
        let frame = cine::clean::decode_frame_full_range(&stored, n)
            .map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
        let mut masked = mask
            .black
            .iter()
            .zip(frame.rgba.chunks_exact(4))
            .filter(|(black, _)| **black)
            .map(|(_, px)| &px[..3]);
        let first = masked.clone().next();
        let dirty = masked.any(|px| px.iter().any(|v| *v > limit) || (!lossy && Some(px) != first));
        if dirty {
            return Err(AnonymizeError::PixelsNotBlank { frame: n });
        }
        Ok(())
    };
    // Frames are independent: one interleaved share per core.
    let frames = stored.info().frames;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get() as u32)
        .unwrap_or(1)
        .clamp(1, frames.max(1));
    let results: Vec<Result<(), AnonymizeError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let check = &check;
                scope.spawn(move || (t..frames).step_by(threads as usize).try_for_each(check))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(AnonymizeError::Pixels("a checking thread failed".into()))
                })
            })
            .collect()
    });
    // The first dirty frame in frame order, whichever thread found it.
    let mut failures: Vec<AnonymizeError> = results.into_iter().filter_map(Result::err).collect();
    failures.sort_by_key(|e| match e {
        AnonymizeError::PixelsNotBlank { frame } => *frame,
        _ => 0,
    });
    failures.into_iter().next().map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dicom::anonymize::{AnonymizeConfig, anonymize};
    use cine::synth::{SynthOptions, SynthSyntax, synth_clip};
    use dicom_object::OpenFileOptions;

    /// A synthetic clip turned into PALETTE COLOR: each pixel's red level is its index into a
    /// grey ramp starting at `darkest` (16-bit entries).
    fn palette_clip(darkest: u16) -> Vec<u8> {
        let source = synth_clip(&SynthOptions {
            width: 64,
            height: 48,
            frames: 2,
            syntax: SynthSyntax::Rgb,
            fps: 30.0,
            seed: 5,
        })
        .unwrap();
        let mut obj = OpenFileOptions::new().from_reader(&source[128..]).unwrap();
        let rgb = obj
            .element(tags::PIXEL_DATA)
            .unwrap()
            .to_bytes()
            .unwrap()
            .to_vec();
        let indices: Vec<u8> = rgb.chunks_exact(3).map(|px| px[0]).collect();
        let ramp: Vec<u16> = (0..256u32)
            .map(|k| (u32::from(darkest) + (65535 - u32::from(darkest)) * k / 255) as u16)
            .collect();
        let put_us = |obj: &mut DefaultDicomObject, tag: Tag, v: u16| {
            obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(v)));
        };
        put_us(&mut obj, tags::SAMPLES_PER_PIXEL, 1);
        obj.remove_element(tags::PLANAR_CONFIGURATION);
        obj.put(DataElement::new(
            tags::PHOTOMETRIC_INTERPRETATION,
            VR::CS,
            PrimitiveValue::from("PALETTE COLOR"),
        ));
        for (desc, data) in [
            (
                tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
                tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            ),
            (
                tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
                tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            ),
            (
                tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
                tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            ),
        ] {
            obj.put(DataElement::new(
                desc,
                VR::US,
                PrimitiveValue::U16([256, 0, 16].into_iter().collect()),
            ));
            obj.put(DataElement::new(
                data,
                VR::OW,
                PrimitiveValue::U16(ramp.clone().into()),
            ));
        }
        obj.put(DataElement::new(
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::U8(indices.into()),
        ));
        let mut out = Vec::new();
        obj.write_all(&mut out).unwrap();
        out
    }

    fn cfg() -> AnonymizeConfig {
        AnonymizeConfig {
            secret: b"a secret of sixteen bytes or more".to_vec(),
            ..AnonymizeConfig::default()
        }
    }

    fn method(bytes: &[u8]) -> String {
        let clip = cine::Clip::parse(bytes).unwrap();
        first_text(clip.object(), tags::DEIDENTIFICATION_METHOD)
    }

    #[test]
    fn palette_clips_keep_their_black_entry_or_become_rgb_and_say_which() {
        let kept = anonymize(&palette_clip(0), &cfg()).unwrap();
        let clip = cine::Clip::parse(&kept.bytes).unwrap();
        assert_eq!(clip.info().photometric, "PALETTE COLOR");
        assert!(
            method(&kept.bytes).contains("palette entry 0; in place"),
            "{}",
            method(&kept.bytes)
        );

        let rgb = anonymize(&palette_clip(40 << 8), &cfg()).unwrap();
        let clip = cine::Clip::parse(&rgb.bytes).unwrap();
        assert_eq!(clip.info().photometric, "RGB");
        assert_eq!(clip.info().samples_per_pixel, 3);
        assert!(
            clip.object()
                .element_opt(tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA)
                .unwrap()
                .is_none(),
            "no palette left on an RGB image"
        );
        assert!(method(&rgb.bytes).contains("palette to RGB; RLE Lossless"));
        // The kept image shows the same colours as the palette did.
        let (before, after) = (
            cine::Clip::parse(&palette_clip(40 << 8)).unwrap(),
            cine::Clip::parse(&rgb.bytes).unwrap(),
        );
        let (a, b) = (
            before.decode_frame(1).unwrap(),
            after.decode_frame(1).unwrap(),
        );
        let centre = ((30 * 64 + 32) * 4) as usize;
        assert_eq!(a.rgba[centre..centre + 4], b.rgba[centre..centre + 4]);
    }

    #[test]
    fn a_palette_index_that_is_not_black_fails_the_check() {
        // Uncleaned: the banner's indices show bright colours where the mask says black.
        let source = palette_clip(0);
        let clip = cine::Clip::parse(&source).unwrap();
        let (mask, _) = pixel_mask(&clip, &cfg()).unwrap();
        assert!(matches!(
            check_masked_pixels(&source, &mask, false),
            Err(AnonymizeError::PixelsNotBlank { frame: 0 })
        ));
    }
}
