//! Pixel cleaning glue: the mask of what to black out, the cleaned pixels put back with their
//! layout, and the check that every masked pixel of every frame is blank.
use super::{AnonymizeConfig, AnonymizeError, first_text};
use cine::clean::{CleanedPixels, Mask, PixelRect};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::DefaultDicomObject;

/// What to black out: everything outside the ultrasound regions (the whole image when only a
/// device mask is known), the device's rectangles and those an expert drew.
pub(super) fn pixel_mask(clip: &cine::Clip, cfg: &AnonymizeConfig) -> Result<Mask, AnonymizeError> {
    let source = clip.object();
    let info = clip.info();
    let manufacturer = first_text(source, tags::MANUFACTURER);
    let model = first_text(source, tags::MANUFACTURER_MODEL_NAME);
    let keep: Vec<PixelRect> = info
        .regions
        .iter()
        .map(|r| PixelRect {
            x0: r.x0,
            y0: r.y0,
            x1: r.x1,
            y1: r.y1,
        })
        .collect();
    let mut remove: Vec<PixelRect> = cfg.extra_masks.clone();
    let device_rects: Vec<PixelRect> = cfg
        .device_masks
        .iter()
        .filter(|d| {
            d.manufacturer.eq_ignore_ascii_case(manufacturer.trim())
                && d.model.eq_ignore_ascii_case(model.trim())
                && d.columns == info.columns
                && d.rows == info.rows
        })
        .flat_map(|d| d.rects.iter().copied())
        .collect();
    if keep.is_empty() && device_rects.is_empty() {
        return Err(AnonymizeError::NoImageArea);
    }
    remove.extend(device_rects);
    let full = [PixelRect {
        x0: 0,
        y0: 0,
        x1: info.columns.saturating_sub(1),
        y1: info.rows.saturating_sub(1),
    }];
    Ok(Mask::new(
        info.columns,
        info.rows,
        if keep.is_empty() { &full } else { &keep },
        &remove,
    ))
}

/// Puts cleaned pixel data with its layout and compression, then Burned In Annotation = NO.
pub(in crate::dicom) fn put_cleaned_pixels(
    obj: &mut DefaultDicomObject,
    cleaned: CleanedPixels,
    source_syntax: &str,
) {
    let put_str = |obj: &mut DefaultDicomObject, tag: Tag, vr: VR, value: &str| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    let recoded = cleaned.transfer_syntax != source_syntax;
    obj.put(DataElement::new(tags::PIXEL_DATA, VR::OB, cleaned.value));
    put_str(
        obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        &cleaned.photometric,
    );
    if recoded {
        obj.put(DataElement::new(
            tags::PLANAR_CONFIGURATION,
            VR::US,
            PrimitiveValue::from(0u16),
        ));
        if let Some(ratio) = cleaned.lossy_ratio {
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
    }
    put_str(obj, tags::BURNED_IN_ANNOTATION, VR::CS, "NO");
    obj.meta_mut().transfer_syntax = cleaned.transfer_syntax;
}

/// Decodes every frame of the output: each masked pixel must be black (near black after a
/// lossy re-encode).
pub(in crate::dicom) fn check_masked_pixels(
    out: &[u8],
    mask: &Mask,
    lossy: bool,
) -> Result<(), AnonymizeError> {
    let stored = cine::Clip::parse(out).map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
    let limit = if lossy { 48 } else { 0 };
    let check = |n: u32| -> Result<(), AnonymizeError> {
        let frame = stored
            .decode_frame(n)
            .map_err(|e| AnonymizeError::Pixels(e.to_string()))?;
        let dirty = mask
            .black
            .iter()
            .zip(frame.rgba.chunks_exact(4))
            .any(|(black, px)| *black && px[..3].iter().any(|v| *v > limit));
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
