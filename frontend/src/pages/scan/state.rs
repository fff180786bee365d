//! What the scanner view shows: the camera's state and the screen over it.

use crate::browser::camera::CameraProblem;
use crate::components::scan_result::ScanOutcome;
use crate::text;

/// The camera's state.
#[derive(Debug, Clone, PartialEq)]
pub enum CameraState {
    Off,
    Starting,
    On,
    Problem(CameraProblem),
}

/// A message that pauses scanning until tapped (scan problems are said, never swallowed).
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Network,
    SignedOut,
    PhotoNoCode,
    PhotoUnreadable,
    Decoder,
    Server(String),
    /// 403 `no_active_delegation`: the server's message; the scanner is back in private mode.
    DelegationLost(String),
}

impl Notice {
    pub fn key(&self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::SignedOut => "signed-out",
            Self::PhotoNoCode => "photo-no-code",
            Self::PhotoUnreadable => "photo-unreadable",
            Self::Decoder => "decoder",
            Self::Server(_) => "server",
            Self::DelegationLost(_) => "no-delegation",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::Network => text::SCAN_NETWORK.to_owned(),
            Self::SignedOut => text::SCAN_SIGNED_OUT.to_owned(),
            Self::PhotoNoCode => text::PHOTO_NO_CODE.to_owned(),
            Self::PhotoUnreadable => text::PHOTO_UNREADABLE.to_owned(),
            Self::Decoder => text::DECODER_FAILED.to_owned(),
            Self::Server(m) | Self::DelegationLost(m) => m.clone(),
        }
    }

    /// A second line, when there is more to say than the message.
    pub fn detail(&self) -> Option<&'static str> {
        match self {
            Self::DelegationLost(_) => Some(text::DELEGATION_LOST),
            _ => None,
        }
    }
}

/// What the area over the camera shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Scanning,
    Checking(&'static str),
    Result(ScanOutcome),
    Notice(Notice),
}
