//! The statuses a pass can prove (SPEC §12): the two СВО statuses of the Ministry of Defence
//! registry and the three «Цифровой ID» statuses (adult, student, large family).

use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

/// One status a person may hold and show, one at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// Participant of the special military operation (the Ministry of Defence registry).
    SvoParticipant,
    /// Member of a participant's family (the Ministry of Defence registry).
    SvoFamily,
    /// 18 or older, decided from the confirmed birth date.
    Adult,
    /// Student (an education registry).
    Student,
    /// Parent in a large family (a social-support registry).
    LargeFamily,
}

impl StatusKind {
    /// Every kind, in the order the service lists them.
    pub const ALL: [StatusKind; 5] = [
        Self::SvoParticipant,
        Self::SvoFamily,
        Self::Adult,
        Self::Student,
        Self::LargeFamily,
    ];

    /// The wire name (`svo_participant`, …), also the `data-status` value in the PWA.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SvoParticipant => "svo_participant",
            Self::SvoFamily => "svo_family",
            Self::Adult => "adult",
            Self::Student => "student",
            Self::LargeFamily => "large_family",
        }
    }

    /// The inverse of [`StatusKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The status as the checker reads it («Подтверждено: студент»).
    pub fn title(self) -> &'static str {
        match self {
            Self::SvoParticipant => "участник СВО",
            Self::SvoFamily => "член семьи участника СВО",
            Self::Adult => "совершеннолетний (18+)",
            Self::Student => "студент",
            Self::LargeFamily => "многодетная семья",
        }
    }

    /// A «Цифровой ID» status: the checker sees the status alone (no initials, no age, no
    /// birth year), and the code is dynamic by default. The СВО statuses are not: they keep the
    /// configurable disclosure of SPEC §7 and a static code (screenshots allowed).
    pub fn is_digital_id(self) -> bool {
        matches!(self, Self::Adult | Self::Student | Self::LargeFamily)
    }

    /// One of the two statuses the Ministry of Defence registry confirms.
    pub fn is_svo(self) -> bool {
        !self.is_digital_id()
    }
}

impl std::fmt::Display for StatusKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_snake_case_and_round_trip() {
        for kind in StatusKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<StatusKind>(&json).unwrap(), kind);
            assert_eq!(StatusKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.title().is_empty());
        }
        assert_eq!(StatusKind::parse("pensioner"), None);
        assert!(serde_json::from_str::<StatusKind>("\"Student\"").is_err());
    }

    #[test]
    fn digital_id_kinds_are_adult_student_and_large_family() {
        let digital: Vec<_> = StatusKind::ALL
            .into_iter()
            .filter(|k| k.is_digital_id())
            .collect();
        assert_eq!(
            digital,
            [
                StatusKind::Adult,
                StatusKind::Student,
                StatusKind::LargeFamily
            ]
        );
        assert!(StatusKind::SvoFamily.is_svo());
    }
}
