//! The replay's transport (browser side): the clock, the voices kept in step with it, and
//! every animation frame the state at the time shown, handed to the viewer and the page.
//! While a voice plays, the first voice playing is the clock; elsewhere the wall clock runs
//! at the chosen speed. Seeking folds the timeline afresh (`state_at`), playing folds on
//! (`advance`): both reach the same state.
use super::clock::{DriveMark, VoiceSpan, WallClock, drifted, driven, next_time, should_drive};
use super::media::{self, now};
use crate::components::viewer::ViewerLink;
use crate::model::replay::{ReplayState, Replayer};
use crate::model::{Annotation, Point};
use leptos::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_PLAYER: AtomicU64 = AtomicU64::new(1);

/// Where a voice track is in loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceLoad {
    Loading,
    Ready,
    Failed,
}

/// Everything the transport reads and writes; all `Copy` handles, so view closures and
/// animation-frame callbacks share them.
#[derive(Clone, Copy)]
pub struct Deck {
    /// Key of this player's browser objects (the export's recorder and audio graph).
    pub id: u64,
    pub duration_ms: u64,
    pub replayer: StoredValue<Replayer>,
    /// The state at `shown_ms`.
    pub state: StoredValue<ReplayState>,
    pub shown_ms: StoredValue<u64>,
    /// The time shown, unrounded.
    pub exact_t: StoredValue<f64>,
    pub clock: StoredValue<WallClock>,
    pub spans: StoredValue<Vec<VoiceSpan>>,
    pub audio: StoredValue<Vec<NodeRef<leptos::html::Audio>>>,
    pub voices: RwSignal<Vec<VoiceLoad>>,
    /// Object URLs of the voices, revoked when the player goes.
    pub object_urls: StoredValue<Vec<String>>,
    /// Current time in ms (what the page shows and the tests read).
    pub t: RwSignal<u64>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<f64>,
    pub drawings: RwSignal<Vec<Annotation>>,
    /// The clip frame on screen (drawings show on their frames).
    pub frame: RwSignal<u32>,
    pub pointers: RwSignal<[Option<Point>; 2]>,
    pub chapter: RwSignal<Option<usize>>,
    pub remark: RwSignal<Option<usize>>,
    /// The master voice's time on the timeline (ms), while one is in its span.
    pub audio_t: RwSignal<Option<u64>>,
    /// The browser refused to start the sound (no gesture yet).
    pub blocked: RwSignal<bool>,
    /// Whether an export is recording (the transport then belongs to it).
    pub exporting: RwSignal<bool>,
    pub link: ViewerLink,
    pub last_drive: StoredValue<Option<DriveMark>>,
    /// Bumped to stop the running animation-frame loop.
    pub generation: StoredValue<u64>,
    pub on_time: Option<RwSignal<u64>>,
    /// Called on every animation frame while playing (the export draws its frame).
    pub on_frame: StoredValue<Option<FrameHook>>,
}

/// What an export runs on every animation frame (the deck, and whether the end is reached).
pub type FrameHook = fn(Deck, bool);

impl Deck {
    /// A deck stopped at `start` (ms), its state already folded: the server renders it the
    /// same way the browser first does.
    pub fn new(
        replayer: Replayer,
        duration_ms: u64,
        spans: Vec<VoiceSpan>,
        start: u64,
        link: ViewerLink,
        on_time: Option<RwSignal<u64>>,
    ) -> Deck {
        let start = start.min(duration_ms);
        let state = replayer.state_at(start);
        let voices = spans.len();
        let deck = Deck {
            id: NEXT_PLAYER.fetch_add(1, Ordering::Relaxed),
            duration_ms,
            state: StoredValue::new(ReplayState::default()),
            replayer: StoredValue::new(replayer),
            shown_ms: StoredValue::new(start),
            exact_t: StoredValue::new(start as f64),
            clock: StoredValue::new(WallClock::new(start as f64)),
            spans: StoredValue::new(spans),
            audio: StoredValue::new((0..voices).map(|_| NodeRef::new()).collect()),
            voices: RwSignal::new(vec![VoiceLoad::Loading; voices]),
            object_urls: StoredValue::new(Vec::new()),
            t: RwSignal::new(start),
            playing: RwSignal::new(false),
            speed: RwSignal::new(1.0),
            drawings: RwSignal::new(Vec::new()),
            frame: RwSignal::new(0),
            pointers: RwSignal::new([None, None]),
            chapter: RwSignal::new(None),
            remark: RwSignal::new(None),
            audio_t: RwSignal::new(None),
            blocked: RwSignal::new(false),
            exporting: RwSignal::new(false),
            link,
            last_drive: StoredValue::new(None),
            generation: StoredValue::new(0),
            on_time,
            on_frame: StoredValue::new(None),
        };
        deck.state.set_value(state);
        deck.publish(start, 0.0, true);
        deck
    }

    /// The elements of the voices that loaded.
    pub fn voice_elements(self) -> Vec<(usize, web_sys::HtmlAudioElement)> {
        let ready = self.voices.get_untracked();
        self.audio.with_value(|refs| {
            refs.iter()
                .enumerate()
                .filter(|(i, _)| ready.get(*i) == Some(&VoiceLoad::Ready))
                .filter_map(|(i, r)| r.get_untracked().map(|el| (i, el)))
                .collect()
        })
    }

    fn span(self, i: usize) -> Option<VoiceSpan> {
        self.spans.with_value(|s| s.get(i).copied())
    }

    /// Hands the state at `t_ms` to the page and, when due, the view to the viewer.
    fn publish(self, t_ms: u64, wall: f64, force_drive: bool) {
        let playing = self.playing.get_untracked();
        let speed = self.speed.get_untracked();
        self.state.with_value(|state| {
            let same = self.drawings.with_untracked(|cur| {
                cur.len() == state.drawings.len()
                    && cur.iter().zip(&state.drawings).all(|(a, (_, b))| a == b)
            });
            if !same {
                self.drawings
                    .set(state.drawings.iter().map(|(_, a)| a.clone()).collect());
            }
            if self.pointers.get_untracked() != state.pointers {
                self.pointers.set(state.pointers);
            }
            if self.chapter.get_untracked() != state.chapter {
                self.chapter.set(state.chapter);
            }
            if self.remark.get_untracked() != state.remark {
                self.remark.set(state.remark);
            }
            let mark = DriveMark {
                view_since: state.view_since,
                view: state.view,
                playing,
                speed,
                wall,
            };
            let last = self.last_drive.get_value();
            if force_drive || should_drive(last.as_ref(), &mark) {
                self.link
                    .drive
                    .set(Some(driven(state.view_at(t_ms), speed, playing)));
                self.last_drive.set_value(Some(mark));
            }
        });
        if self.t.get_untracked() != t_ms {
            self.t.set(t_ms);
        }
        if let Some(out) = self.on_time
            && out.get_untracked() != t_ms
        {
            out.set(t_ms);
        }
    }

    /// Shows time `t` (ms): folds the events up to it and publishes. `seeking` folds afresh.
    fn show(self, t: f64, wall: f64, seeking: bool) {
        let t_ms = t.max(0.0).floor() as u64;
        let from = self.shown_ms.get_value();
        self.replayer.with_value(|r| {
            self.state.update_value(|state| {
                if seeking {
                    *state = r.state_at(t_ms);
                } else {
                    r.advance(state, from, t_ms);
                }
            })
        });
        self.shown_ms.set_value(t_ms);
        self.exact_t.set_value(t);
        self.publish(t_ms, wall, seeking);
        self.read_audio_time(t);
    }

    /// The first voice inside its span at `t`, read from its element and put on the timeline.
    fn read_audio_time(self, t: f64) {
        let reading = self.voice_elements().into_iter().find_map(|(i, el)| {
            let span = self.span(i)?;
            span.position_s(t)?;
            Some(span.timeline_ms(el.current_time()).max(0.0).round() as u64)
        });
        if self.audio_t.get_untracked() != reading {
            self.audio_t.set(reading);
        }
    }

    /// The master clock's reading: the first voice actually playing, on the timeline.
    fn master(self) -> Option<(usize, f64)> {
        self.voice_elements().into_iter().find_map(|(i, el)| {
            let playing = !el.paused() && !el.ended() && !el.seeking() && el.ready_state() >= 2;
            playing
                .then(|| self.span(i).map(|s| (i, s.timeline_ms(el.current_time()))))
                .flatten()
        })
    }

    /// Starts a voice, noting when the browser refuses sound.
    fn start_voice(self, el: web_sys::HtmlAudioElement) {
        leptos::task::spawn_local(async move {
            if let Err(true) = media::play(&el).await {
                self.blocked.try_set(true);
            }
        });
    }

    /// Keeps every voice but the master where the clock is: silent outside its span, started
    /// when the clock enters it, moved when it has drifted.
    fn follow_voices(self, t: f64, master: Option<usize>) {
        let playing = self.playing.get_untracked();
        for (i, el) in self.voice_elements() {
            if Some(i) == master {
                continue;
            }
            let Some(span) = self.span(i) else { continue };
            match span.position_s(t) {
                Some(pos) if playing && !el.ended() => {
                    if !el.seeking() && drifted(span.timeline_ms(el.current_time()), t) {
                        el.set_current_time(pos);
                    }
                    if el.paused() {
                        self.start_voice(el);
                    }
                }
                Some(pos) => {
                    if !el.paused() {
                        let _ = el.pause();
                    }
                    if !playing && drifted(span.timeline_ms(el.current_time()), t) {
                        el.set_current_time(pos);
                    }
                }
                None => {
                    if !el.paused() {
                        let _ = el.pause();
                    }
                }
            }
        }
    }

    /// Goes to `t` (ms) and stays playing or paused.
    pub fn seek(self, t: u64) {
        let t = t.min(self.duration_ms) as f64;
        let wall = now();
        self.clock.update_value(|c| c.set(t, wall));
        let playing = self.playing.get_untracked();
        for (i, el) in self.voice_elements() {
            let Some(span) = self.span(i) else { continue };
            match span.position_s(t) {
                Some(pos) => {
                    el.set_current_time(pos);
                    if playing && el.paused() {
                        self.start_voice(el);
                    }
                }
                None => {
                    let _ = el.pause();
                    el.set_current_time(span.parked_s(t));
                }
            }
        }
        self.show(t, wall, true);
    }

    pub fn play(self) {
        if self.playing.get_untracked() {
            return;
        }
        if self.exact_t.get_value() >= self.duration_ms as f64 {
            self.seek(0);
        }
        self.blocked.set(false);
        self.playing.set(true);
        let wall = now();
        let t = self.exact_t.get_value();
        self.clock.update_value(|c| {
            c.set(t, wall);
            c.run(true, wall);
        });
        self.follow_voices(t, None);
        self.show(t, wall, false);
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        request_animation_frame(move || self.tick(generation));
    }

    pub fn pause(self) {
        if !self.playing.get_untracked() {
            return;
        }
        self.playing.set(false);
        self.generation.update_value(|g| *g += 1);
        let wall = now();
        let t = self.exact_t.get_value();
        self.clock.update_value(|c| {
            c.run(false, wall);
            c.set(t, wall);
        });
        for (_, el) in self.voice_elements() {
            let _ = el.pause();
        }
        self.show(t, wall, false);
    }

    pub fn toggle(self) {
        if self.playing.get_untracked() {
            self.pause();
        } else {
            self.play();
        }
    }

    pub fn set_speed(self, speed: f64) {
        let wall = now();
        self.clock.update_value(|c| c.set_speed(speed, wall));
        self.speed.set(speed);
        for (_, el) in self.voice_elements() {
            el.set_playback_rate(speed);
        }
        self.show(self.exact_t.get_value(), wall, false);
    }

    /// One animation frame of playback.
    fn tick(self, generation: u64) {
        if self.generation.try_get_value() != Some(generation) || !self.playing.get_untracked() {
            return;
        }
        let wall = now();
        let shown = self.exact_t.get_value();
        let master = self.master();
        let reading = match master {
            Some((_, at)) => {
                self.clock.update_value(|c| c.set(at, wall));
                at
            }
            None => self.clock.with_value(|c| c.at(wall)),
        };
        let end = self.duration_ms as f64;
        let t = next_time(shown, reading).min(end);
        self.follow_voices(t, master.map(|(i, _)| i));
        self.show(t, wall, false);
        let finished = t >= end;
        if let Some(on_frame) = self.on_frame.get_value() {
            on_frame(self, finished);
        }
        if finished {
            self.pause();
        } else {
            request_animation_frame(move || self.tick(generation));
        }
    }

    /// Loads voice `i` from `url` into its element, finds its length and puts it where the
    /// clock is.
    pub async fn load_voice(self, i: usize, url: String) {
        // Also called once the player may have gone (the download outlived it).
        let settle = move |state: VoiceLoad| {
            self.voices.try_update(|v| {
                if let Some(s) = v.get_mut(i) {
                    *s = state;
                }
            });
        };
        let Some(el) = self
            .audio
            .with_value(|a| a.get(i).and_then(|r| r.get_untracked()))
        else {
            settle(VoiceLoad::Failed);
            return;
        };
        let object_url = match media::fetch_object_url(&url).await {
            Ok(u) => u,
            Err(e) => {
                leptos::logging::warn!("voice {url}: {e}");
                settle(VoiceLoad::Failed);
                return;
            }
        };
        if self
            .object_urls
            .try_update_value(|u| u.push(object_url.clone()))
            .is_none()
        {
            // The player went while the voice downloaded.
            media::revoke(&object_url);
            return;
        }
        media::keep_pitch(&el);
        match media::prepare(&el, &object_url).await {
            Ok(length) => {
                if self
                    .spans
                    .try_update_value(|s| {
                        if let Some(span) = s.get_mut(i) {
                            span.length_ms = length;
                        }
                    })
                    .is_none()
                {
                    return;
                }
                el.set_default_playback_rate(self.speed.get_untracked());
                el.set_playback_rate(self.speed.get_untracked());
                if let Some(pos) = self
                    .span(i)
                    .and_then(|s| s.position_s(self.exact_t.get_value()))
                {
                    el.set_current_time(pos);
                }
                settle(VoiceLoad::Ready);
                if self.playing.get_untracked() {
                    self.follow_voices(self.exact_t.get_value(), None);
                }
            }
            Err(e) => {
                leptos::logging::warn!("voice {url}: {e}");
                settle(VoiceLoad::Failed);
            }
        }
    }

    /// Stops everything when the player leaves the page.
    pub fn shut(self) {
        self.generation.try_update_value(|g| *g += 1);
        if let Some(refs) = self.audio.try_get_value() {
            for el in refs.iter().filter_map(|r| r.try_get_untracked().flatten()) {
                let _ = el.pause();
            }
        }
        if let Some(urls) = self.object_urls.try_get_value() {
            for url in urls {
                media::revoke(&url);
            }
        }
    }
}
