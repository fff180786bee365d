//! The participant's app (`/`): mounts [`ParticipantApp`](statuspass_frontend::app::ParticipantApp)
//! in place of the static shell.
fn main() {
    statuspass_frontend::app::mount(statuspass_frontend::app::ParticipantApp);
}
