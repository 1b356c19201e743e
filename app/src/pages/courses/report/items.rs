//! The report's "Quiz structure analysis": one row per place in the quiz with Moodle's figures
//! and flags, each opening onto the question in full and how learners answered it.
use super::heatmap::ClickHeatMap;
use super::{kind_label, percent};
use crate::i18n::*;
use crate::model::quiz::{ItemFlag, ItemReport, NeedsChecking};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// Columns in the table, for the detail row's span.
const COLUMNS: &str = "12";
/// Characters of the stem shown in the table; the rest is in its title and the details.
const STEM_SHOWN: usize = 80;

/// The stem on one line, cut at `STEM_SHOWN` characters.
fn short_stem(stem: &str) -> String {
    let one_line = stem.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= STEM_SHOWN {
        one_line
    } else {
        let cut: String = one_line.chars().take(STEM_SHOWN).collect();
        format!("{}…", cut.trim_end())
    }
}

/// How the row is marked: Moodle's "dubious" for a raised flag or a question that very likely
/// needs checking, a milder mark for one that likely does.
fn row_class(item: &ItemReport) -> &'static str {
    let s = &item.statistics;
    if !s.flags.is_empty() || s.needs_checking == Some(NeedsChecking::VeryLikely) {
        "item-row item-dubious"
    } else if s.needs_checking == Some(NeedsChecking::Likely) {
        "item-row item-check"
    } else {
        "item-row"
    }
}

/// A text in the current language, read again when the language changes.
type Label = fn(I18nContext<Locale>) -> &'static str;

/// The warnings on a row, as words.
fn flag_badges(i18n: I18nContext<Locale>, item: &ItemReport) -> AnyView {
    let s = &item.statistics;
    let mut badges: Vec<(&'static str, Label)> = s
        .flags
        .iter()
        .map(|flag| {
            let text: Label = match flag {
                ItemFlag::NegativeCovariance => |i| t_string!(i, quiz_report.negative_covariance),
                ItemFlag::NegativeDiscrimination => {
                    |i| t_string!(i, quiz_report.flag_negative_discrimination)
                }
                ItemFlag::LowDiscriminativeEfficiency => {
                    |i| t_string!(i, quiz_report.flag_low_efficiency)
                }
            };
            ("badge badge-bad", text)
        })
        .collect();
    match s.needs_checking {
        Some(NeedsChecking::VeryLikely) => badges.push(("badge badge-bad", |i| {
            t_string!(i, quiz_report.needs_checking_very_likely)
        })),
        Some(NeedsChecking::Likely) => badges.push(("badge badge-level", |i| {
            t_string!(i, quiz_report.needs_checking_likely)
        })),
        Some(NeedsChecking::Unlikely) | None => {}
    }
    if badges.is_empty() {
        return view! { <span class="muted">{t!(i18n, quiz_report.no_flags)}</span> }.into_any();
    }
    view! {
        <ul class="flag-list">
            {badges.into_iter().map(|(class, text)| view! {
                <li><span class=class>{move || text(i18n)}</span></li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Each option with the share of attempts that chose it, as a bar and a figure.
fn option_shares(
    i18n: I18nContext<Locale>,
    kind: &str,
    options: Vec<(String, f64, bool)>,
) -> AnyView {
    let true_false = kind == "true_false";
    let several = kind == "multiple";
    view! {
        <h4>{t!(i18n, quiz_report.options_heading)}</h4>
        <ul class="option-shares" data-testid="option-shares">
            {options.into_iter().map(|(label, share, right)| {
                let label = move || match (true_false, label.as_str()) {
                    (true, "true") => t_string!(i18n, quiz_report.option_true).to_string(),
                    (true, "false") => t_string!(i18n, quiz_report.option_false).to_string(),
                    _ => label.clone(),
                };
                let width = format!("width: {:.1}%", share.clamp(0.0, 100.0));
                view! {
                    <li class:option-right=right>
                        <span class="option-label">
                            {label}
                            {right.then(|| view! {
                                " "<span class="badge badge-ok">{t!(i18n, quiz_report.right_option)}</span>
                            })}
                        </span>
                        <span class="share-bar" aria-hidden="true"><span class="share-fill" style=width></span></span>
                        <span class="share-value">{percent(Some(share))}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
        {several.then(|| view! { <p class="hint">{t!(i18n, quiz_report.multiple_note)}</p> })}
    }
    .into_any()
}

/// What the row opens onto: the question in full, then its answers or clicks.
fn item_detail(i18n: I18nContext<Locale>, item: ItemReport) -> AnyView {
    let place = item.place;
    let answers = if !item.options.is_empty() {
        option_shares(i18n, &item.kind, item.options)
    } else if let Some(map) = item.clicks {
        view! {
            <h4>{t!(i18n, quiz_report.heatmap)}</h4>
            <ClickHeatMap place map />
        }
        .into_any()
    } else if item.kind == "hotspot" {
        view! { <p class="muted">{t!(i18n, quiz_report.no_clip)}</p> }.into_any()
    } else {
        view! { <p class="muted">{t!(i18n, quiz_report.no_breakdown)}</p> }.into_any()
    };
    view! {
        <div class="item-detail-body">
            <h3>{move || t_string!(i18n, quiz_report.full_text, place = place).to_string()}</h3>
            <p class="prose">{item.stem}</p>
            {answers}
        </div>
    }
    .into_any()
}

#[component]
fn ItemRow(item: ItemReport) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    // Built on first opening (a hotspot's clip is fetched then), and kept after.
    let opened = RwSignal::new(false);
    let place = item.place;
    let detail_id = format!("item-{place}-detail");
    let s = item.statistics.clone();
    let kind = item.kind.clone();
    let stem = item.stem.clone();
    let effective_weight = if s.flags.contains(&ItemFlag::NegativeCovariance) {
        view! { <span>{t!(i18n, quiz_report.negative_covariance)}</span> }.into_any()
    } else {
        percent(s.effective_weight).into_any()
    };
    let flags = flag_badges(i18n, &item);
    let label = |key: Label| move || key(i18n);
    let full = StoredValue::new(item.clone());
    view! {
        <tr class=row_class(&item) data-testid="item-row" data-place=place>
            <th scope="row" class="num">{place}</th>
            <td data-label=label(|i| t_string!(i, quiz_report.col_kind))>{move || kind_label(i18n, &kind)}</td>
            <td class="item-stem" data-label=label(|i| t_string!(i, quiz_report.col_question))>
                <span title=stem.clone()>{short_stem(&stem)}</span>
                " "
                <button type="button" class="link-button item-toggle" data-testid="item-toggle"
                    aria-expanded=move || open.get().to_string() aria-controls=detail_id.clone()
                    on:click=move |_| {
                        opened.set(true);
                        open.update(|o| *o = !*o);
                    }>
                    {t!(i18n, quiz_report.details)}
                    <span class="sr-only">" "{move || t_string!(i18n, quiz_report.details_of, place = place).to_string()}</span>
                </button>
            </td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_attempts))>{item.attempts}</td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_facility))>{percent(s.facility)}</td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_sd))>{percent(s.sd)}</td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_random_guess))>{percent(s.random_guess)}</td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_intended_weight))>{percent(s.intended_weight)}</td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_effective_weight))>{effective_weight}</td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_discrimination))>{percent(s.discrimination_index)}</td>
            <td class="num" data-label=label(|i| t_string!(i, quiz_report.col_efficiency))>{percent(s.discriminative_efficiency)}</td>
            <td data-label=label(|i| t_string!(i, quiz_report.col_flags))>{flags}</td>
        </tr>
        <tr class="item-detail" id=detail_id hidden=move || !open.get()>
            <td colspan=COLUMNS>
                {move || opened.get().then(|| item_detail(i18n, full.get_value()))}
            </td>
        </tr>
    }
    .into_any()
}

/// The question table.
#[component]
pub fn ItemTable(items: Vec<ItemReport>, first_only: bool) -> impl IntoView {
    let i18n = use_i18n();
    let caption = move || {
        let counted = if first_only {
            t_string!(i18n, quiz_report.first_attempts)
        } else {
            t_string!(i18n, quiz_report.all_attempts)
        };
        format!("{} ({counted})", t_string!(i18n, quiz_report.structure))
    };
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table table-stack item-table" data-testid="item-table">
                <caption class="sr-only">{caption}</caption>
                <thead><tr>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_place)}</th>
                    <th scope="col">{t!(i18n, quiz_report.col_kind)}</th>
                    <th scope="col">{t!(i18n, quiz_report.col_question)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_attempts)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_facility)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_sd)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_random_guess)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_intended_weight)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_effective_weight)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_discrimination)}</th>
                    <th scope="col" class="num">{t!(i18n, quiz_report.col_efficiency)}</th>
                    <th scope="col">{t!(i18n, quiz_report.col_flags)}</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|item| view! { <ItemRow item /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
