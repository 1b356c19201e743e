//! The Sequence of Ultrasound Regions (PS3.3 C.8.5.5): where each calibrated area of an
//! ultrasound image lies and what one pixel measures there.
use serde::{Deserialize, Serialize};

/// Physical Units X/Y Direction (0018,6024)/(0018,6026).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub enum PhysicalUnits {
    /// 0: no units.
    #[serde(rename = "none")]
    None,
    /// 1: percent.
    #[serde(rename = "percent")]
    Percent,
    /// 2: decibel.
    #[serde(rename = "dB")]
    Decibel,
    /// 3: centimetre.
    #[serde(rename = "cm")]
    Centimetre,
    /// 4: seconds.
    #[serde(rename = "sec")]
    Seconds,
    /// 5: hertz.
    #[serde(rename = "hertz")]
    Hertz,
    /// 6: decibel per second.
    #[serde(rename = "dB/sec")]
    DecibelPerSecond,
    /// 7: centimetre per second.
    #[serde(rename = "cm/sec")]
    CentimetrePerSecond,
    /// 8: square centimetre.
    #[serde(rename = "cm2")]
    SquareCentimetre,
    /// 9: square centimetre per second.
    #[serde(rename = "cm2/sec")]
    SquareCentimetrePerSecond,
    /// 10: cubic centimetre.
    #[serde(rename = "cm3")]
    CubicCentimetre,
    /// 11: cubic centimetre per second.
    #[serde(rename = "cm3/sec")]
    CubicCentimetrePerSecond,
    /// 12: degrees.
    #[serde(rename = "degrees")]
    Degrees,
    /// A value the standard does not define.
    #[serde(rename = "other")]
    Other(u16),
}

impl PhysicalUnits {
    /// The unit for a DICOM code.
    pub fn from_code(code: u16) -> Self {
        match code {
            0 => Self::None,
            1 => Self::Percent,
            2 => Self::Decibel,
            3 => Self::Centimetre,
            4 => Self::Seconds,
            5 => Self::Hertz,
            6 => Self::DecibelPerSecond,
            7 => Self::CentimetrePerSecond,
            8 => Self::SquareCentimetre,
            9 => Self::SquareCentimetrePerSecond,
            10 => Self::CubicCentimetre,
            11 => Self::CubicCentimetrePerSecond,
            12 => Self::Degrees,
            other => Self::Other(other),
        }
    }
}

/// Region Spatial Format (0018,6012).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SpatialFormat {
    /// 0: none or not applicable.
    None,
    /// 1: 2D (tissue or flow).
    TwoD,
    /// 2: M-mode.
    MMode,
    /// 3: spectral (Doppler).
    Spectral,
    /// 4: waveform (ECG, physiological trace).
    Waveform,
    /// 5: graphics.
    Graphics,
    /// A value the standard does not define.
    Other(u16),
}

impl SpatialFormat {
    /// The format for a DICOM code.
    pub fn from_code(code: u16) -> Self {
        match code {
            0 => Self::None,
            1 => Self::TwoD,
            2 => Self::MMode,
            3 => Self::Spectral,
            4 => Self::Waveform,
            5 => Self::Graphics,
            other => Self::Other(other),
        }
    }
}

/// Region Data Type (0018,6014).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RegionDataType {
    /// 1: tissue.
    Tissue,
    /// 2: colour flow.
    ColorFlow,
    /// 3: PW spectral Doppler.
    PwSpectralDoppler,
    /// 4: CW spectral Doppler.
    CwSpectralDoppler,
    /// 5: Doppler mean trace.
    DopplerMeanTrace,
    /// 6: Doppler mode trace.
    DopplerModeTrace,
    /// 7: Doppler max trace.
    DopplerMaxTrace,
    /// 8: volume trace.
    VolumeTrace,
    /// 10: ECG trace.
    EcgTrace,
    /// 11: pulse trace.
    PulseTrace,
    /// 12: phonocardiogram trace.
    PhonocardiogramTrace,
    /// 13: gray bar.
    GrayBar,
    /// 14: colour bar.
    ColorBar,
    /// 15: integrated backscatter.
    IntegratedBackscatter,
    /// 16: area trace.
    AreaTrace,
    /// 17: d(area)/dt.
    DAreaDt,
    /// 18: other physiological input.
    OtherPhysiological,
    /// Any other code (0, 9 and vendor values).
    Other(u16),
}

impl RegionDataType {
    /// The data type for a DICOM code.
    pub fn from_code(code: u16) -> Self {
        match code {
            1 => Self::Tissue,
            2 => Self::ColorFlow,
            3 => Self::PwSpectralDoppler,
            4 => Self::CwSpectralDoppler,
            5 => Self::DopplerMeanTrace,
            6 => Self::DopplerModeTrace,
            7 => Self::DopplerMaxTrace,
            8 => Self::VolumeTrace,
            10 => Self::EcgTrace,
            11 => Self::PulseTrace,
            12 => Self::PhonocardiogramTrace,
            13 => Self::GrayBar,
            14 => Self::ColorBar,
            15 => Self::IntegratedBackscatter,
            16 => Self::AreaTrace,
            17 => Self::DAreaDt,
            18 => Self::OtherPhysiological,
            other => Self::Other(other),
        }
    }
}

/// One item of the Sequence of Ultrasound Regions, its bounds clipped to the image.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UltrasoundRegion {
    /// Left column (inclusive).
    pub x0: u32,
    /// Top row (inclusive).
    pub y0: u32,
    /// Right column (inclusive).
    pub x1: u32,
    /// Bottom row (inclusive).
    pub y1: u32,
    /// True when the file's bounds reached past the image and were clipped.
    pub clipped: bool,
    /// Region Spatial Format.
    pub spatial_format: SpatialFormat,
    /// Region Data Type.
    pub data_type: RegionDataType,
    /// Region Flags (0018,6016).
    pub flags: u32,
    /// Physical Units X Direction.
    pub units_x: PhysicalUnits,
    /// Physical Units Y Direction.
    pub units_y: PhysicalUnits,
    /// Physical size of one pixel along X, in `units_x`.
    pub physical_delta_x: f64,
    /// Physical size of one pixel along Y, in `units_y`.
    pub physical_delta_y: f64,
    /// Reference Pixel X0 (0018,6020), when present.
    pub reference_pixel_x0: Option<i32>,
    /// Reference Pixel Y0 (0018,6022), when present.
    pub reference_pixel_y0: Option<i32>,
}

/// A region as written in the file, before clipping.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRegion {
    /// Region Location Min X0.
    pub x0: u32,
    /// Region Location Min Y0.
    pub y0: u32,
    /// Region Location Max X1.
    pub x1: u32,
    /// Region Location Max Y1.
    pub y1: u32,
    /// Region Spatial Format code.
    pub spatial_format: u16,
    /// Region Data Type code.
    pub data_type: u16,
    /// Region Flags.
    pub flags: u32,
    /// Physical Units X Direction code.
    pub units_x: u16,
    /// Physical Units Y Direction code.
    pub units_y: u16,
    /// Physical Delta X.
    pub physical_delta_x: f64,
    /// Physical Delta Y.
    pub physical_delta_y: f64,
    /// Reference Pixel X0.
    pub reference_pixel_x0: Option<i32>,
    /// Reference Pixel Y0.
    pub reference_pixel_y0: Option<i32>,
}

/// Clips a region to an image of `columns` × `rows`; `None` when it lies wholly outside the
/// image or its bounds are inverted.
pub fn clip_region(raw: &RawRegion, columns: u32, rows: u32) -> Option<UltrasoundRegion> {
    if columns == 0 || rows == 0 || raw.x0 > raw.x1 || raw.y0 > raw.y1 {
        return None;
    }
    if raw.x0 >= columns || raw.y0 >= rows {
        return None;
    }
    let x1 = raw.x1.min(columns - 1);
    let y1 = raw.y1.min(rows - 1);
    Some(UltrasoundRegion {
        x0: raw.x0,
        y0: raw.y0,
        x1,
        y1,
        clipped: x1 != raw.x1 || y1 != raw.y1,
        spatial_format: SpatialFormat::from_code(raw.spatial_format),
        data_type: RegionDataType::from_code(raw.data_type),
        flags: raw.flags,
        units_x: PhysicalUnits::from_code(raw.units_x),
        units_y: PhysicalUnits::from_code(raw.units_y),
        physical_delta_x: raw.physical_delta_x,
        physical_delta_y: raw.physical_delta_y,
        reference_pixel_x0: raw.reference_pixel_x0,
        reference_pixel_y0: raw.reference_pixel_y0,
    })
}

impl UltrasoundRegion {
    /// True when the image point (pixel `i` covers `[i, i + 1)`) lies inside the region.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= f64::from(self.x0)
            && x < f64::from(self.x1) + 1.0
            && y >= f64::from(self.y0)
            && y < f64::from(self.y1) + 1.0
    }

    /// Millimetres per pixel along X and Y, when both axes are calibrated in centimetres.
    pub fn mm_per_pixel(&self) -> Option<(f64, f64)> {
        let ok = |d: f64| d.is_finite() && d != 0.0;
        (self.units_x == PhysicalUnits::Centimetre
            && self.units_y == PhysicalUnits::Centimetre
            && ok(self.physical_delta_x)
            && ok(self.physical_delta_y))
        .then(|| {
            (
                self.physical_delta_x.abs() * 10.0,
                self.physical_delta_y.abs() * 10.0,
            )
        })
    }

    /// Pixel area of the region.
    pub fn pixel_area(&self) -> u64 {
        u64::from(self.x1 - self.x0 + 1) * u64::from(self.y1 - self.y0 + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(x0: u32, y0: u32, x1: u32, y1: u32) -> RawRegion {
        RawRegion {
            x0,
            y0,
            x1,
            y1,
            spatial_format: 1,
            data_type: 1,
            units_x: 3,
            units_y: 3,
            physical_delta_x: 0.01,
            physical_delta_y: 0.02,
            ..Default::default()
        }
    }

    #[test]
    fn regions_inside_the_image_are_kept_as_written() {
        let r = clip_region(&raw(10, 20, 100, 200), 640, 480).expect("inside");
        assert_eq!(
            (r.x0, r.y0, r.x1, r.y1, r.clipped),
            (10, 20, 100, 200, false)
        );
        assert_eq!(r.units_x, PhysicalUnits::Centimetre);
        assert_eq!(r.spatial_format, SpatialFormat::TwoD);
        assert_eq!(r.data_type, RegionDataType::Tissue);
        assert_eq!(r.mm_per_pixel(), Some((0.1, 0.2)));
    }

    #[test]
    fn regions_past_the_image_are_clipped() {
        let r = clip_region(&raw(600, 400, 1000, 900), 640, 480).expect("overlaps");
        assert_eq!((r.x1, r.y1, r.clipped), (639, 479, true));
    }

    #[test]
    fn regions_outside_or_inverted_are_dropped() {
        assert!(clip_region(&raw(700, 0, 800, 10), 640, 480).is_none());
        assert!(clip_region(&raw(50, 0, 10, 10), 640, 480).is_none());
        assert!(clip_region(&raw(0, 0, 10, 10), 0, 0).is_none());
    }

    #[test]
    fn units_serialise_as_their_names() {
        let names: Vec<String> = [3u16, 4, 7, 2, 99]
            .iter()
            .map(|c| serde_json::to_string(&PhysicalUnits::from_code(*c)).expect("json"))
            .collect();
        assert_eq!(
            names,
            [
                "\"cm\"",
                "\"sec\"",
                "\"cm/sec\"",
                "\"dB\"",
                "{\"other\":99}"
            ]
        );
    }

    #[test]
    fn only_centimetre_regions_are_calibrated_for_distance() {
        let mut doppler = raw(0, 0, 10, 10);
        doppler.units_x = 4;
        doppler.units_y = 7;
        let r = clip_region(&doppler, 20, 20).expect("inside");
        assert_eq!(r.mm_per_pixel(), None);
        let mut zero = raw(0, 0, 10, 10);
        zero.physical_delta_x = 0.0;
        assert_eq!(
            clip_region(&zero, 20, 20).and_then(|r| r.mm_per_pixel()),
            None
        );
    }
}
