//! Command-line flags and environment variables.

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug, Clone)]
#[command(name = "orgdesk-server", version, about = "The Orgdesk hosted API")]
pub struct Config {
    /// sqlite:<path> or postgres://… ; default: a SQLite file in the platform's data directory.
    #[arg(long, env = "ORGDESK_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Address to listen on.
    #[arg(long, env = "ORGDESK_LISTEN", default_value = "127.0.0.1:8787")]
    pub listen: SocketAddr,

    /// Base URL of links in emails; default http://<listen>.
    #[arg(long, env = "ORGDESK_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Deliver emails over SMTP, e.g. smtp://127.0.0.1:2525 or smtps://user:pass@host.
    /// Without it, emails stay in the outbox.
    #[arg(long, env = "ORGDESK_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender of outgoing emails.
    #[arg(long, env = "ORGDESK_SMTP_FROM", default_value = "Orgdesk <no-reply@orgdesk.localhost>")]
    pub smtp_from: String,

    /// Seed demo data (once) and print the demo credentials; serves the outbox at /v1/dev/outbox.
    #[arg(long, env = "ORGDESK_DEMO")]
    pub demo: bool,

    /// With --demo, also seed the scale data (once): "megacorp" with 100,000
    /// members and 500 client orgs, owned by scale@orgdesk.test.
    #[arg(long, env = "ORGDESK_DEMO_SCALE", requires = "demo")]
    pub demo_scale: bool,

    /// Serve the outbox at /v1/dev/outbox without demo data.
    #[arg(long, env = "ORGDESK_DEV_OUTBOX")]
    pub dev_outbox: bool,

    /// Log as JSON lines.
    #[arg(long, env = "ORGDESK_LOG_JSON")]
    pub log_json: bool,

    /// Serve /metrics to requests with `Authorization: Bearer <this token>`;
    /// without it /metrics answers 404.
    #[arg(long, env = "ORGDESK_METRICS_TOKEN")]
    pub metrics_token: Option<String>,

    /// Days a sent email stays in the outbox before it is deleted.
    #[arg(long, env = "ORGDESK_OUTBOX_RETENTION_DAYS", default_value_t = 7, value_parser = clap::value_parser!(i64).range(0..=365))]
    pub outbox_retention_days: i64,

    /// An OpenID Connect provider people may sign in with; repeat the flag for
    /// each (the environment variable separates them with `;`):
    /// `id=corp,issuer=https://idp.example.com,client-id=…,client-secret=…,name=Corp SSO`.
    /// Register `<public-url>/v1/auth/oidc/callback` as its redirect URI.
    #[arg(long = "oidc-provider", env = "ORGDESK_OIDC_PROVIDERS", value_delimiter = ';', value_parser = crate::oidc::ProviderConfig::parse)]
    pub oidc_providers: Vec<crate::oidc::ProviderConfig>,

    /// The key every webhook signing secret is derived from (at least 32
    /// characters; keep it like a password: changing it changes every
    /// endpoint's secret). Without it, webhook endpoints cannot be created.
    #[arg(long, env = "ORGDESK_WEBHOOK_SECRET_KEY", hide_env_values = true, value_parser = webhook_key)]
    pub webhook_secret_key: Option<String>,

    /// Lets webhooks reach loopback, private and link-local addresses and
    /// plain http:// URLs (development and tests only: it opens the server
    /// to request forgery against its own network).
    #[arg(long, env = "ORGDESK_WEBHOOKS_ALLOW_PRIVATE")]
    pub webhooks_allow_private: bool,

    /// Seconds one webhook attempt may take, connecting included.
    #[arg(long, env = "ORGDESK_WEBHOOK_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=30))]
    pub webhook_timeout_secs: u64,

    #[command(flatten)]
    pub limits: crate::Limits,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Print the newest emails of the outbox (for following links locally).
    Outbox {
        /// Only emails to this address.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
}

impl Config {
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        let dirs = directories::ProjectDirs::from("dev", "orgdesk", "orgdesk-server")
            .ok_or_else(|| anyhow::anyhow!("no home directory to keep the database in; pass --database-url"))?;
        std::fs::create_dir_all(dirs.data_dir())?;
        Ok(format!("sqlite://{}?mode=rwc", dirs.data_dir().join("orgdesk.db").display()))
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.listen)).trim_end_matches('/').to_owned()
    }
}

fn webhook_key(s: &str) -> Result<String, String> {
    if s.chars().count() < 32 {
        return Err("the webhook secret key needs at least 32 characters (e.g. `openssl rand -base64 32`)".into());
    }
    Ok(s.to_owned())
}
