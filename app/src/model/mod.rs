//! Types shared by the browser and the server: ids, roles, people, sites and the one app error.
mod error;
mod people;

pub use error::{AppError, InvalidReason};
pub use people::{
    CurrentUser, NewUser, Role, Site, SiteId, SiteKind, SitePeople, UserId, UserSummary, rules,
};
