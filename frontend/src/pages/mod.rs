//! One module per page. The page is chosen by the path (see [`crate::app`]).

pub mod org;
pub mod participant;
pub mod scan;

pub use org::OrgPage;
pub use participant::ParticipantPage;
pub use scan::ScanPage;

use statuspass_shared::api::Me;

/// Who is using the page, as far as the page knows.
#[derive(Debug, Clone, PartialEq)]
pub enum Account {
    Loading,
    /// The server could not be reached.
    Offline,
    SignedOut,
    SignedIn(Me),
}
