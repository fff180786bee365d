//! Sign-in: «Войти через Госуслуги» when the server signs people in through an OpenID provider;
//! otherwise (the embedded default) the demo people who have a given role, one button each.

use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{DemoPerson, Me, Role};

use crate::api::{self, ApiFailure};
use crate::text;

#[derive(Clone)]
enum People {
    Loading,
    Loaded(Vec<DemoPerson>),
    /// Real sign-in through the provider of this name.
    Provider(String),
    Disabled,
    Failed,
}

/// `/api/auth/oidc/start?return_to={this page}`: after the provider the person lands here again.
fn start_url() -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".to_owned());
    let encoded: String = js_sys::encode_uri_component(&path).into();
    format!("/api/auth/oidc/start?return_to={encoded}")
}

/// The sign-in: the provider's button, or the demo people with `role`.
#[component]
pub fn DemoSignIn(
    /// Only people with this role are offered.
    role: Role,
    /// Called with the signed-in person.
    on_signed_in: Callback<Me>,
) -> impl IntoView {
    let people = RwSignal::new(People::Loading);
    let error = RwSignal::new(None::<&'static str>);
    spawn_local(async move {
        if let Ok(statuspass_shared::api::ClientConfig {
            sign_in_provider: Some(name),
            ..
        }) = api::config().await
        {
            people.set(People::Provider(name));
            return;
        }
        people.set(match api::demo_people().await {
            Ok(list) => People::Loaded(
                list.into_iter()
                    .filter(|p| p.roles.contains(&role))
                    .collect(),
            ),
            Err(ApiFailure::Status(404, _)) => People::Disabled,
            Err(_) => People::Failed,
        });
    });
    let choose = move |key: String| {
        error.set(None);
        spawn_local(async move {
            match api::demo_sign_in(&key).await {
                Ok(me) => on_signed_in.run(me),
                Err(_) => error.set(Some(text::SIGN_IN_FAILED)),
            }
        });
    };
    view! {
        <section class="card sign-in" aria-labelledby="sign-in-title">
            <h2 id="sign-in-title">{text::SIGN_IN_TITLE}</h2>
            {move || match people.get() {
                People::Loading => view! { <p>{text::LOADING}</p> }.into_any(),
                People::Provider(name) => view! {
                    <p class="hint">{text::SIGN_IN_PROVIDER_HINT}</p>
                    <a class="button primary" data-sign-in="oidc" href=start_url()>
                        {text::SIGN_IN_WITH}" "{name}
                    </a>
                }.into_any(),
                People::Disabled => view! { <p>{text::SIGN_IN_DISABLED}</p> }.into_any(),
                People::Failed => view! { <p class="problem">{text::GENERIC_ERROR}</p> }.into_any(),
                People::Loaded(list) if list.is_empty() => view! { <p>{text::SIGN_IN_NOBODY}</p> }.into_any(),
                People::Loaded(list) => view! {
                    <p class="hint">{text::SIGN_IN_DEMO_HINT}</p>
                    <ul class="people">
                        {list.into_iter().map(|p| {
                            let key = p.key.clone();
                            let unconfirmed = (!p.confirmed).then_some(text::NOT_CONFIRMED_MARK);
                            view! {
                                <li>
                                    <button class="button person" data-demo-key=p.key.clone()
                                        on:click=move |_| choose(key.clone())>
                                        <span class="name">{p.name}</span>
                                        {unconfirmed.map(|m| view! { <span class="mark">{m}</span> })}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <p class="problem" role="alert">{e}</p> })}
        </section>
    }
}
