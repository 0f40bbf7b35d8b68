//! `comunicapp-sandbox`: serves the sandbox portal until Ctrl-C.
//!
//! `--port N` (default 8787, 0 = any), `--registration-delay-secs N` (default 86400),
//! `--faults` (turns on /admin/*), `--test-token T` (with --faults: a bearer token accepted as
//! the demo parent, for the contract test), `--public-url URL` (base of checkout links, e.g.
//! http://10.0.2.2:8787/ for the Android emulator).

use std::process::ExitCode;
use std::time::Duration;

use comunicapp_sandbox::{start, SandboxConfig, CLIENT_ID, REDIRECT_URIS};
use url::Url;

fn usage() -> &'static str {
    "uso: comunicapp-sandbox [--port N] [--registration-delay-secs N] [--faults] [--test-token T] [--public-url URL]"
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<SandboxConfig, String> {
    let mut config = SandboxConfig {
        port: 8787,
        ..SandboxConfig::default()
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name}: manca il valore"))
        };
        match arg.as_str() {
            "--port" => {
                config.port = value("--port")?
                    .parse()
                    .map_err(|_| "--port: numero non valido".to_string())?
            }
            "--registration-delay-secs" => {
                let secs = value("--registration-delay-secs")?
                    .parse()
                    .map_err(|_| "--registration-delay-secs: numero non valido".to_string())?;
                config.registration_delay = Duration::from_secs(secs);
            }
            "--faults" => config.faults_enabled = true,
            "--test-token" => config.test_token = Some(value("--test-token")?),
            "--public-url" => {
                let url = Url::parse(&value("--public-url")?)
                    .map_err(|e| format!("--public-url: {e}"))?;
                config.public_base_url = Some(url);
            }
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("argomento sconosciuto: {other}\n{}", usage())),
        }
    }
    if config.test_token.is_some() && !config.faults_enabled {
        return Err("--test-token vale solo insieme a --faults".to_string());
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let handle = match start(config).await {
        Ok(handle) => handle,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let port = handle.port();
    let credentials = handle.demo_credentials();
    println!("ComunicApp sandbox portal: {}", handle.base_url());
    println!(
        "  demo parent:       {} / {}",
        credentials.username, credentials.password
    );
    println!(
        "  OAuth client id:   {CLIENT_ID}; redirect URIs: {} (loopback: any port)",
        REDIRECT_URIS.join(", ")
    );
    println!("  Android emulator:  http://10.0.2.2:{port}/");
    println!("  iOS simulator:     http://127.0.0.1:{port}/");
    println!(
        "  registration delay {} s; admin/faults {}",
        handle.config().registration_delay.as_secs(),
        if handle.config().faults_enabled {
            "on"
        } else {
            "off"
        }
    );
    println!("Ctrl-C to stop.");
    let _ = tokio::signal::ctrl_c().await;
    handle.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        list.iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn flags_set_the_config() {
        let config = parse_args(args(&[
            "--port",
            "0",
            "--registration-delay-secs",
            "5",
            "--faults",
            "--test-token",
            "t",
        ]))
        .unwrap();
        assert_eq!(config.port, 0);
        assert_eq!(config.registration_delay, Duration::from_secs(5));
        assert!(config.faults_enabled);
        assert_eq!(config.test_token.as_deref(), Some("t"));
    }

    #[test]
    fn a_test_token_needs_test_mode_and_unknown_flags_are_refused() {
        assert!(parse_args(args(&["--test-token", "t"])).is_err());
        assert!(parse_args(args(&["--port"])).is_err());
        assert!(parse_args(args(&["--prot", "1"])).is_err());
        assert_eq!(parse_args(args(&[])).unwrap().port, 8787);
    }
}
