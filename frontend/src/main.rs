//! Mounts the PWA.
fn main() {
    leptos::mount::mount_to_body(statuspass_frontend::app::App);
}
