//! `sonohub`: the server binary and its subcommands.
use clap::Parser;
use server::config::{Cli, Command, LogFormat};
use tracing_subscriber::EnvFilter;

/// Stack of each runtime thread. Server rendering nests deeply on some pages (a replay page
/// with its player, a course lesson with a quiz), and an overflow ends the whole process:
/// 8 MiB instead of tokio's 2 MiB costs only address space.
const THREAD_STACK_BYTES: usize = 8 << 20;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let format = match &cli.command {
        Some(Command::Serve(args)) => args.log_format,
        None => cli.serve.log_format,
        Some(_) => LogFormat::Text,
    };
    // Lines go through a queue to a writer thread: a stalled reader of stdout (a full pipe, a
    // log shipper that stops) then costs dropped lines, never requests waiting on a write.
    // `_flush` writes out what is queued when `run` returns.
    let (writer, _flush) = tracing_appender::non_blocking(std::io::stdout());
    let logs = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn")),
        );
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(false).init(),
    }
    let args = match cli.command {
        Some(Command::Serve(args)) => *args,
        Some(Command::Dicom(args)) => return server::dicom_cli::run(args),
        Some(Command::Anonymize(args)) => return server::anonymize_cli::run(args),
        Some(Command::Backup(args)) => {
            let done = server::backup::backup(args).await?;
            println!("{}", server::backup::summary("Backed up", &done));
            return Ok(());
        }
        Some(Command::Bench(args)) => return server::bench::run(args).await,
        Some(Command::Restore(args)) => {
            let done = server::backup::restore(args).await?;
            println!("{}", server::backup::summary("Restored", &done));
            return Ok(());
        }
        None => cli.serve,
    };
    let started = server::start(args.into()).await?;
    println!("SonoHub is listening on http://{}", started.addr);
    shutdown_signal().await;
    tracing::info!("shutting down: finishing open requests");
    started.stop().await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
