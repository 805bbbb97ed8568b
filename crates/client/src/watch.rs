//! One read channel per view. A screen watches a view once and gets on one
//! sink, in order: the connection status, the cached snapshot at once (when
//! there is one), the fresh one after revalidation (conditional: an ETag, or
//! the member sync's audit check), and then every later change the live
//! stream or my own edits made to the cache (re-read from the cache, so no
//! extra request), the connection status whenever it moves, and a fresh
//! revalidation after a reconnect or a `reset` from the server.
//!
//! The member view's data is the member count, the list's revision and the
//! sync time: the rows stay in Rust and the screen asks for windows
//! ([`Session::member_window`]) when the revision moved past the one its
//! rows came from. A failed load (offline included) is a
//! `Failed` message; the snapshot shown before stays.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use orgdesk_core::api::{Invitation, ManagedInvitation, MyInvitation, MyOrg, Org, Page, Role};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;

use crate::error::{Result, UiError};
use crate::live::Change;
use crate::member_view::MemberListState;
use crate::session::Session;
use crate::snapshot::{ConnectionStatus, Snapshot, Source};
use crate::sync::{CancelToken, SyncMode, SyncProgress};

/// One message on a view's channel.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ViewEvent<T> {
    /// What the view shows now: from the cache, or fresh from the server.
    Data { snapshot: Snapshot<T> },
    /// A member sync's progress (the member view only).
    Progress { progress: SyncProgress },
    /// The connection status (the offline banner).
    Status { status: ConnectionStatus },
    /// Loading failed (offline failures come as a status instead).
    Failed { error: UiError },
}

/// Where a view's messages go; false once nobody listens.
pub type Sink<T> = Arc<dyn Fn(ViewEvent<T>) -> bool + Send + Sync>;

type Loaded<T> = Pin<Box<dyn Future<Output = Result<Option<Snapshot<T>>>> + Send>>;
/// Loads a view: from the cache (`fresh` false) or revalidated (true).
type Load<T> = Arc<dyn Fn(Arc<Session>, bool, Sink<T>) -> Loaded<T> + Send + Sync>;

/// A running view; dropping it stops it.
pub struct Watch {
    task: tokio::task::AbortHandle,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Session {
    /// My orgs (the sidebar; also the app's connection status).
    pub fn watch_orgs(self: &Arc<Self>, sink: Sink<Vec<MyOrg>>) -> Watch {
        let load: Load<Vec<MyOrg>> = Arc::new(|s, fresh, _| {
            Box::pin(async move {
                if fresh {
                    s.orgs().await.map(Some)
                } else {
                    s.cached_orgs().await
                }
            })
        });
        self.watch(load, |c| matches!(c, Change::Orgs), sink)
    }

    /// One org's settings.
    pub fn watch_org(self: &Arc<Self>, org_id: &str, sink: Sink<Org>) -> Watch {
        let org = org_id.to_owned();
        let load: Load<Org> = Arc::new(move |s, fresh, _| {
            let org = org.clone();
            Box::pin(async move {
                if fresh {
                    s.org(&org).await.map(Some)
                } else {
                    s.cached_org(&org).await
                }
            })
        });
        let org = org_id.to_owned();
        self.watch(load, move |c| matches!(c, Change::Org { org_id } if *org_id == org), sink)
    }

    /// An org's member list: its size, revision and sync time (windows are
    /// asked for separately); revalidating is the conditional member sync,
    /// with progress.
    pub fn watch_members(self: &Arc<Self>, org_id: &str, sink: Sink<MemberListState>) -> Watch {
        let org = org_id.to_owned();
        let load: Load<MemberListState> = Arc::new(move |s, fresh, sink| {
            let org = org.clone();
            Box::pin(async move {
                let mut source = Source::Cache;
                if fresh {
                    let progress = move |p: SyncProgress| {
                        let _ = sink(ViewEvent::Progress { progress: p });
                    };
                    s.sync_members(&org, SyncMode::Auto, progress, &CancelToken::new()).await?;
                    source = Source::Network;
                }
                Ok(s.member_list_state(&org).await?.map(|(state, synced_at)| Snapshot {
                    data: state,
                    source,
                    synced_at,
                    offline: !s.status().online,
                }))
            })
        });
        let org = org_id.to_owned();
        self.watch(load, move |c| matches!(c, Change::Members { org_id } if *org_id == org), sink)
    }

    /// An org's open invitations.
    pub fn watch_invitations(self: &Arc<Self>, org_id: &str, sink: Sink<Page<Invitation>>) -> Watch {
        let org = org_id.to_owned();
        let load: Load<Page<Invitation>> = Arc::new(move |s, fresh, _| {
            let org = org.clone();
            Box::pin(async move {
                if fresh {
                    s.invitations(&org).await.map(Some)
                } else {
                    s.cached_invitations(&org).await
                }
            })
        });
        let org = org_id.to_owned();
        self.watch(load, move |c| matches!(c, Change::Invitations { org_id } if *org_id == org), sink)
    }

    /// An org's roles.
    pub fn watch_roles(self: &Arc<Self>, org_id: &str, sink: Sink<Vec<Role>>) -> Watch {
        let org = org_id.to_owned();
        let load: Load<Vec<Role>> = Arc::new(move |s, fresh, _| {
            let org = org.clone();
            Box::pin(async move {
                if fresh {
                    s.roles(&org).await.map(Some)
                } else {
                    s.cached_roles(&org).await
                }
            })
        });
        let org = org_id.to_owned();
        self.watch(load, move |c| matches!(c, Change::Roles { org_id } if *org_id == org), sink)
    }

    /// The invitations addressed to me.
    pub fn watch_my_invitations(self: &Arc<Self>, sink: Sink<Vec<MyInvitation>>) -> Watch {
        let load: Load<Vec<MyInvitation>> = Arc::new(|s, fresh, _| {
            Box::pin(async move {
                if fresh {
                    s.my_invitations().await.map(Some)
                } else {
                    s.cached_my_invitations().await
                }
            })
        });
        self.watch(load, |c| matches!(c, Change::MyInvitations), sink)
    }

    /// Every pending invitation in the orgs I manage.
    pub fn watch_managed_invitations(self: &Arc<Self>, sink: Sink<Vec<ManagedInvitation>>) -> Watch {
        let load: Load<Vec<ManagedInvitation>> = Arc::new(|s, fresh, _| {
            Box::pin(async move {
                if fresh {
                    s.managed_invitations().await.map(Some)
                } else {
                    s.cached_managed_invitations().await
                }
            })
        });
        self.watch(load, |c| matches!(c, Change::ManagedInvitations | Change::Invitations { .. }), sink)
    }

    fn watch<T: Send + 'static>(
        self: &Arc<Self>,
        load: Load<T>,
        relevant: impl Fn(&Change) -> bool + Send + 'static,
        sink: Sink<T>,
    ) -> Watch {
        // Subscribed before the first load, so no change in between is lost.
        let changes = self.changes();
        let task = tokio::spawn(run(self.clone(), changes, load, relevant, sink));
        Watch { task: task.abort_handle() }
    }
}

async fn run<T: Send + 'static>(
    session: Arc<Session>,
    mut changes: tokio::sync::broadcast::Receiver<Change>,
    load: Load<T>,
    relevant: impl Fn(&Change) -> bool,
    sink: Sink<T>,
) {
    let status = |s: &Session| ViewEvent::Status { status: s.status() };
    if !sink(status(&session)) {
        return;
    }
    let alive = match load(session.clone(), false, sink.clone()).await {
        Ok(Some(snapshot)) => sink(ViewEvent::Data { snapshot }),
        Ok(None) => true,
        Err(e) => sink(ViewEvent::Failed { error: e.to_ui() }),
    };
    if !alive || !revalidate(&session, &load, &sink).await {
        return;
    }
    loop {
        let alive = match changes.recv().await {
            Ok(Change::Status) => sink(status(&session)),
            Ok(Change::Revalidate) | Err(RecvError::Lagged(_)) => revalidate(&session, &load, &sink).await,
            Ok(change) if relevant(&change) => match load(session.clone(), false, sink.clone()).await {
                Ok(Some(snapshot)) => sink(ViewEvent::Data { snapshot }),
                Ok(None) => true,
                Err(e) => sink(ViewEvent::Failed { error: e.to_ui() }),
            },
            Ok(_) => true,
            Err(RecvError::Closed) => return,
        };
        if !alive {
            return;
        }
    }
}

/// The fresh snapshot, then the status it left.
async fn revalidate<T>(session: &Arc<Session>, load: &Load<T>, sink: &Sink<T>) -> bool {
    let alive = match load(session.clone(), true, sink.clone()).await {
        Ok(Some(snapshot)) => sink(ViewEvent::Data { snapshot }),
        Ok(None) => true,
        // Offline too: the cached snapshot stays, and a screen with nothing
        // cached says why instead of "Loading…".
        Err(e) => sink(ViewEvent::Failed { error: e.to_ui() }),
    };
    alive && sink(ViewEvent::Status { status: session.status() })
}
