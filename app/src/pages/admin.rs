//! `/admin`: the administrator's overview of what can be managed.
use super::guard::Guarded;
use crate::components::layout::PageTitle;
use crate::i18n::*;
use crate::model::Role;
use leptos::prelude::*;

/// `/admin` for admins.
#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <PageTitle page=|i| t_string!(i, page_title.admin).to_string() />
        <Guarded
            roles=&[Role::Admin]
            children=move |_| {
                view! {
                    <section class="page">
                        <header class="page-head">
                            <h1>{t!(i18n, admin.title)}</h1>
                            <p class="muted">{t!(i18n, admin.intro)}</p>
                        </header>
                        <ul class="cards">
                            <li class="card">
                                <a href="/people">
                                    <h3>{t!(i18n, nav.people)}</h3>
                                    <p>{t!(i18n, home.admin_people)}</p>
                                </a>
                            </li>
                            <li class="card">
                                <a href="/admin/sites">
                                    <h3>{t!(i18n, sites.title)}</h3>
                                    <p>{t!(i18n, home.admin_sites)}</p>
                                </a>
                            </li>
                            <li class="card">
                                <a href="/admin/archive">
                                    <h3>{t!(i18n, archive_admin.title)}</h3>
                                    <p>{t!(i18n, home.admin_archive)}</p>
                                </a>
                            </li>
                            <li class="card">
                                <a href="/admin/device-masks">
                                    <h3>{t!(i18n, device_masks.title)}</h3>
                                    <p>{t!(i18n, home.admin_device_masks)}</p>
                                </a>
                            </li>
                            <li class="card">
                                <a href="/admin/dicomweb-tokens">
                                    <h3>{t!(i18n, dicomweb_tokens.title)}</h3>
                                    <p>{t!(i18n, home.admin_dicomweb_tokens)}</p>
                                </a>
                            </li>
                            <li class="card">
                                <a href="/admin/audit">
                                    <h3>{t!(i18n, audit.title)}</h3>
                                    <p>{t!(i18n, audit.intro)}</p>
                                </a>
                            </li>
                        </ul>
                    </section>
                }
            }
        />
    }
}
