//! Which network classes count as attacker infrastructure for the new detectors: hosting and VPS
//! providers, Tor and the examiner's anonymizer list. Commercial VPNs are left out on purpose: staff
//! use them too (a VPN egress used by many users is a benign class of issue #7), so a VPN alone
//! raises nothing. The classes come from [`crate::enrich`]; without a database most addresses have
//! none, and these signals simply stay silent.

use super::UserContext;
use crate::enrich::NetClass;

/// Network classes where attacker tooling usually runs.
pub const ATTACKER_CLASSES: &[NetClass] = &[NetClass::Hosting, NetClass::Tor, NetClass::Anonymizer];

/// The attacker-infrastructure class of row `i`'s address, if it has one.
pub fn attacker_network(cx: &UserContext<'_>, i: usize) -> Option<NetClass> {
    cx.net_class(i).filter(|c| ATTACKER_CLASSES.contains(c))
}
