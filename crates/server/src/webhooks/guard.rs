//! Server-side request forgery: webhook targets may not be loopback,
//! private, link-local, metadata or otherwise non-public addresses (unless
//! the operator allows them). Checked when an endpoint is saved and again at
//! every connect: the HTTP client resolves names through [`GuardedResolver`],
//! which drops forbidden addresses, so a name that later resolves to
//! 127.0.0.1 (DNS rebinding) is refused when it matters. Redirects are never
//! followed, timeouts are short, proxies from the environment are ignored.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::error::{ApiError, ApiResult};

/// Whether a webhook may connect to `ip` without the operator's permission.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) embeds an IPv4 address.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254 is AWS metadata)
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1))
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, with 169.254.169.254 (cloud metadata)
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (100.100.100.200: metadata)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

/// Resolves names with the system resolver, keeping only the addresses a
/// webhook may reach.
pub struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
            if allowed.is_empty() {
                return Err(format!(
                    "{host} resolves to no public address (loopback, private, link-local and metadata addresses are refused)"
                )
                .into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The delivery client: the guarded resolver, no redirects, no proxy, short timeouts.
pub fn client(allow_private: bool, timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .timeout(timeout)
        .user_agent("Orgdesk-Webhooks/1")
        .build()
        .expect("a client of fixed settings builds")
}

/// A target given as an IP address bypasses the resolver: checked here,
/// before every attempt.
pub fn literal_refused(url: &Url, allow_private: bool) -> Option<String> {
    let host = url.host_str()?;
    let ip: IpAddr = host.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
    (!allow_private && !is_public(ip)).then(|| format!("{ip} is not a public address; refused"))
}

/// Validates an endpoint URL when it is saved: `https://` with a host and
/// no credentials, not a forbidden address, not a name that resolves only
/// to forbidden ones (a name that does not resolve yet is accepted: the
/// connect-time check decides).
pub async fn check_url(text: &str, allow_private: bool) -> ApiResult<String> {
    let bad = |m: &str| ApiError::invalid("url", m.to_owned());
    let text = text.trim();
    if text.len() > 2000 {
        return Err(bad("Keep the URL under 2,000 characters."));
    }
    let url = Url::parse(text).map_err(|_| bad("Enter an absolute URL such as https://example.com/hooks/orgdesk."))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(bad("Webhook URLs start with https://.")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("Put no credentials in the URL; verify the webhook-signature header instead."));
    }
    let Some(host) = url.host_str() else {
        return Err(bad("The URL needs a host name."));
    };
    if let Some(refused) = literal_refused(&url, allow_private) {
        return Err(bad(&format!("{refused}: webhooks go to public addresses only.")));
    }
    if !allow_private && url.domain().is_some() {
        let port = url.port_or_known_default().unwrap_or(443);
        let resolved = tokio::time::timeout(Duration::from_secs(3), tokio::net::lookup_host((host, port))).await;
        if let Ok(Ok(addrs)) = resolved {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if !addrs.is_empty() && addrs.iter().all(|a| !is_public(a.ip())) {
                return Err(bad(&format!(
                    "{host} resolves to a private or loopback address: webhooks go to public addresses only."
                )));
            }
        }
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.100.100.200",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "224.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must be refused");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }
}
