use super::*;
use proptest::prelude::*;

fn key(byte: u8) -> SigningKey {
    SigningKey::from_bytes(&[byte; 32])
}

fn id() -> PassId {
    PassId::parse("3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b").unwrap()
}

fn fields(holder: Option<TokenHolder>) -> Fields {
    Fields {
        kind: StatusKind::SvoParticipant,
        kid: KeyId(7),
        issued_at: 1_700_000_000,
        expires_at: 1_700_000_300,
        holder,
    }
}

fn ivanov() -> TokenHolder {
    TokenHolder::from_holder(&Holder {
        initials: "И. И. И.".into(),
        birth_year: 1985,
    })
    .unwrap()
}

/// The token's bytes, signature included.
fn raw(part: &str) -> Vec<u8> {
    base32::decode(&part[1..]).unwrap()
}

fn part_of(bytes: &[u8]) -> String {
    format!("{PART_PREFIX}{}", base32::encode(bytes))
}

#[test]
fn tokens_round_trip_and_verify_for_their_pass_only() {
    for f in [fields(None), fields(Some(ivanov()))] {
        let part = encode(&f, &id(), &key(1));
        let token = decode(&part).unwrap();
        assert_eq!(token.fields, f);
        assert!(verify(&token, &id(), &key(1).verifying_key()));
        let other = PassId::parse("6ba7b810-9dad-41d1-80b4-00c04fd430c8").unwrap();
        assert!(!verify(&token, &other, &key(1).verifying_key()));
        assert!(!verify(&token, &id(), &key(2).verifying_key()), "wrong key");
    }
}

#[test]
fn every_kind_round_trips() {
    for kind in StatusKind::ALL {
        let f = Fields {
            kind,
            ..fields(None)
        };
        assert_eq!(decode(&encode(&f, &id(), &key(1))).unwrap().fields, f);
    }
}

#[test]
fn layout_sizes_are_as_documented() {
    let bare = encode(&fields(None), &id(), &key(1));
    assert_eq!(raw(&bare).len(), 76);
    assert_eq!(bare.len(), 1 + 122);
    let with_holder = encode(&fields(Some(ivanov())), &id(), &key(1));
    assert_eq!(raw(&with_holder).len(), 85);
    assert_eq!(with_holder.len(), 1 + 136);
    let bytes = raw(&with_holder);
    assert_eq!(&bytes[..4], &[1, 0x80, 0, 7]);
    assert_eq!(&bytes[12..19], &[6, 0xd0, 0x98, 0xd0, 0x98, 0xd0, 0x98]);
    assert_eq!(&bytes[19..21], &1985u16.to_be_bytes());
}

#[test]
fn holders_keep_their_letters_and_read_as_the_scan_answer_shows_them() {
    let h = ivanov();
    assert_eq!(h.initials, "ИИИ");
    assert_eq!(h.to_holder().initials, "И. И. И.");
    assert_eq!(h.to_holder().birth_year, 1985);
    let none = Holder {
        initials: ". .".into(),
        birth_year: 1985,
    };
    assert_eq!(TokenHolder::from_holder(&none), None);
}

#[test]
fn every_single_bit_flip_is_refused() {
    for f in [fields(None), fields(Some(ivanov()))] {
        let bytes = raw(&encode(&f, &id(), &key(1)));
        for i in 0..bytes.len() * 8 {
            let mut flipped = bytes.clone();
            flipped[i / 8] ^= 1 << (i % 8);
            let accepted = decode(&part_of(&flipped))
                .is_ok_and(|t| verify(&t, &id(), &key(1).verifying_key()));
            assert!(!accepted, "bit {i}");
        }
    }
}

#[test]
fn every_changed_character_is_refused() {
    let part = encode(&fields(Some(ivanov())), &id(), &key(1));
    for i in 1..part.len() {
        for c in ['A', 'Q', '7', 'a', '~'] {
            let mut changed = part.clone().into_bytes();
            if changed[i] == c as u8 {
                continue;
            }
            changed[i] = c as u8;
            let changed = String::from_utf8(changed).unwrap();
            let accepted =
                decode(&changed).is_ok_and(|t| verify(&t, &id(), &key(1).verifying_key()));
            assert!(!accepted, "{i} {c}");
        }
    }
}

#[test]
fn truncated_tokens_do_not_decode() {
    for f in [fields(None), fields(Some(ivanov()))] {
        let bytes = raw(&encode(&f, &id(), &key(1)));
        for len in 0..bytes.len() {
            assert!(decode(&part_of(&bytes[..len])).is_err(), "{len} bytes");
        }
        let part = encode(&f, &id(), &key(1));
        for len in 0..part.len() {
            assert!(decode(&part[..len]).is_err(), "{len} characters");
        }
    }
}

#[test]
fn malformed_tokens_name_their_fault() {
    let bytes = raw(&encode(&fields(None), &id(), &key(1)));
    let mut v2 = bytes.clone();
    v2[0] = 2;
    assert_eq!(decode(&part_of(&v2)), Err(TokenError::UnknownVersion(2)));
    let mut kind = bytes.clone();
    kind[1] = 9;
    assert_eq!(decode(&part_of(&kind)), Err(TokenError::BadKind(9)));
    let mut longer = bytes.clone();
    longer.insert(12, 0);
    assert_eq!(decode(&part_of(&longer)), Err(TokenError::TrailingBytes));
    assert_eq!(decode("X"), Err(TokenError::NotATokenPart));
    assert_eq!(decode("Tabc"), Err(TokenError::NotBase32));
    assert_eq!(decode("T"), Err(TokenError::Truncated));
}

#[test]
fn the_token_part_is_found_among_the_fragment_parts() {
    assert_eq!(find_part("123-12345678~TABC"), Some("TABC"));
    assert_eq!(find_part("TABC"), Some("TABC"));
    assert_eq!(find_part("123-12345678"), None);
}

proptest! {
    #[test]
    fn decode_never_panics(s in "\\PC*") {
        let _ = decode(&s);
    }

    #[test]
    fn decode_never_panics_on_token_like_text(s in "T[A-Z2-7]{0,200}") {
        let _ = decode(&s);
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        let _ = decode(&part_of(&bytes));
    }
}
