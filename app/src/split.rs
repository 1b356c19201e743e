//! Pages loaded on demand: each group of pages is a `#[lazy]` function that cargo-leptos'
//! `--split` build moves into a wasm module of its own, fetched when a page of the group is
//! first shown (and preloaded by the server for the page it renders). The sign-in page, the
//! header and the not-found page stay in the main module, so the first download is the app's
//! core; the viewer and the DICOM decoders travel only with the groups that show a clip.
//!
//! One route is one unit struct here (`Lazy::<split::Cases>::new()` in the router); its
//! group function renders it. The groups are few on purpose: wasm-split puts the code each
//! set of groups shares into a module of its own, so twelve groups made 360 modules, a case
//! page needed 212 of them, and on a 4G link every extra request costs a round trip.
use crate::pages;
use leptos::prelude::*;
use leptos_router::LazyRoute;

/// `group(GroupEnum) { Route => page_component, ... }`: the group's `#[lazy]` function, an
/// enum naming its pages, and one `LazyRoute` per page that renders through the group.
macro_rules! lazy_page_groups {
    ($( $group:ident($pages:ident) { $( $route:ident => $page:path ),+ $(,)? } )+) => {
        $(
            #[derive(Clone, Copy)]
            #[doc(hidden)]
            pub enum $pages { $( $route ),+ }

            mod $group {
                use super::*;

                /// The group's pages: the one function its wasm module is split at.
                #[leptos::lazy($group)]
                pub fn load(page: $pages) -> AnyView {
                    match page { $( $pages::$route => $page().into_any() ),+ }
                }
            }

            $(
                #[doc(hidden)]
                pub struct $route;

                impl LazyRoute for $route {
                    fn data() -> Self {
                        $route
                    }

                    async fn view(_: Self) -> AnyView {
                        $group::load($pages::$route).await
                    }

                    async fn preload() {
                        #[cfg(feature = "hydrate")]
                        $group::__preload_load().await;
                    }
                }
            )+
        )+
    };
}

lazy_page_groups! {
    // The case library alone: the page a community doctor opens most, often first from a
    // link, so it carries no other page's code.
    library_pages(LibraryPages) {
        Cases => pages::cases::CasesPage,
    }
    // Home, the reader's own account, and the experts' lists of their cases.
    home_pages(HomePages) {
        Home => pages::home::HomePage,
        Profile => pages::profile::ProfilePage,
        Notifications => pages::notifications::NotificationsPage,
        Workbench => pages::cases::work::WorkbenchPage,
        Awaiting => pages::cases::work::AwaitingPage,
        Outcomes => pages::cases::work::OutcomesPage,
    }
    // Pages that show a clip of a case or study: with the viewer and the decoders.
    case_pages(CasePages) {
        Case => pages::cases::case::CasePage,
        CaseEdit => pages::cases::edit::EditPage,
        Solve => pages::cases::solve::SolvePage,
        Versions => pages::cases::work::VersionsPage,
        Viewer => pages::viewer::ViewerPage,
        Studies => pages::studies::StudiesPage,
        Quarantine => pages::quarantine::QuarantinePage,
        Study => pages::study::StudyPage,
    }
    // Courses, quizzes, replays, live guidance and logbooks (these share the viewer too).
    learning_pages(LearningPages) {
        Quizzes => pages::courses::report::QuizzesPage,
        QuizReport => pages::courses::report::QuizReportPage,
        QuizEdit => pages::courses::quiz_edit::QuizEditPage,
        Questions => pages::courses::questions::QuestionsPage,
        QuestionEdit => pages::courses::questions::QuestionEditPage,
        Courses => pages::courses::catalogue::CoursesPage,
        CourseEdit => pages::courses::edit::CourseEditPage,
        Course => pages::courses::course::CoursePage,
        Lesson => pages::courses::lesson::LessonPage,
        Attempt => pages::courses::attempt::AttemptPage,
        AttemptReview => pages::courses::review::ReviewPage,
        Replays => pages::replays::ReplaysPage,
        Recorder => pages::replays::recorder::RecorderPage,
        Replay => pages::replays::page::ReplayPage,
        ReplayEdit => pages::replays::page::ReplayEditPage,
        Guidance => pages::guidance::GuidancePage,
        GuidanceSession => pages::guidance::live::SessionPage,
        Logbook => pages::logbook::LogbookPage,
        LogbookNew => pages::logbook::EntryEditorPage,
        LogbookEntry => pages::logbook::EntryPage,
        LogbookEdit => pages::logbook::EntryEditorPage,
        ReviewQueue => pages::logbook::ReviewQueuePage,
    }
    // Coordinators' and admins' pages, mostly used at the hub.
    admin_pages(AdminPages) {
        People => pages::people::PeoplePage,
        Sites => pages::sites::SitesPage,
        Audit => pages::audit::AuditPage,
        ArchiveSettings => pages::archive_settings::ArchiveSettingsPage,
        DeviceMasks => pages::device_masks::DeviceMasksPage,
        DicomWebTokens => pages::dicomweb_tokens::DicomWebTokensPage,
        Admin => pages::admin::AdminPage,
        Competency => pages::competency::CompetencyPage,
        Quality => pages::competency::QualityPage,
        Rules => pages::competency::RulesPage,
        Applications => pages::competency::ApplicationsPage,
        Learner => pages::competency::learner::LearnerPage,
        Certificate => pages::competency::certificate::CertificatePage,
        VerifyForm => pages::competency::certificate::VerifyFormPage,
        Verify => pages::competency::certificate::VerifyPage,
    }
}
