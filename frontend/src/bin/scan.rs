//! The scanner's app (`/scan`): mounts [`ScanApp`](statuspass_frontend::app::ScanApp) in place
//! of the static shell.
fn main() {
    statuspass_frontend::app::mount(statuspass_frontend::app::ScanApp);
}
