//! How many messages a replay or discard would act on, counted before it runs (the console's
//! confirmation says the number), without taking anything out of the dead-letter queue.

use serde::Serialize;
use utoipa::ToSchema;

use super::{close, pass, DeadLetterQueue, DlqError, Selection};
use crate::queue::connect;

/// What a selection covers in the dead-letter queue right now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DlqPreview {
    pub queue: String,
    /// Messages ready in the DLQ when the count started (all of them were read).
    pub total: u32,
    /// Messages the selection matches: what a discard would remove.
    pub matching: u32,
    /// Of `matching`, those a replay can publish (their original queue is one of this
    /// installation's work queues); the rest would be reported as failures.
    pub replayable: u32,
}

impl DeadLetterQueue {
    /// Reads the whole DLQ (up to its depth at the start) and counts what `selection` matches.
    /// Every message is handed back at its old position, as a listing does. The count is a
    /// moment's: a message dead-lettered or settled meanwhile changes what a replay then finds.
    pub async fn preview(&self, selection: &Selection) -> Result<DlqPreview, DlqError> {
        let connection = connect(&self.url, "qlosync dlq preview").await?;
        let counted = pass::count(self, &connection, selection).await;
        close(connection).await;
        counted
    }
}
