//! Reusable pieces of the pages.

pub mod account_bar;
pub mod org;
pub mod pass_card;
pub mod qr_code;
pub mod scan_result;
pub mod sign_in;

pub use account_bar::AccountBar;
pub use pass_card::PassCard;
pub use qr_code::QrCode;
pub use scan_result::ScanResultCard;
pub use sign_in::DemoSignIn;
