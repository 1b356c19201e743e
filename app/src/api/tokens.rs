//! Read-only DICOMweb tokens for viewers and services: admins issue, name and revoke them.
use crate::model::{AppError, DicomWebTokenView, IssuedToken};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard,
    crate::model::{InvalidReason, Permission},
    domain::audit::Actor,
    domain::dicomweb_tokens::{self as tokens, Issue},
};

/// Every token, those in force first; never a secret. Admins only.
#[server(endpoint = "dicomweb_tokens")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn dicomweb_tokens() -> Result<Vec<DicomWebTokenView>, AppError> {
    let state = guard::state()?;
    guard::user_who_may(Permission::ManageDicomWebTokens).await?;
    Ok(tokens::list(&state.db).await?)
}

/// Issues a token named `name` for `holder` (a person or a service); its secret is in the
/// answer and nowhere else. Admins only.
#[server(endpoint = "issue_dicomweb_token")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug), skip_all))]
pub async fn issue_dicomweb_token(name: String, holder: String) -> Result<IssuedToken, AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageDicomWebTokens).await?;
    let (name, holder) = (name.trim(), holder.trim());
    if name.is_empty() {
        return Err(AppError::invalid("token_name", InvalidReason::Required));
    }
    if name.chars().count() > tokens::MAX_NAME {
        return Err(AppError::invalid("token_name", InvalidReason::TooLong));
    }
    if holder.is_empty() {
        return Err(AppError::invalid("token_holder", InvalidReason::Required));
    }
    if holder.chars().count() > tokens::MAX_HOLDER {
        return Err(AppError::invalid("token_holder", InvalidReason::TooLong));
    }
    match tokens::issue(&state.db, &Actor::web(&admin.id), name, holder).await? {
        Issue::Issued(issued) => Ok(*issued),
        Issue::NameTaken => Err(AppError::invalid("token_name", InvalidReason::Taken)),
    }
}

/// Revokes a token: it is refused from the next request on. Admins only.
#[server(endpoint = "revoke_dicomweb_token")]
#[cfg_attr(feature = "ssr", tracing::instrument(err(Debug)))]
pub async fn revoke_dicomweb_token(id: String) -> Result<(), AppError> {
    let state = guard::state()?;
    let admin = guard::user_who_may(Permission::ManageDicomWebTokens).await?;
    if tokens::revoke(&state.db, &Actor::web(&admin.id), &id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("token".into()))
    }
}
