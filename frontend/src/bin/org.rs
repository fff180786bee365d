//! The organization pages' app (`/org`): mounts [`OrgApp`](statuspass_frontend::app::OrgApp) in
//! place of the static shell.
fn main() {
    statuspass_frontend::app::mount(statuspass_frontend::app::OrgApp);
}
