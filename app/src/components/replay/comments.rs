//! Comments at a time point of a replay: listed in time order under the player, each with a
//! link back to its moment (`?t=` in the address, so it works as a plain link too), and a form
//! that comments at the time on screen.
use super::clock::mmss;
use super::engine::Deck;
use crate::api::replays::{AddReplayComment, replay_comments};
use crate::components::errors::error_message;
use crate::i18n::*;
use crate::model::replay::ReplayComment;
use crate::model::{AppError, ReplayId, text_lang};
use leptos::prelude::*;

/// Comments in time order (stable: the same moment keeps the order they were written in).
fn in_time_order(mut list: Vec<ReplayComment>) -> Vec<ReplayComment> {
    list.sort_by_key(|c| c.t_ms);
    list
}

/// Moves the player to `t` and brings it into view (the comment list is below it).
fn go_to(deck: Deck, root: NodeRef<leptos::html::Div>, t: u64) {
    if deck.exporting.get_untracked() {
        return;
    }
    deck.seek(t);
    if let Some(root) = root.get_untracked() {
        root.scroll_into_view();
    }
}

#[component]
pub fn ReplayComments(id: ReplayId, deck: Deck, root: NodeRef<leptos::html::Div>) -> impl IntoView {
    let i18n = use_i18n();
    // Read in the browser after hydration: the server renders the empty list the browser
    // starts from.
    let list = RwSignal::new(None::<Result<Vec<ReplayComment>, AppError>>);
    let replay = StoredValue::new(id);
    Effect::new(move |_| {
        let id = replay.get_value().0;
        leptos::task::spawn_local(async move {
            let loaded = replay_comments(id).await.map(in_time_order);
            list.try_set(Some(loaded));
        });
    });
    let add = ServerAction::<AddReplayComment>::new();
    let body = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(comment)) = add.value().get() {
            body.set(String::new());
            list.update(|l| {
                if let Some(Ok(list)) = l {
                    if !list.iter().any(|c| c.id == comment.id) {
                        list.push(comment);
                    }
                    *list = in_time_order(std::mem::take(list));
                }
            });
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddReplayComment {
            id: replay.get_value().0,
            t_ms: deck.t.get_untracked(),
            body: body.get_untracked(),
        });
    };
    let comment_view = move |c: ReplayComment| {
        let t = c.t_ms;
        let time = mmss(t);
        let label = {
            let time = time.clone();
            move || t_string!(i18n, replay_player.go_to, time = time.clone()).to_string()
        };
        view! {
            <li class="comment replay-comment" data-comment=c.id data-t=t>
                <header>
                    <a class="replay-time-link" href=format!("?t={t}") aria-label=label
                        on:click=move |ev: leptos::ev::MouseEvent| {
                            // A modified click opens the link as the browser would.
                            if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
                                return;
                            }
                            ev.prevent_default();
                            go_to(deck, root, t);
                        }>
                        {time}
                    </a>
                    <strong lang=text_lang(&c.author)>{c.author.clone()}</strong>
                    {c.mine.then(|| view! { <span class="muted small">{t!(i18n, replay_player.you)}</span> })}
                    <time class="muted small" datetime=c.created_at.clone()>{c.created_at.replace('T', " ").chars().take(16).collect::<String>()}</time>
                </header>
                <p class="comment-body" lang=text_lang(&c.body)>{c.body.clone()}</p>
            </li>
        }
    };
    let now_text = move || mmss(deck.t.get());
    view! {
        <section class="panel replay-comments" data-testid="replay-comments">
            <h2>{t!(i18n, replay_player.comments)}</h2>
            {move || match list.get() {
                None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="form-error" role="alert">{error_message(i18n, &e)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted">{t!(i18n, replay_player.no_comments)}</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <ol class="comments">{list.into_iter().map(comment_view).collect_view()}</ol>
                }.into_any(),
            }}
            <form class="comment-form" on:submit=submit>
                <label class="field">
                    {move || t_string!(i18n, replay_player.comment_label, time = now_text()).to_string()}
                    <textarea rows="3" required bind:value=body data-testid="replay-comment-body"></textarea>
                </label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" data-testid="replay-comment-post"
                        disabled=move || add.pending().get()>
                        {move || t_string!(i18n, replay_player.post, time = now_text()).to_string()}
                    </button>
                    {move || match add.value().get() {
                        Some(Err(e)) => Some(view! { <span class="form-error" role="alert">{error_message(i18n, &e)}</span> }),
                        _ => None,
                    }}
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, t_ms: u64) -> ReplayComment {
        ReplayComment {
            id,
            author: "Li".into(),
            t_ms,
            body: "?".into(),
            created_at: String::new(),
            mine: false,
        }
    }

    #[test]
    fn comments_run_in_time_order_and_a_shared_moment_keeps_writing_order() {
        let list = in_time_order(vec![
            comment(1, 9_000),
            comment(2, 1_000),
            comment(3, 9_000),
        ]);
        let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
        assert_eq!(ids, [2, 1, 3]);
    }
}
