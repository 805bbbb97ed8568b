use clap::Parser;
use orgdesk_server::config::{Command, Config};
use orgdesk_server::{demo, outbox, Db, Options};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    if config.log_json {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }

    let db = Db::connect(&config.database_url()?).await?;
    if let Some(Command::Outbox { to, limit }) = &config.command {
        for email in outbox::list(&db, to.as_deref(), *limit).await? {
            println!("── {} → {}  [{}]\n{}\n{}", email.created_at, email.to, email.subject, email.body, "─".repeat(60));
        }
        return Ok(());
    }

    let state = orgdesk_server::state(
        db,
        Options {
            public_url: config.public_url(),
            dev_outbox: config.demo || config.dev_outbox,
            limits: config.limits.clone(),
            metrics_token: config.metrics_token.clone(),
            outbox_retention_days: config.outbox_retention_days,
            oidc_providers: config.oidc_providers.clone(),
            webhooks: orgdesk_server::WebhookOptions {
                secret_key: config.webhook_secret_key.clone(),
                allow_private: config.webhooks_allow_private,
                timeout: std::time::Duration::from_secs(config.webhook_timeout_secs),
                deliver: true,
            },
            stream_heartbeat: std::time::Duration::from_secs(15),
        },
    );
    for provider in &state.oidc.list() {
        tracing::info!(id = provider.id, name = provider.name, "sign-in provider configured");
    }
    if config.demo {
        let credentials = demo::seed(&state.db).await?;
        if config.demo_scale {
            demo::seed_scale(&state.db).await?;
        }
        println!("{credentials}");
    }
    if let Some(smtp_url) = config.smtp_url.clone() {
        let from = config.smtp_from.parse().map_err(|e| anyhow::anyhow!("--smtp-from is not a mailbox: {e}"))?;
        tokio::spawn(outbox::run_mailer(state.clone(), smtp_url, from));
    } else {
        tracing::info!("no --smtp-url: emails stay in the outbox (see `orgdesk-server outbox`)");
    }

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    tracing::info!(address = %listener.local_addr()?, "Orgdesk API listening");
    orgdesk_server::serve(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
