//! A QR code drawn as SVG in the browser (no network, works offline).

use leptos::prelude::*;
use qrcode::render::svg;
use qrcode::EcLevel;

/// The SVG markup of a QR code of `text`: error correction M, 4-module quiet zone, one unit
/// per module (the page scales it with CSS, crisp at any size).
pub fn svg_markup(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let markup = code
        .render::<svg::Color>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Drop the `<?xml …?>` prolog: this goes into HTML.
    let start = markup.find("<svg")?;
    Some(markup[start..].to_owned())
}

/// A large QR code with an accessible name; redrawn when `text` changes. The element carries
/// the encoded text in `data-pass-qr`.
#[component]
pub fn QrCode(
    /// The text to encode (the pass link, with the rotating part of a dynamic code).
    #[prop(into)]
    text: Signal<String>,
    /// What a screen reader says instead of the picture.
    label: &'static str,
) -> impl IntoView {
    let markup = Memo::new(move |_| svg_markup(&text.get()).unwrap_or_default());
    view! {
        <div class="qr" role="img" aria-label=label data-pass-qr=move || text.get()
            inner_html=move || markup.get()></div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_a_bare_svg_with_a_quiet_zone() {
        let svg = svg_markup("https://pass.example.ru/somc2/3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b")
            .unwrap();
        assert!(svg.starts_with("<svg"));
        let side: u32 = svg
            .split(r#"viewBox="0 0 "#)
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        // A QR code is 17 + 4 × version modules wide, plus 4 quiet modules on each side; the
        // first dark module (the finder pattern's corner) sits right after the quiet zone.
        assert_eq!((side - 8 - 17) % 4, 0, "{side}");
        assert!(svg.contains(r#"d="M4 4h1"#));
    }
}
