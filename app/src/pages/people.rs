//! `/people`: everyone in the network (coordinators, admins); admins also manage accounts here.
use super::guard::Guarded;
use crate::api::people::{CreateUser, ResetPassword, SetUserActive, list_people};
use crate::api::resource;
use crate::api::sites::list_sites;
use crate::components::errors::{error_message, reason_label};
use crate::components::layout::PageTitle;
use crate::components::layout::{lang_code, role_label};
use crate::i18n::*;
use crate::model::{CurrentUser, NewUser, Role, Site, SiteId, UserSummary, rules};
use leptos::prelude::*;

pub use crate::model::calendar::NETWORK_OFFSET_SECS;

/// Unix seconds as date and time (minutes) in the network's time zone (China, UTC+8).
pub fn network_time(secs: i64) -> String {
    let minute = (secs + NETWORK_OFFSET_SECS).rem_euclid(86_400) / 60;
    format!(
        "{} {:02}:{:02}",
        network_date(secs),
        minute / 60,
        minute % 60
    )
}

/// Unix seconds as a date in the network's time zone (China, UTC+8).
pub fn network_date(secs: i64) -> String {
    let days = (secs + NETWORK_OFFSET_SECS).div_euclid(86_400);
    let (y, m, d) = crate::model::calendar::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[component]
fn NewAccountForm(sites: Vec<Site>, on_created: Callback<UserSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateUser>::new();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Learner.as_str().to_string());
    let site = RwSignal::new(sites.first().map(|s| s.id.0.clone()).unwrap_or_default());
    let touched = RwSignal::new(false);

    // Checked as the admin types, with the same rules the server applies.
    let username_problem = move || {
        let v = username.get();
        (touched.get() || !v.is_empty())
            .then(|| rules::username(&v).err())
            .flatten()
            .map(|r| reason_label(i18n, r))
    };
    let password_problem = move || {
        let v = password.get();
        (touched.get() || !v.is_empty())
            .then(|| rules::password(&v).err())
            .flatten()
            .map(|r| reason_label(i18n, r))
    };
    let name_problem = move || {
        touched
            .get()
            .then(|| rules::display_name(&display_name.get()).err())
            .flatten()
            .map(|r| reason_label(i18n, r))
    };
    let valid = move || {
        rules::username(&username.get()).is_ok()
            && rules::password(&password.get()).is_ok()
            && rules::display_name(&display_name.get()).is_ok()
    };

    Effect::new(move |_| {
        if let Some(Ok(user)) = create.value().get() {
            username.set(String::new());
            display_name.set(String::new());
            password.set(String::new());
            touched.set(false);
            on_created.run(user);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if !valid() {
            return;
        }
        create.dispatch(CreateUser {
            user: NewUser {
                username: username.get_untracked(),
                display_name: display_name.get_untracked(),
                role: Role::parse(&role.get_untracked()).unwrap_or(Role::Learner),
                site_id: SiteId(site.get_untracked()),
                password: password.get_untracked(),
            },
        });
    };
    let server_error = move || match create.value().get() {
        Some(Err(e)) => Some(error_message(i18n, &e)),
        _ => None,
    };
    let created = move || match create.value().get() {
        Some(Ok(u)) => {
            Some(t_string!(i18n, people.created_ok, username = u.username.clone()).to_string())
        }
        _ => None,
    };

    view! {
        <form class="panel form-grid" on:submit=submit novalidate data-testid="new-account">
            <h2>{t!(i18n, people.add)}</h2>
            <div class="field">
                <label for="nu-username">{t!(i18n, people.username)}</label>
                <input id="nu-username" autocomplete="off" autocapitalize="none" bind:value=username aria-describedby="nu-username-hint" />
                <small id="nu-username-hint" class="hint">{t!(i18n, people.username_hint)}</small>
                <small class="field-error" data-testid="username-problem">{username_problem}</small>
            </div>
            <div class="field">
                <label for="nu-name">{t!(i18n, people.display_name)}</label>
                <input id="nu-name" autocomplete="off" bind:value=display_name />
                <small class="field-error">{name_problem}</small>
            </div>
            <div class="field">
                <label for="nu-role">{t!(i18n, people.role)}</label>
                <select id="nu-role" bind:value=role>
                    {Role::ALL
                        .into_iter()
                        .map(|r| view! { <option value=r.as_str()>{move || role_label(i18n, r)}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="nu-site">{t!(i18n, people.site)}</label>
                <select id="nu-site" bind:value=site>
                    {sites
                        .into_iter()
                        .map(|s| {
                            let id = s.id.0.clone();
                            view! { <option value=id>{move || s.name(lang_code(i18n)).to_string()}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="nu-password">{t!(i18n, people.initial_password)}</label>
                <input id="nu-password" type="password" autocomplete="new-password" bind:value=password aria-describedby="nu-password-hint" />
                <small id="nu-password-hint" class="hint">{t!(i18n, people.password_hint)}</small>
                <small class="field-error" data-testid="password-problem">{password_problem}</small>
            </div>
            <div class="form-actions">
                <button class="btn btn-primary" type="submit" disabled=move || create.pending().get() || (touched.get() && !valid())>
                    {t!(i18n, people.create)}
                </button>
                <p class="form-error" role="alert">{server_error}</p>
                <p class="form-ok" role="status">{created}</p>
            </div>
        </form>
    }
}

#[component]
fn PersonRow(
    person: UserSummary,
    site: Option<Site>,
    admin: bool,
    refresh: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let resetting = RwSignal::new(false);
    let new_password = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = toggle.value().get() {
            refresh.run(());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = reset.value().get() {
            resetting.set(false);
            new_password.set(String::new());
        }
    });
    let id = person.id.clone();
    let id2 = person.id.clone();
    let active = person.active;
    let uname = person.username.clone();
    let pw_id = format!("pw-{}", person.username);
    let role = person.role;
    let error = move || {
        let e = match (toggle.value().get(), reset.value().get()) {
            (Some(Err(e)), _) | (_, Some(Err(e))) => Some(e),
            _ => None,
        };
        e.map(|e| error_message(i18n, &e))
    };
    let reset_ok = move || {
        matches!(reset.value().get(), Some(Ok(()))).then(|| {
            t_string!(i18n, people.password_reset_ok, username = uname.clone()).to_string()
        })
    };
    view! {
        <tr class:inactive=!active data-username=person.username.clone()>
            <td>{person.display_name.clone()}</td>
            <td data-label=move || t_string!(i18n, people.username)><code>{person.username.clone()}</code></td>
            <td data-label=move || t_string!(i18n, people.role)>{move || role_label(i18n, role)}</td>
            <td data-label=move || t_string!(i18n, people.site)>{move || site.as_ref().map(|s| s.name(lang_code(i18n)).to_string()).unwrap_or_default()}</td>
            <td data-label=move || t_string!(i18n, people.status)>
                {move || if active { t_string!(i18n, people.active) } else { t_string!(i18n, people.disabled) }}
            </td>
            <td data-label=move || t_string!(i18n, people.created)>{network_date(person.created_at)}</td>
            {admin
                .then(|| {
                    view! {
                        <td class="row-actions">
                            <button
                                type="button"
                                class="btn btn-small"
                                on:click=move |_| {
                                    toggle.dispatch(SetUserActive { user_id: id.clone(), active: !active });
                                }
                            >
                                {move || if active { t_string!(i18n, people.disable) } else { t_string!(i18n, people.enable) }}
                            </button>
                            <button type="button" class="btn btn-small btn-quiet" on:click=move |_| resetting.update(|r| *r = !*r)>
                                {t!(i18n, people.reset_password)}
                            </button>
                            <Show when=move || resetting.get()>
                                <form
                                    class="inline-form"
                                    on:submit={
                                        let id2 = id2.clone();
                                        move |ev: leptos::ev::SubmitEvent| {
                                            ev.prevent_default();
                                            reset.dispatch(ResetPassword { user_id: id2.clone(), new_password: new_password.get_untracked() });
                                        }
                                    }
                                >
                                    <label class="sr-only" for=pw_id.clone()>{t!(i18n, people.new_password)}</label>
                                    <input id=pw_id.clone() type="password" autocomplete="new-password" bind:value=new_password />
                                    <button class="btn btn-small btn-primary" type="submit">{t!(i18n, people.save)}</button>
                                </form>
                            </Show>
                            <small class="field-error" role="alert">{error}</small>
                            <small class="form-ok" role="status">{reset_ok}</small>
                        </td>
                    }
                })}
        </tr>
    }
}

#[component]
fn People(me: CurrentUser) -> impl IntoView {
    let i18n = use_i18n();
    let admin = me.role == Role::Admin;
    let site_filter = RwSignal::new(String::new());
    let role_filter = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let sites = resource::new(|| (), |_| list_sites());
    let people = resource::new(
        move || (site_filter.get(), role_filter.get(), version.get()),
        |(site, role, _)| {
            list_people(
                (!site.is_empty()).then_some(SiteId(site)),
                Role::parse(&role),
            )
        },
    );
    let refresh = Callback::new(move |_| version.update(|v| *v += 1));
    let on_created = Callback::new(move |_| version.update(|v| *v += 1));

    view! {
        <section class="page">
            <header class="page-head">
                <h1>{t!(i18n, people.title)}</h1>
                <p class="muted">{t!(i18n, people.intro)}</p>
            </header>
            <Suspense fallback=move || view! { <p class="loading">{t!(i18n, loading)}</p> }>
                {move || {
                    let sites = sites.get().and_then(|r| r.ok()).unwrap_or_default();
                    let site_of = sites.clone();
                    let filter_sites = sites.clone();
                    view! {
                        {admin.then(|| view! { <NewAccountForm sites=sites.clone() on_created /> })}
                        <div class="filters">
                            <label>
                                {t!(i18n, people.filter_site)}
                                <select bind:value=site_filter>
                                    <option value="">{t!(i18n, people.all)}</option>
                                    {filter_sites
                                        .into_iter()
                                        .map(|s| {
                                            let id = s.id.0.clone();
                                            view! { <option value=id>{move || s.name(lang_code(i18n)).to_string()}</option> }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                            <label>
                                {t!(i18n, people.filter_role)}
                                <select bind:value=role_filter>
                                    <option value="">{t!(i18n, people.all)}</option>
                                    {Role::ALL
                                        .into_iter()
                                        .map(|r| view! { <option value=r.as_str()>{move || role_label(i18n, r)}</option> })
                                        .collect_view()}
                                </select>
                            </label>
                        </div>
                        {move || {
                            let site_of = site_of.clone();
                            people
                                .get()
                                .map(move |res| match res {
                                    Err(e) => view! { <p class="form-error" role="alert">{error_message(i18n, &e)}</p> }.into_any(),
                                    Ok(rows) if rows.is_empty() => view! { <p class="empty-state">{t!(i18n, people.empty)}</p> }.into_any(),
                                    Ok(rows) => {
                                        let n = rows.len();
                                        view! {
                                            <p class="muted">{move || t_string!(i18n, people.count, count = n).to_string()}</p>
                                            <div class="table-wrap" tabindex="0">
                                                <table class="table table-stack" data-testid="people-table">
                                                    <thead>
                                                        <tr>
                                                            <th scope="col">{t!(i18n, people.display_name)}</th>
                                                            <th scope="col">{t!(i18n, people.username)}</th>
                                                            <th scope="col">{t!(i18n, people.role)}</th>
                                                            <th scope="col">{t!(i18n, people.site)}</th>
                                                            <th scope="col">{t!(i18n, people.status)}</th>
                                                            <th scope="col">{t!(i18n, people.created)}</th>
                                                            {admin.then(|| view! { <th scope="col">{t!(i18n, people.actions)}</th> })}
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {rows
                                                            .into_iter()
                                                            .map(|person| {
                                                                let site = site_of.iter().find(|s| s.id == person.site_id).cloned();
                                                                view! { <PersonRow person site admin refresh /> }
                                                            })
                                                            .collect_view()}
                                                    </tbody>
                                                </table>
                                            </div>
                                        }
                                            .into_any()
                                    }
                                })
                        }}
                    }
                }}
            </Suspense>
        </section>
    }
}

/// `/people` for coordinators and admins.
#[component]
pub fn PeoplePage() -> impl IntoView {
    view! {
        <PageTitle page=|i| t_string!(i, page_title.people).to_string() />
        <Guarded
            roles=&[Role::Coordinator, Role::Admin]
            children=|me| view! { <People me /> }.into_any()
        />
    }
}

#[cfg(test)]
mod tests {
    use super::network_date;

    #[test]
    fn dates_are_in_china_time() {
        assert_eq!(network_date(0), "1970-01-01");
        // 2026-11-25 17:00 UTC is already the 26th in Beijing.
        assert_eq!(network_date(1_795_626_000), "2026-11-26");
        assert_eq!(network_date(951_782_400), "2000-02-29");
        assert_eq!(super::network_time(1_795_626_000), "2026-11-26 01:00");
    }
}
