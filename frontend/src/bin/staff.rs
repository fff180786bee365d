//! The staff app (`/scan`, `/org`): mounts [`StaffApp`](statuspass_frontend::app::StaffApp) in
//! place of the static shell.
fn main() {
    statuspass_frontend::app::mount(statuspass_frontend::app::StaffApp);
}
