//! The quarantine and device masks: experts see the files held for want of an image area,
//! mark the area (for one file, or as the mask of its device, which releases every held file
//! of that device) or discard a file; admins list, edit and retire device masks.
use crate::model::{AppError, DeviceMaskView, HeldDevice, HeldFile, MaskRect};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::{InvalidReason, Permission},
    domain::audit::Actor,
    domain::imports::{self, HeldOutcome},
};

/// Ids are UUIDs; anything else names nothing.
#[cfg(feature = "ssr")]
fn check_id(id: &str, what: &str) -> Result<(), AppError> {
    if id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        Ok(())
    } else {
        Err(AppError::NotFound(what.into()))
    }
}

#[cfg(feature = "ssr")]
fn held_outcome(outcome: HeldOutcome) -> Result<(), AppError> {
    match outcome {
        HeldOutcome::Done => Ok(()),
        HeldOutcome::NotFound => Err(AppError::NotFound("held file".into())),
        HeldOutcome::BadArea => Err(AppError::invalid("area", InvalidReason::BadFormat)),
    }
}

/// Held files grouped by device. Experts only.
#[server(endpoint = "held_files")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn held_files() -> Result<Vec<HeldDevice>, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    Ok(imports::list_held(&state.db, &user).await?)
}

/// One held file. Experts only.
#[server(endpoint = "get_held_file")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn get_held_file(id: String) -> Result<HeldFile, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    check_id(&id, "held file")?;
    imports::held_file(&state.db, &id, &user)
        .await?
        .ok_or_else(|| AppError::NotFound("held file".into()))
}

/// Releases one held file, cleaned with the image area marked on it. Experts only.
#[server(endpoint = "release_held", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn release_held(id: String, area: MaskRect) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    check_id(&id, "held file")?;
    let actor = Actor::web(&user.id);
    held_outcome(state.importer.release_held(&actor, &id, area).await?)
}

/// Deletes a held file without importing it. Experts only.
#[server(endpoint = "discard_held")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn discard_held(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    check_id(&id, "held file")?;
    held_outcome(
        state
            .importer
            .discard_held(&Actor::web(&user.id), &id)
            .await?,
    )
}

/// Saves `area` as the mask of the held file's device (its manufacturer, model and image
/// size): every held file of that device is released, and later ones are cleaned with it.
/// Returns how many files were released. Experts only.
#[server(endpoint = "save_device_mask", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn save_device_mask(held: String, area: MaskRect) -> Result<u64, AppError> {
    let state = guard::state()?;
    let user = guard::user_who_may(Permission::CurateStudies).await?;
    check_id(&held, "held file")?;
    let file = imports::held_file(&state.db, &held, &user)
        .await?
        .ok_or_else(|| AppError::NotFound("held file".into()))?;
    if file.device.manufacturer.is_empty() && file.device.model.is_empty() {
        // A file that names no device: a mask would apply to every such file.
        return Err(AppError::invalid("device", InvalidReason::Required));
    }
    let input = imports::MaskInput {
        device: file.device,
        keep: area,
        remove: Vec::new(),
    };
    match state
        .importer
        .save_device_mask(&Actor::web(&user.id), &input)
        .await?
    {
        Some((_, released)) => Ok(released),
        None => Err(AppError::invalid("area", InvalidReason::BadFormat)),
    }
}

/// Every device mask, active first, with its uses. Admins only.
#[server(endpoint = "device_masks")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn device_masks() -> Result<Vec<DeviceMaskView>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ManageDeviceMasks).await?;
    Ok(imports::list_device_masks(&state.db).await?)
}

/// Changes an active mask's image area and the rectangles blacked out inside it; returns how
/// many held files of its device were released. Admins only.
#[server(endpoint = "edit_device_mask", input = Json)]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn edit_device_mask(
    id: String,
    keep: MaskRect,
    remove: Vec<MaskRect>,
) -> Result<u64, AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageDeviceMasks).await?;
    check_id(&id, "device mask")?;
    if remove.len() > 64 {
        return Err(AppError::invalid("rects", InvalidReason::TooLong));
    }
    match state
        .importer
        .edit_device_mask(&Actor::web(&admin.id), &id, keep, &remove)
        .await?
    {
        imports::MaskEdit::Done(released) => Ok(released),
        imports::MaskEdit::NotFound => Err(AppError::NotFound("device mask".into())),
        imports::MaskEdit::BadArea => Err(AppError::invalid("area", InvalidReason::BadFormat)),
    }
}

/// Retires an active mask: later files of its device are held again. Admins only.
#[server(endpoint = "retire_device_mask")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn retire_device_mask(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageDeviceMasks).await?;
    check_id(&id, "device mask")?;
    if imports::retire_device_mask(&state.db, &Actor::web(&admin.id), &id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("device mask".into()))
    }
}
