//! Mounts the PWA, replacing the static shell of `index.html`.
fn main() {
    if let Some(shell) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("shell"))
    {
        shell.remove();
    }
    leptos::mount::mount_to_body(statuspass_frontend::app::App);
}
