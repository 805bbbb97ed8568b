//! One-off data steps: the `data_steps` table records which ran.

use super::on;
use super::{Executor, Result};

/// Claims the step; false when it ran already.
pub async fn claim(db: impl Executor<'_>, name: &str, at: i64) -> Result<bool> {
    on!(db, |db| {
        let claimed =
            sqlx::query("INSERT INTO data_steps (name, applied_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(at)
                .execute(db)
                .await?;
        Ok(claimed.rows_affected() == 1)
    })
}
